/**
 * JSON-aware mutators for the document, registry and source fuzz targets:
 * the input is parsed, one value somewhere in it is replaced by something a
 * hostile producer could write (null, a huge or fractional number, a long
 * string, deep nesting, a big array, the wrong type), and it is written back.
 * Inputs that are not JSON are left to the engine's byte mutators.
 */
import type { Mutator, Random } from './engine';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Keys the image documents use, so that mutations reach the fields parsers read. */
const knownKeys = [
  'schemaVersion', 'mediaType', 'config', 'layers', 'manifests', 'digest', 'size', 'platform', 'annotations',
  'architecture', 'os', 'variant', 'rootfs', 'diff_ids', 'history', 'empty_layer', 'Config', 'RepoTags', 'Layers',
  'imageLayoutVersion', 'tags', 'name', 'fsLayers', 'blobSum', 'signatures', 'protected', 'subject', 'artifactType',
  'urls', 'Env', 'Entrypoint', 'Cmd', 'Labels', 'ExposedPorts', 'token', 'access_token', 'errors', 'code', 'parent',
];

/** A length between 1 and `max`, small ones far more often (log-uniform). */
function length(random: Random, max: number): number {
  return Math.max(1, Math.floor(Math.exp(random.next() * Math.log(max))));
}

function deepNesting(random: Random): Json {
  const depth = length(random, 3000);
  const open = random.next() < 0.5 ? '['.repeat(depth) : '{"a":'.repeat(depth);
  const close = open.startsWith('[') ? ']'.repeat(depth) : '}'.repeat(depth);
  return JSON.parse(`${open}1${close}`) as Json;
}

/** A value that breaks an assumption of the parsers. */
function hostileValue(random: Random, original: Json): Json {
  switch (random.below(14)) {
    case 0: return null;
    case 1: return random.pick([1e308, -1e308, 2 ** 53, 2 ** 31, -1, 0.5, 2e9, Number.MAX_SAFE_INTEGER + 2]);
    case 2: return 'x'.repeat(length(random, 200_000));
    case 3: return deepNesting(random);
    // Past about 120k items, `push(...items)` overflows the stack.
    case 4: return Array.from({ length: length(random, 150_000) }, (_, i) => (i % 2 ? `t${i}` : i));
    case 5: return typeof original === 'string' ? 7 : 'sha256:' + '0'.repeat(64);
    case 6: return Array.isArray(original) ? {} : [original];
    case 7: return random.pick(['', '../../etc/passwd', '/abs', 'sha256:', 'sha256:zz', 'a:b@c', '\u0000', '\ud800', '%2e%2e']);
    case 8: return random.pick([true, false, {}, [], [null], [{}], { '': null }]);
    case 9: return `sha256:${'ab'.repeat(32)}`;
    case 10: return random.pick(['application/vnd.oci.image.index.v1+json', 'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.docker.distribution.manifest.v1+prettyjws', 'application/vnd.docker.container.image.v1+json']);
    case 11: return Object.fromEntries(knownKeys.map((key) => [key, null]));
    case 12: return typeof original === 'number' ? -original : 1e21;
    default: return Array.isArray(original) ? [...original, ...original] : original;
  }
}

/** Every place in a JSON value, as [container, key] pairs (the root is [null, null]). */
function places(value: Json, out: Array<[Json[] | Record<string, Json> | null, string | number | null]> = [[null, null]], budget = { left: 2000 }): typeof out {
  if (budget.left <= 0 || value === null || typeof value !== 'object') return out;
  const entries: Array<[string | number, Json]> = Array.isArray(value) ? value.map((item, i) => [i, item]) : Object.entries(value);
  for (const [key, item] of entries) {
    if ((budget.left -= 1) <= 0) break;
    out.push([value, key]);
    places(item, out, budget);
  }
  return out;
}

/** The JSON text of `value`, or null when it is nested too deep to write (mutations pile nesting up). */
function written(value: Json): Uint8Array | null {
  try {
    return encoder.encode(JSON.stringify(value));
  } catch {
    return null;
  }
}

function parsed(input: Uint8Array): Json | undefined {
  if (input.length > 4 * 1024 * 1024) return undefined;
  try {
    return JSON.parse(decoder.decode(input)) as Json;
  } catch {
    return undefined;
  }
}

/** Replaces one value (or the whole document) with a hostile one. */
export const replaceValue: Mutator = (input, random) => {
  const value = parsed(input);
  if (value === undefined) return input;
  const all = places(value);
  const [container, key] = random.pick(all);
  if (container === null || key === null) return written(hostileValue(random, value)) ?? input;
  const original = (container as Record<string, Json>)[key as string];
  (container as Record<string, Json>)[key as string] = hostileValue(random, original);
  return written(value) ?? input;
};

/** Adds a known key with a hostile value to one object, or removes one. */
export const touchKey: Mutator = (input, random) => {
  const value = parsed(input);
  if (value === undefined) return input;
  const objects = places(value)
    .map(([container, key]) => (container === null ? value : (container as Record<string, Json>)[key as string]))
    .filter((item): item is Record<string, Json> => item !== null && typeof item === 'object' && !Array.isArray(item));
  if (objects.length === 0) return input;
  const target = random.pick(objects);
  const keys = Object.keys(target);
  if (keys.length > 0 && random.next() < 0.4) Reflect.deleteProperty(target, random.pick(keys));
  else target[random.pick(knownKeys)] = hostileValue(random, null);
  return written(value) ?? input;
};

/** Replaces the whole document by a value of the wrong type: every reader's first assumption. */
export const wrongDocument: Mutator = (input, random) =>
  encoder.encode(random.pick(['null', '[]', '{}', '""', '0', '[null]', '[{}]', 'true', '{"manifests":null}', '{"layers":{}}']));

/** The JSON mutators, for targets whose inputs are JSON documents. */
export const jsonMutators: Mutator[] = [replaceValue, replaceValue, touchKey, wrongDocument];
