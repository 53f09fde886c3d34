/**
 * Fuzzes what Tarsier parses from registries (src/sources/registry/): tag
 * lists, manifests and indexes (schema2, OCI, schema1 signed), configs,
 * error bodies and `WWW-Authenticate` challenges with their token answers,
 * served by an in-memory registry. Every input is a small JSON scenario
 * `{kind, body, header}` so that the JSON mutators reach into the body.
 */
import { parseChallenge, tokenFromResponse } from '../../src/sources/registry/auth';
import { listTags, RegistryClient, sourceFromRegistry, parseReference } from '../../src/sources/registry/registry-source';
import { MediaTypes } from '../../src/core/image/media-type';
import { fuzzTest, type FuzzTarget } from './engine';
import { jsonMutators } from './json-mutators';
import { documentSeeds, fixtureBytes } from './source-seeds';

type Kind = 'tags' | 'manifest' | 'schema1' | 'challenge' | 'error' | 'config';

interface Scenario {
  kind: Kind;
  body: unknown;
  header: string;
  /** Serve a tag page of this many generated tags instead of `body` (big pages without big inputs). */
  generatedTags?: number;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const signal = new AbortController().signal;
const reference = parseReference('registry.test/team/app:1');

function scenario(input: Uint8Array): Scenario {
  const text = decoder.decode(input);
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && 'kind' in value) {
      const { kind, body, header, generatedTags } = value as Record<string, unknown>;
      const kinds: Kind[] = ['tags', 'manifest', 'schema1', 'challenge', 'error', 'config'];
      const count = typeof generatedTags === 'number' && Number.isSafeInteger(generatedTags) ? generatedTags : 0;
      return {
        kind: kinds.includes(kind as Kind) ? (kind as Kind) : 'manifest',
        body: count > 0 ? { name: 'team/app', tags: Array.from({ length: Math.min(count, 300_000) }, (_, i) => `t${i}`) } : body,
        header: typeof header === 'string' ? header : '',
      };
    }
  } catch {
    // Not a scenario: the bytes are a manifest body as they are.
  }
  return { kind: 'manifest', body: text, header: '' };
}

/** A header value a fetch Response accepts: Latin-1, no control characters. */
function headerValue(text: string): string {
  return text.replace(/[^\x20-\x7e\x80-\xff]/g, '').slice(0, 8192);
}

/**
 * The body as sent. In a schema1 scenario a signature's `protected` header may
 * be a JSON object: it is sent base64url-encoded, as libtrust signs it, so
 * that the mutators reach `formatLength` and `formatTail` inside it.
 */
function bodyText(body: unknown, kind: Kind): string {
  if (typeof body === 'string') return body;
  if (kind === 'schema1' && typeof body === 'object' && body !== null && Array.isArray((body as { signatures?: unknown }).signatures)) {
    const signatures = (body as { signatures: unknown[] }).signatures.map((signature) => {
      if (typeof signature !== 'object' || signature === null) return signature;
      const header = (signature as { protected?: unknown }).protected;
      const encoded = typeof header === 'object' ? Buffer.from(JSON.stringify(header) ?? '').toString('base64url') : header;
      return { ...signature, protected: encoded };
    });
    return JSON.stringify({ ...body, signatures }) ?? '';
  }
  return JSON.stringify(body) ?? '';
}

const config = fixtureBytes('doc-config.json');

