/**
 * What the browser flows rely on beyond the basic client, against Debian's
 * docker-registry: renewing a bearer token for a worker's blob GET, routing
 * learned once per page (shared `proxiedHosts`), and the referrers tag schema
 * when the referrers API fails the way a CORS-less 404 does in a browser.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fetchManifest,
  listReferrers,
  parseReference,
  RegistryClient,
  type FetchLike,
} from '../../../../src/sources/registry/registry-source';
import { makeOciLayout, pushOciLayout, startRegistry } from '../../../helpers/registry.mjs';

type Registry = Awaited<ReturnType<typeof startRegistry>>;
type Layout = Awaited<ReturnType<typeof makeOciLayout>>;

const signal = new AbortController().signal;
const credentials = { username: 'renewer', password: 'r3new:me' };
let work: string;
let single: Layout;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tarsier-renewal-test-'));
  single = await makeOciLayout(join(work, 'single'), { tag: 'dev' });
  await makeOciLayout(join(work, 'multi'), { tag: 'multi', platforms: ['linux/amd64', 'linux/arm64'] });
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('token registry', () => {
  let registry: Registry;
  beforeAll(async () => {
    registry = await startRegistry({ cors: true, auth: { kind: 'token', ...credentials } });
    await pushOciLayout(`${join(work, 'single')}:dev`, `${registry.host}/team/api:dev`, { credentials });
  });
  afterAll(() => registry.stop());

  it('refreshAuthHeaders fetches a new token that the registry accepts for the blob', async () => {
    const client = new RegistryClient({ fetch, mode: 'direct', credentials });
    const reference = parseReference(`${registry.host}/team/api:dev`);
    await fetchManifest(signal, client, reference, 'dev');
    const before = client.authHeaders(reference.apiHost, reference.repository);
    expect(before.Authorization).toMatch(/^Bearer /);
    const layer = single.images[0]!.layers[0]!;
    const path = `/v2/team/api/blobs/${layer.digest}`;
    const tokenRequests = registry.token!.requests.length;

    const fresh = await client.refreshAuthHeaders(signal, reference.apiHost, reference.repository, path);
    expect(fresh.Authorization).toMatch(/^Bearer /);
    expect(fresh.Authorization).not.toBe(before.Authorization);
    expect(registry.token!.requests.length).toBe(tokenRequests + 1);
    expect(registry.token!.requests.at(-1)).toMatchObject({ account: credentials.username, granted: true });
    const response = await fetch(client.urlFor(reference.apiHost, path), { headers: fresh });
    expect(response.status).toBe(200);
    expect(Number(response.headers.get('content-length'))).toBe(layer.size);
    await response.body?.cancel();
  });

  it('refreshAuthHeaders reports a refusal as an error that asks for a login', async () => {
    const client = new RegistryClient({ fetch, mode: 'direct' });
    await expect(
      client.refreshAuthHeaders(signal, registry.host, 'team/api', '/v2/team/api/manifests/dev'),
    ).rejects.toThrow(/wants a login for team\/api/);
  });
});

describe('anonymous registry', () => {
  let registry: Registry;
  beforeAll(async () => {
    registry = await startRegistry({ cors: true });
    await pushOciLayout(`${join(work, 'single')}:dev`, `${registry.host}/team/api:dev`);
    const fallbackTag = single.images[0]!.manifest.digest.replace(':', '-');
    await pushOciLayout(`${join(work, 'multi')}:multi`, `${registry.host}/team/api:${fallbackTag}`, { all: true });
  });
  afterAll(() => registry.stop());

  it('listReferrers uses the tag schema when the referrers API fails as a network error', async () => {
    const seen: string[] = [];
    const corsLessFetch: FetchLike = (input, init) => {
      seen.push(input);
      // A browser reports distribution 2.8's CORS-less 404 on this route as a TypeError.
      if (input.includes('/referrers/')) return Promise.reject(new TypeError('Failed to fetch'));
      return fetch(input, init);
    };
    const client = new RegistryClient({ fetch: corsLessFetch, mode: 'direct' });
    const locator = parseReference(`${registry.host}/team/api:dev`);
    const referrers = await listReferrers(signal, client, locator, single.images[0]!.manifest.digest);
    expect(referrers.map((descriptor) => descriptor.platform?.architecture)).toEqual(['amd64', 'arm64']);
    expect(seen.some((url) => url.includes('/referrers/'))).toBe(true);
  });

  it('clients that share proxiedHosts go straight to the proxy once one has learned it', async () => {
    const proxyUrl = 'http://proxy.invalid';
    const urls: string[] = [];
    const recordingFetch: FetchLike = (input, init) => {
      urls.push(input);
      if (input.startsWith(proxyUrl)) return fetch(input.replace(`${proxyUrl}/${registry.host}`, registry.url), init);
      return Promise.reject(new TypeError('Failed to fetch'));
    };
    const shared = new Set<string>();
    const options = { fetch: recordingFetch, mode: 'auto' as const, proxyUrl, proxiedHosts: shared };
    const locator = parseReference(`${registry.host}/team/api:dev`);
    await fetchManifest(signal, new RegistryClient(options), locator, 'dev');
    expect(shared.has(registry.host)).toBe(true);
    const direct = urls.filter((url) => url.startsWith(registry.url)).length;
    expect(direct).toBe(1);

    const second = new RegistryClient(options);
    expect(second.urlFor(registry.host, '/v2/')).toBe(`${proxyUrl}/${registry.host}/v2/`);
    await fetchManifest(signal, second, locator, 'dev');
    expect(urls.filter((url) => url.startsWith(registry.url)).length).toBe(direct);

    const separate = new RegistryClient({ ...options, proxiedHosts: undefined });
    expect(separate.urlFor(registry.host, '/v2/')).toBe(`${registry.url}/v2/`);
  });
});
