/**
 * The registry source against a real registry (Debian's docker-registry,
 * distribution 2.8) holding images pushed by skopeo from OCI layouts built
 * with GNU tar + gzip: anonymous, htpasswd (Basic) and token (Bearer) auth.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InspectError } from '../../../../src/core/errors';
import {
  fetchManifest,
  listReferrers,
  listTags,
  parseReference,
  RegistryClient,
  sourceFromRegistry,
  type FetchLike,
} from '../../../../src/sources/registry/registry-source';
import { parseChallenge } from '../../../../src/sources/registry/auth';
import { makeOciLayout, pushOciLayout, startRegistry } from '../../../helpers/registry.mjs';

type Registry = Awaited<ReturnType<typeof startRegistry>>;
type Layout = Awaited<ReturnType<typeof makeOciLayout>>;

const signal = new AbortController().signal;
const credentials = { username: 'tester', password: 's3cret:pass' };
let work: string;
let single: Layout;
let multi: Layout;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tarsier-registry-test-'));
  single = await makeOciLayout(join(work, 'single'), { tag: 'dev' });
  multi = await makeOciLayout(join(work, 'multi'), {
    tag: 'multi',
    platforms: ['linux/amd64', 'linux/arm64/v8'],
  });
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function sha256Of(url: string, headers: Record<string, string>): Promise<string> {
  const response = await fetch(url, { headers });
  expect(response.status).toBe(200);
  return `sha256:${createHash('sha256')
    .update(new Uint8Array(await response.arrayBuffer()))
    .digest('hex')}`;
}

async function thrown(promise: Promise<unknown>): Promise<InspectError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InspectError);
  return error as InspectError;
}

describe('anonymous registry', () => {
  let registry: Registry;
  beforeAll(async () => {
    registry = await startRegistry({ cors: true });
    await pushOciLayout(`${join(work, 'single')}:dev`, `${registry.host}/team/api:dev`);
    await pushOciLayout(`${join(work, 'multi')}:multi`, `${registry.host}/team/api:multi`, {
      all: true,
    });
    await pushOciLayout(`${join(work, 'single')}:dev`, `${registry.host}/team/api:v2`);
    // Referrers tag schema: an index tagged sha256-<hex> lists what refers to that manifest.
    const target = single.images[0]!.manifest.digest.replace(':', '-');
    await pushOciLayout(`${join(work, 'multi')}:multi`, `${registry.host}/team/api:${target}`, {
      all: true,
    });
  });
  afterAll(() => registry.stop());

  it('builds the model of a single-platform image, with verified digests', async () => {
    const client = new RegistryClient({ fetch, mode: 'direct' });
    const reference = parseReference(`${registry.host}/team/api:dev`);
    const source = await sourceFromRegistry(client, reference);
    const made = single.images[0]!;
    expect(source.kind).toBe('registry');
    expect(source.errors).toEqual([]);
    expect(source.images).toHaveLength(1);
    const image = source.images[0]!;
    expect(image.manifestDigest).toBe(made.manifest.digest);
    expect(image.manifestVerified).toBe('ok');
    expect(image.configDigest).toBe(made.config.digest);
    expect(image.configVerified).toBe('ok');
    expect(image.platform).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(image.refs).toEqual([
      `${registry.host}/team/api:dev`,
      `${registry.host}/team/api:dev@${made.manifest.digest}`,
    ]);
    expect(image.config?.history).toHaveLength(2);
    expect(image.layers.map((layer) => layer.digest)).toEqual(
      made.layers.map((layer) => layer.digest),
    );
    expect(image.layers.map((layer) => layer.expectedDiffId)).toEqual(made.diffIds);
    expect(source.documents.map((document) => document.role).sort()).toEqual([
      'config',
      'manifest',
    ]);
    for (const layer of image.layers) {
      expect(layer.location).toMatchObject({ kind: 'url', headers: {} });
      if (layer.location?.kind !== 'url') throw new Error('url location expected');
      expect(layer.location.url).toBe(`http://${registry.host}/v2/team/api/blobs/${layer.digest}`);
      expect(await sha256Of(layer.location.url, layer.location.headers)).toBe(layer.digest);
    }
    expect(structuredClone(source)).toEqual(source);
  });

  it('reads every image of a multi-platform index, in index order', async () => {
    const client = new RegistryClient({ fetch, mode: 'direct' });
    const source = await sourceFromRegistry(
      client,
      parseReference(`${registry.host}/team/api:multi`),
    );
    expect(source.errors).toEqual([]);
    expect(source.indexes).toHaveLength(1);
    const index = source.indexes[0]!;
    expect(index.digest).toBe(multi.index!.digest);
    expect(index.manifests.map((entry) => [entry.kind, entry.present, entry.imageId])).toEqual(
      multi.images.map((image) => ['image', true, image.manifest.digest]),
    );
    expect(source.images.map((image) => image.platform)).toEqual([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ]);
    expect(
      source.images.every(
        (image) => image.configVerified === 'ok' && image.manifestVerified === 'ok',
      ),
    ).toBe(true);
    expect(source.images[1]!.refs[1]).toBe(
      `${registry.host}/team/api:multi@${multi.index!.digest}`,
    );
  });

  it('opens the images of an index listed inside an index (pushed by digest through the distribution API)', async () => {
    const top = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: single.images[0]!.manifest.digest, size: single.images[0]!.manifest.size, platform: { os: 'linux', architecture: 'amd64' } },
        { mediaType: 'application/vnd.oci.image.index.v1+json', digest: multi.index!.digest, size: multi.index!.size },
      ],
    };
    const body = JSON.stringify(top);
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    // Pushed by digest: no tag, so the tag listings of the other tests stay as they are.
    const put = await fetch(`http://${registry.host}/v2/team/api/manifests/${digest}`, {
      method: 'PUT',
      headers: { 'Content-Type': top.mediaType },
      body,
    });
    expect(put.status).toBe(201);
    const source = await sourceFromRegistry(new RegistryClient({ fetch, mode: 'direct' }), parseReference(`${registry.host}/team/api@${digest}`));
    expect(source.errors).toEqual([]);
    expect(source.indexes.map((index) => index.digest)).toEqual([digest, multi.index!.digest]);
    expect(source.indexes[0]!.manifests.map((entry) => [entry.kind, entry.present])).toEqual([['image', true], ['index', true]]);
    expect(source.images.map((image) => image.manifestDigest)).toEqual([
      single.images[0]!.manifest.digest,
      ...multi.images.map((image) => image.manifest.digest),
    ]);
    expect(source.images.every((image) => image.manifestVerified === 'ok' && image.configVerified === 'ok')).toBe(true);
    expect(source.notes.some((note) => /nested/i.test(note))).toBe(false);
  });

  it('fetches the wanted platform first when the number of images is capped', async () => {
    const client = new RegistryClient({ fetch, mode: 'direct' });
    const reference = parseReference(`${registry.host}/team/api:multi`);
    const source = await sourceFromRegistry(client, reference, {
      platform: 'linux/arm64',
      maxImages: 1,
    });
    expect(source.images.map((image) => image.platform?.architecture)).toEqual(['arm64']);
    expect(source.indexes[0]!.manifests.map((entry) => entry.present)).toEqual([false, true]);
    expect(source.notes.join(' ')).toMatch(/lists 2 images; the first 1 were read/);
  });

  it('pins by digest and reports a digest that does not match the bytes', async () => {
    const digest = single.images[0]!.manifest.digest;
    const client = new RegistryClient({ fetch, mode: 'direct' });
    const pinned = await fetchManifest(
      signal,
      client,
      parseReference(`${registry.host}/team/api@${digest}`),
      digest,
    );
    expect(pinned.verified).toBe('ok');
    // A registry (or a man in the middle) that serves other bytes under a digest.
    const lying: FetchLike = async (input, init) => {
      const response = await fetch(input, init);
      const headers = new Headers(response.headers);
      headers.set('Docker-Content-Digest', `sha256:${'0'.repeat(64)}`);
      return new Response(await response.arrayBuffer(), { status: response.status, headers });
    };
    const source = await sourceFromRegistry(
      new RegistryClient({ fetch: lying, mode: 'direct' }),
      parseReference(`${registry.host}/team/api:dev`),
    );
    expect(source.images[0]!.manifestVerified).toBe('mismatch');
    expect(source.images[0]!.errors[0]!.message).toContain(`is ${digest}, not sha256:000`);
  });

  it('stops with the AbortError itself when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const client = new RegistryClient({ fetch, mode: 'direct' });
    const reference = parseReference(`${registry.host}/team/api:multi`);
    const error = await sourceFromRegistry(client, reference, { signal: controller.signal }).catch(
      (caught: unknown) => caught,
    );
    expect((error as Error).name).toBe('AbortError');
  });

  it('says what is missing on 404', async () => {
    const client = new RegistryClient({ fetch, mode: 'direct' });
    const error = await thrown(
      sourceFromRegistry(client, parseReference(`${registry.host}/team/api:nope`)),
    );
    expect(error.code).toBe('registry');
    expect(error.message).toMatch(/has no manifest team\/api:nope \(MANIFEST_UNKNOWN/);
    const missingRepo = await thrown(
      sourceFromRegistry(client, parseReference(`${registry.host}/nobody/here`)),
    );
    expect(missingRepo.message).toMatch(/NAME_UNKNOWN|MANIFEST_UNKNOWN/);
  });

  it('lists tags across Link pages', async () => {
    const client = new RegistryClient({ fetch, mode: 'direct' });
    const locator = parseReference(`${registry.host}/team/api`);
    const all = await listTags(signal, client, locator);
    const paged = await listTags(signal, client, locator, 1);
    expect(all).toHaveLength(4);
    expect(paged).toEqual(all);
    expect(all).toEqual(expect.arrayContaining(['dev', 'multi', 'v2']));
  });

  it('finds referrers through the sha256-<hex> tag when the registry lacks the API', async () => {
    const client = new RegistryClient({ fetch, mode: 'direct' });
    const locator = parseReference(`${registry.host}/team/api`);
    const referrers = await listReferrers(
      signal,
      client,
      locator,
      single.images[0]!.manifest.digest,
    );
    expect(referrers.map((descriptor) => descriptor.digest)).toEqual(
      multi.images.map((image) => image.manifest.digest),
    );
    expect(await listReferrers(signal, client, locator, multi.index!.digest)).toEqual([]);
  });
});

describe('htpasswd (Basic) registry', () => {
  let registry: Registry;
  beforeAll(async () => {
    registry = await startRegistry({ cors: true, auth: { kind: 'htpasswd', ...credentials } });
    await pushOciLayout(`${join(work, 'single')}:dev`, `${registry.host}/private/app:1`, {
      credentials,
    });
  });
  afterAll(() => registry.stop());

  it('asks for credentials, then uses them, and keeps them out of URLs, documents and errors', async () => {
    const reference = parseReference(`${registry.host}/private/app:1`);
    const anonymous = await thrown(
      sourceFromRegistry(new RegistryClient({ fetch, mode: 'direct' }), reference),
    );
    expect(anonymous.message).toMatch(/asks for a username and password/);

    const client = new RegistryClient({ fetch, mode: 'direct', credentials });
    const source = await sourceFromRegistry(client, reference);
    const image = source.images[0]!;
    expect(image.configVerified).toBe('ok');
    const location = image.layers[0]!.location;
    if (location?.kind !== 'url') throw new Error('url location expected');
    expect(location.headers.Authorization).toMatch(/^Basic /);
    expect(await sha256Of(location.url, location.headers)).toBe(image.layers[0]!.digest);
    const visible = JSON.stringify({
      ...source,
      images: source.images.map((i) => ({
        ...i,
        layers: i.layers.map((l) => (l.location?.kind === 'url' ? l.location.url : null)),
      })),
    });
    expect(visible).not.toContain(credentials.password);
    expect(visible).not.toContain(
      Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64'),
    );

    const wrong = await thrown(
      sourceFromRegistry(
        new RegistryClient({
          fetch,
          mode: 'direct',
          credentials: { ...credentials, password: 'nope' },
        }),
        reference,
      ),
    );
    expect(wrong.message).toMatch(/rejected the username or password/);
    expect(wrong.message).not.toContain('nope');
  });
});

describe('token (Bearer) registry', () => {
  let registry: Registry;
  beforeAll(async () => {
    registry = await startRegistry({
      cors: true,
      auth: { kind: 'token', ...credentials, anonymousPull: true },
    });
    await pushOciLayout(`${join(work, 'multi')}:multi`, `${registry.host}/org/tool:2`, {
      credentials,
      all: true,
    });
  });
  afterAll(() => registry.stop());

  it('fetches one anonymous pull token per scope and hands it to the layer URLs', async () => {
    const before = registry.token!.requests.length;
    const client = new RegistryClient({ fetch, mode: 'direct' });
    const source = await sourceFromRegistry(client, parseReference(`${registry.host}/org/tool:2`));
    expect(source.errors).toEqual([]);
    expect(source.images).toHaveLength(2);
    const requests = registry.token!.requests.slice(before);
    expect(requests).toEqual([
      { scopes: ['repository:org/tool:pull'], account: null, granted: true, path: '/token', issuedAt: expect.any(Number) },
    ]);
    const layer = source.images[1]!.layers[1]!;
    if (layer.location?.kind !== 'url') throw new Error('url location expected');
    expect(layer.location.headers.Authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(await sha256Of(layer.location.url, layer.location.headers)).toBe(layer.digest);
  });

  it('sends Basic credentials to the token service only', async () => {
    const seen: Array<{ url: string; authorization: string | null }> = [];
    const spying: FetchLike = (input, init) => {
      seen.push({ url: input, authorization: new Headers(init?.headers).get('Authorization') });
      return fetch(input, init);
    };
    const client = new RegistryClient({ fetch: spying, mode: 'direct', credentials });
    await sourceFromRegistry(client, parseReference(`${registry.host}/org/tool:2`));
    const basic = seen.filter((request) => request.authorization?.startsWith('Basic '));
    expect(basic.map((request) => new URL(request.url).pathname)).toEqual(['/token']);
    expect(registry.token!.requests.at(-1)).toMatchObject({ account: credentials.username });
    const wrong = new RegistryClient({
      fetch,
      mode: 'direct',
      credentials: { ...credentials, password: 'bad' },
    });
    const error = await thrown(
      sourceFromRegistry(wrong, parseReference(`${registry.host}/org/tool:2`)),
    );
    expect(error.message).toMatch(/token service of .* rejected the username or password/);
  });
});

describe('Docker schema1 manifests', () => {
  // A libtrust-signed schema1 manifest: the digest covers the payload without
  // the signatures, which the protected header's formatLength/formatTail restore.
  const payload = JSON.stringify(
    {
      schemaVersion: 1,
      name: 'old/app',
      tag: '1',
      architecture: 'amd64',
      fsLayers: [{ blobSum: `sha256:${'b'.repeat(64)}` }, { blobSum: `sha256:${'a'.repeat(64)}` }],
      history: [{ v1Compatibility: '{}' }, { v1Compatibility: '{}' }],
    },
    null,
    3,
  );
  const formatLength = payload.lastIndexOf('\n}');
  const tail = payload.slice(formatLength);
  const protectedHeader = Buffer.from(
    JSON.stringify({
      formatLength,
      formatTail: Buffer.from(tail).toString('base64url'),
      time: '2017-01-01T00:00:00Z',
    }),
  ).toString('base64url');
  const signed = `${payload.slice(0, formatLength)},\n   "signatures": [{"header": {"alg": "ES256"}, "signature": "c2ln", "protected": "${protectedHeader}"}]${tail}`;
  const payloadDigest = `sha256:${createHash('sha256').update(payload).digest('hex')}`;

  it('verifies the payload digest and lays out fsLayers oldest first, with a note', async () => {
    const serve: FetchLike = async () =>
      new Response(signed, {
        headers: {
          'Content-Type': 'application/vnd.docker.distribution.manifest.v1+prettyjws',
          'Docker-Content-Digest': payloadDigest,
        },
      });
    const client = new RegistryClient({ fetch: serve, mode: 'direct' });
    const source = await sourceFromRegistry(
      client,
      parseReference('registry.example.com/old/app:1'),
    );
    const image = source.images[0]!;
    expect(image.manifestDigest).toBe(payloadDigest);
    expect(image.manifestVerified).toBe('ok');
    expect(image.notes.join(' ')).toMatch(/schema1 manifest: deprecated/);
    expect(image.config).toBeNull();
    expect(image.platform).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(image.layers.map((layer) => layer.digest)).toEqual([
      `sha256:${'a'.repeat(64)}`,
      `sha256:${'b'.repeat(64)}`,
    ]);
    expect(image.layers[0]!.location).toMatchObject({
      kind: 'url',
      url: `https://registry.example.com/v2/old/app/blobs/sha256:${'a'.repeat(64)}`,
    });
    const tampered: FetchLike = async () =>
      new Response(signed.replace('"amd64"', '"arm64"'), {
        headers: {
          'Content-Type': 'application/vnd.docker.distribution.manifest.v1+prettyjws',
          'Docker-Content-Digest': payloadDigest,
        },
      });
    const bad = await sourceFromRegistry(
      new RegistryClient({ fetch: tampered, mode: 'direct' }),
      parseReference('registry.example.com/old/app:1'),
    );
    expect(bad.images[0]!.manifestVerified).toBe('mismatch');
  });
});

describe('errors that tell what to do', () => {
  const reference = parseReference('registry.example.com/team/app:1');
  const refused: FetchLike = () => Promise.reject(new TypeError('Failed to fetch'));

  it('suggests the proxy when a registry refuses CORS', async () => {
    const error = await thrown(
      sourceFromRegistry(new RegistryClient({ fetch: refused, mode: 'direct' }), reference),
    );
    expect(error.code).toBe('network');
    expect(error.message).toMatch(
      /registry.example.com refused the request \(CORS\).*Set a Registry proxy/,
    );
  });

  it('says how to start the proxy when the proxy is down', async () => {
    const client = new RegistryClient({
      fetch: refused,
      mode: 'auto',
      proxyUrl: 'http://127.0.0.1:9',
    });
    const error = await thrown(sourceFromRegistry(client, reference));
    expect(error.message).toMatch(
      /Registry proxy at http:\/\/127.0.0.1:9 did not answer.*npm run proxy/,
    );
  });

  it('gives the Retry-After of a rate limit', async () => {
    const limited: FetchLike = async () =>
      new Response('{"errors":[{"code":"TOOMANYREQUESTS","message":"pull rate limit"}]}', {
        status: 429,
        headers: { 'Retry-After': '7' },
      });
    const error = await thrown(
      sourceFromRegistry(new RegistryClient({ fetch: limited, mode: 'direct' }), reference),
    );
    expect(error.message).toBe(
      'registry.example.com is rate-limiting requests (429) (TOOMANYREQUESTS: pull rate limit). Try again in 7 seconds.',
    );
  });

  it('does not send a password to a token service over plain http', async () => {
    const requested: string[] = [];
    const challenging: FetchLike = async (input) => {
      requested.push(input);
      return new Response('', {
        status: 401,
        headers: { 'WWW-Authenticate': 'Bearer realm="http://auth.example.com/token",service="x"' },
      });
    };
    const client = new RegistryClient({ fetch: challenging, mode: 'direct', credentials });
    const error = await thrown(sourceFromRegistry(client, reference));
    expect(error.message).toMatch(
      /token service over plain http \(auth.example.com\); the password is not sent/,
    );
    expect(requested).toEqual(['https://registry.example.com/v2/team/app/manifests/1']);
  });

  it('lists index entries that cannot be fetched with their error, and never puts a hostile digest in a URL', async () => {
    const good = `sha256:${'c'.repeat(64)}`;
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: '../../../admin',
          size: 2,
          platform: { os: 'linux', architecture: 'amd64' },
        },
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: good,
          size: 2,
          platform: { os: 'linux', architecture: 'arm64' },
        },
      ],
    });
    const requested: string[] = [];
    const serve: FetchLike = async (input) => {
      requested.push(input);
      if (input.endsWith('/manifests/1')) {
        return new Response(index, {
          headers: { 'Content-Type': 'application/vnd.oci.image.index.v1+json' },
        });
      }
      return new Response('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}', {
        status: 404,
      });
    };
    const source = await sourceFromRegistry(
      new RegistryClient({ fetch: serve, mode: 'direct' }),
      reference,
    );
    expect(source.images).toEqual([]);
    expect(source.indexes[0]!.manifests.map((entry) => entry.present)).toEqual([false, false]);
    expect(source.errors.map((error) => error.message)).toEqual([
      '/v2/team/app/manifests/../../../admin: "../../../admin" is neither a digest nor a tag; not fetched.',
      `registry.example.com has no manifest team/app@${good} (MANIFEST_UNKNOWN: manifest unknown). Check the repository name, tag or digest.`,
    ]);
    expect(requested.some((url) => url.includes('..'))).toBe(false);
  });

  it('parses challenges with quoted commas', () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull,push"',
      ),
    ).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.docker.io/token',
        service: 'registry.docker.io',
        scope: 'repository:a/b:pull,push',
      },
    });
    expect(parseChallenge('Basic realm="x"')).toEqual({ scheme: 'basic', params: { realm: 'x' } });
    expect(parseChallenge(null)).toBeNull();
  });
});