/** A registry that answers the scenario's document at the fuzzed path and real documents elsewhere. */
function registryFor(test: Scenario): RegistryClient {
  let challenged = false;
  // A Link back to the same page loops; ten rounds show it is followed without making each input slow.
  let pages = 0;
  const fetch = async (input: string, init?: RequestInit): Promise<Response> => {
    const url = new URL(input);
    const authorized = new Headers(init?.headers).has('Authorization');
    if (test.kind === 'challenge' && url.hostname === 'registry.test' && !authorized && !challenged) {
      challenged = true;
      return new Response(null, { status: 401, headers: { 'WWW-Authenticate': headerValue(test.header) } });
    }
    if (url.hostname !== 'registry.test') {
      return new Response(bodyText(test.body, test.kind), { status: 200, headers: { 'Content-Type': 'application/json' } });
    }
    if (test.kind === 'error') {
      return new Response(bodyText(test.body, test.kind), { status: test.header === '429' ? 429 : 404, headers: { 'Retry-After': headerValue(test.header) } });
    }
    if (url.pathname.includes('/tags/list')) {
      const link = (pages += 1) < 10 ? headerValue(test.header) : '';
      return new Response(bodyText(test.body, test.kind), { status: 200, headers: { 'Content-Type': 'application/json', Link: link } });
    }
    if (url.pathname.includes('/blobs/')) {
      return new Response(test.kind === 'config' ? bodyText(test.body, test.kind) : config, { status: 200 });
    }
    const contentType = test.kind === 'schema1' ? MediaTypes.DockerSchema1Signed : headerValue(test.header) || 'application/json';
    return new Response(bodyText(test.body, test.kind), { status: 200, headers: { 'Content-Type': contentType } });
  };
  return new RegistryClient({ mode: 'direct', fetch });
}

const schema1 = {
  schemaVersion: 1, name: 'team/app', tag: '1', architecture: 'amd64',
  fsLayers: [{ blobSum: `sha256:${'0'.repeat(64)}` }], history: [{ v1Compatibility: '{}' }],
  signatures: [{ header: {}, signature: 'x', protected: { formatLength: 120, formatTail: 'Cn0', time: '2017-01-01T00:00:00Z' } }],
};

function seeds(): Uint8Array[] {
  const documents = documentSeeds().map((bytes) => JSON.parse(decoder.decode(bytes)) as unknown);
  const scenarios: Scenario[] = [
    { kind: 'tags', body: { name: 'team/app', tags: ['1', '2', 'latest'] }, header: '</v2/team/app/tags/list?n=2&last=2>; rel="next"' },
    { kind: 'tags', body: { name: 'team/app', tags: null }, header: '' },
    { kind: 'schema1', body: schema1, header: '' },
    { kind: 'challenge', body: { token: 'abc', expires_in: 300 }, header: 'Bearer realm="https://auth.test/token",service="registry.test",scope="repository:team/app:pull"' },
    { kind: 'challenge', body: { access_token: 'abc' }, header: 'Basic realm="registry"' },
    { kind: 'error', body: { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: {} }] }, header: '429' },
    { kind: 'config', body: JSON.parse(decoder.decode(config)) as unknown, header: MediaTypes.OciManifest },
    ...documents.map((body): Scenario => ({ kind: 'manifest', body, header: '' })),
    // A page larger than `push(...tags)` can take (it overflowed the stack): see `generatedTags`.
    { kind: 'tags', body: { name: 'team/app', tags: [] }, header: '', generatedTags: 200_000 },
  ];
  return scenarios.map((item) => encoder.encode(JSON.stringify(item)));
}

const target: FuzzTarget = {
  name: 'registry-responses',
  iterations: 6_000,
  maxMillisecondsPerInput: 3000,
  seeds,
  mutators: jsonMutators,
  async run(input) {
    const test = scenario(input);
    if (test.kind === 'challenge') {
      parseChallenge(headerValue(test.header));
      tokenFromResponse(test.body);
    }
    const client = registryFor(test);
    if (test.kind === 'tags') {
      await listTags(signal, client, reference, 2);
      return;
    }
    const source = await sourceFromRegistry(client, reference, { signal, maxImages: 4 });
    const problems = [...source.errors, ...source.images.flatMap((image) => image.errors)];
    const internal = problems.find((problem) => problem.code === 'internal');
    if (internal) throw new Error(`internal error in the model: ${internal.message}`);
  },
};

fuzzTest(target);
