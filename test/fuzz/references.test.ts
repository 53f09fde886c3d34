/**
 * Fuzzes the image reference grammar (src/sources/registry/reference.ts):
 * typed BadReference errors only, linear time (no regex backtracking), and
 * a parsed reference that formats to a text which parses back to itself,
 * in its full and its familiar form.
 */
import { familiarReference, formatReference, manifestIdentifier, parseReference, pinReference } from '../../src/sources/registry/reference';
import { concat, fuzzTest, type FuzzTarget, type Mutator } from './engine';

const encoder = new TextEncoder();
const seeds = [
  'alpine', 'alpine:3.20', 'library/alpine:latest', 'docker.io/library/alpine', 'index.docker.io/library/busybox:1',
  'ghcr.io/org/app@sha256:' + 'a'.repeat(64), 'ghcr.io/org/app:v1.2.3@sha256:' + '0123456789abcdef'.repeat(4),
  'localhost:5000/team/api:dev', '127.0.0.1:5000/a/b/c/d:tag_1', '[::1]:5000/x:y', 'registry.example.com:443/a__b/c-d.e:1.0',
  'quay.io/coreos/etcd:v3.5', 'UPPER/case', 'a' + '-'.repeat(60) + 'b.example.com/x', 'ex.com/a@sha512:' + 'f'.repeat(128),
];

/** Pieces of the grammar, inserted where they can change how a reference splits. */
const grammar = ['/', ':', '@', '.', '-', '_', '__', '[', ']', 'sha256:', 'localhost', 'docker.io/', ' ', '\t', '\u00e9', '%', 'A', '0'];

const insertGrammar: Mutator = (input, random) => {
  const at = random.below(input.length + 1);
  return concat(input.subarray(0, at), encoder.encode(random.pick(grammar).repeat(1 + random.below(3))), input.subarray(at));
};

/** Repeats a slice many times: long components, long hyphen runs (regex backtracking), deep paths. */
const repeatSlice: Mutator = (input, random) => {
  if (input.length === 0) return input;
  const from = random.below(input.length);
  const slice = input.subarray(from, from + 1 + random.below(8));
  const times = 1 + random.below(random.next() < 0.1 ? 5000 : 40);
  const repeated = new Uint8Array(slice.length * times);
  for (let i = 0; i < times; i += 1) repeated.set(slice, i * slice.length);
  return concat(input.subarray(0, from), repeated, input.subarray(from));
};

const target: FuzzTarget = {
  name: 'references',
  iterations: 20_000,
  maxMillisecondsPerInput: 100,
  seeds: () => seeds.map((text) => encoder.encode(text)),
  mutators: [insertGrammar, repeatSlice],
  run(input) {
    const reference = parseReference(new TextDecoder().decode(input));
    for (const text of [formatReference(reference), familiarReference(reference)]) {
      const again = parseReference(text);
      if (JSON.stringify(again) !== JSON.stringify(reference)) {
        throw new Error(`"${text}" parses to ${JSON.stringify(again)}, not ${JSON.stringify(reference)}`);
      }
    }
    const pinned = pinReference(reference, `sha256:${'1'.repeat(64)}`);
    if (manifestIdentifier(pinned) !== pinned.digest) throw new Error('a pinned reference is not fetched by its digest');
  },
};

fuzzTest(target);
