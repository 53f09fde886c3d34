/**
 * Reading a registry layer again after its token expired (workers/storage/layer-reader.ts
 * storedStream + UrlAuth), against Debian's docker-registry with token auth
 * whose first tokens the registry refuses two seconds after issuing them.
 * The renewal stands in for the page's callback: it asks the token server.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InspectError, InspectErrorCode } from '../../../src/core/errors';
import type { BlobLocation } from '../../../src/core/image/model';
import { UrlAuth } from '../../../src/sources/registry/blob-stream';
import { storedStream } from '../../../workers/storage/layer-reader';
import { makeOciLayout, pushOciLayout, startRegistry } from '../../helpers/registry.mjs';

type Registry = Awaited<ReturnType<typeof startRegistry>>;
type Headers = Record<string, string>;

const credentials = { username: 'reader', password: 're-read:me' };
const repository = 'team/api';
let work: string;
let registry: Registry;
let layer: { digest: string; size: number };
let location: Extract<BlobLocation, { kind: 'url' }>;
/** Headers with a token the registry refuses by now. */
let expired: Headers;

async function bearer(): Promise<Headers> {
  const url = new URL(registry.token!.realm);
  url.searchParams.set('service', 'tarsier-test-registry');
  url.searchParams.set('scope', `repository:${repository}:pull`);
  const basic = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  const response = await fetch(url, { headers: { Authorization: `Basic ${basic}` } });
  const { token } = (await response.json()) as { token: string };
  return { Authorization: `Bearer ${token}` };
}

/** Counts the renewals asked for, each a fresh token from the token server. */
function renewer(): { renew: () => Promise<Headers>; count: () => number } {
  let count = 0;
  return {
    renew: async () => {
      count += 1;
      return bearer();
    },
    count: () => count,
  };
}

async function digestOf(auth?: UrlAuth): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of storedStream(location, auth)!()) hash.update(chunk);
  return `sha256:${hash.digest('hex')}`;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tarsier-reread-test-'));
  const built = await makeOciLayout(join(work, 'layout'), { tag: 'dev' });
  layer = built.images[0]!.layers[0]!;
  registry = await startRegistry({ cors: true, auth: { kind: 'token', ...credentials } });
  await pushOciLayout(`${join(work, 'layout')}:dev`, `${registry.host}/${repository}:dev`, { credentials });
  const path = `/v2/${repository}/blobs/${layer.digest}`;
  registry.token!.setLifetime(2);
  expired = await bearer();
  // Later tokens last the default 300 s: only the first one expires during the tests.
  registry.token!.setLifetime(undefined);
  location = { kind: 'url', url: `${registry.url}${path}`, headers: expired, path };
  await new Promise((resolve) => setTimeout(resolve, 3_200));
  const refused = await fetch(location.url, { headers: expired });
  await refused.body?.cancel();
  expect(refused.status).toBe(401);
});

afterAll(async () => {
  await registry?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('storedStream of a registry layer whose token expired', () => {
  it('renews once on the 401, reads the blob, and keeps the fresh headers for later reads', async () => {
    const { renew, count } = renewer();
    const auth = new UrlAuth(expired, renew);
    expect(await digestOf(auth)).toBe(layer.digest);
    expect(count()).toBe(1);
    expect(auth.headers).not.toBe(expired);
    const tokens = registry.token!.requests.length;
    expect(await digestOf(auth)).toBe(layer.digest);
    expect(count()).toBe(1);
    expect(registry.token!.requests.length).toBe(tokens);
  });

  it('reads that meet the same 401 together share one renewal', async () => {
    const { renew, count } = renewer();
    const auth = new UrlAuth(expired, renew);
    expect(await Promise.all([digestOf(auth), digestOf(auth), digestOf(auth)])).toEqual([layer.digest, layer.digest, layer.digest]);
    expect(count()).toBe(1);
  });

  it('a 401 to the renewed headers too is a refusal that names the layer', async () => {
    let renewals = 0;
    const auth = new UrlAuth(expired, async () => {
      renewals += 1;
      return { Authorization: 'Bearer not-a-token' };
    });
    const error = await digestOf(auth).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InspectError);
    expect(error).toMatchObject({ code: InspectErrorCode.Registry, path: location.path });
    expect((error as Error).message).toBe(
      `${location.path}: the registry refused the layer (401 Unauthorized) even with a renewed token; sign in again and reopen the image`,
    );
    expect(renewals).toBe(1);
  });

  it('a renewal the page refuses keeps its code; without a way to renew, the 401 is reported', async () => {
    const refusing = new UrlAuth(expired, () =>
      Promise.reject({ code: InspectErrorCode.Registry, message: '127.0.0.1 wants a login for team/api', path: null }),
    );
    await expect(digestOf(refusing)).rejects.toMatchObject({
      code: InspectErrorCode.Registry,
      path: location.path,
      message: `${location.path}: the registry token expired and could not be renewed (127.0.0.1 wants a login for team/api)`,
    });
    await expect(digestOf(new UrlAuth(expired, null))).rejects.toThrow(`${location.path}: the registry answered 401`);
    // Without an auth object the location's own headers are sent and never renewed.
    await expect(digestOf()).rejects.toThrow(`${location.path}: the registry answered 401`);
  });
});
