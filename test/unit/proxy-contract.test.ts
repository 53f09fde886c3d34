/**
 * One table of proxy tests, run against every recipe as its own process: the
 * Node reference proxy (`npm run proxy`), the Cloudflare Worker under workerd
 * and proxy/nginx.conf under Debian's nginx (test/helpers/proxy-recipes.mjs).
 * Allowlist, path rules, methods, CORS, header hygiene both ways, redirects,
 * token realms, Range and HEAD, logs, streaming memory, cancellation, and the
 * registry client against a real docker-registry with token auth. Where a
 * recipe cannot do what the others do, the table says so in `differs`, and
 * proxy/README.md says it too.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listen, rawRequest } from '../helpers/recording-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseReference,
  RegistryClient,
  sourceFromRegistry,
} from '../../src/sources/registry/registry-source';
import { proxyRecipes, startProxyRecipe } from '../helpers/proxy-recipes.mjs';
import { makeOciLayout, pushOciLayout, startRegistry } from '../helpers/registry.mjs';

type Recipe = 'node' | 'workerd' | 'nginx';


const kib = (text: string, field: string) =>
  Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(text)![1]);

let storage: Awaited<ReturnType<typeof listen>>;
let token: Awaited<ReturnType<typeof listen>>;
let upstream: Awaited<ReturnType<typeof listen>>;
/** Resolvers waiting for the next endless blob response to be closed by the proxy. */
const endlessClosed: Array<() => void> = [];
const bigBlob = 1024 ** 3;
const chunk = Buffer.alloc(1024 * 1024, 0x61);

beforeAll(async () => {
  storage = await listen((request, response) => {
    if (request.url === '/hop') {
      response.writeHead(307, { Location: `http://${storage.host}/bucket/object` });
      response.end();
    } else if (request.url === '/loop') {
      response.writeHead(302, { Location: `http://${storage.host}/loop` });
      response.end();
    } else {
      response.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Set-Cookie': 'tracker=1' });
      response.end('blob-bytes');
    }
  });
  token = await listen((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'application/json', 'Set-Cookie': 'sid=1' });
    response.end('{"token":"t0k3n"}');
  });
  upstream = await listen((request, response) => {
    const path = request.url ?? '';
    const redirects: Record<string, string> = {
      '/v2/team/app/blobs/sha256:redirected': `http://${storage.host}/bucket/object?signature=abc`,
      '/v2/team/app/blobs/sha256:same-host': '/v2/team/app/blobs/sha256:final',
      '/v2/team/app/blobs/sha256:two-hops': `http://${storage.host}/hop`,
      '/v2/team/app/blobs/sha256:loop': `http://${storage.host}/loop`,
    };
    if (redirects[path]) {
      response.writeHead(path.endsWith('same-host') ? 302 : 307, { Location: redirects[path] });
      response.end();
    } else if (path === '/v2/team/app/manifests/private') {
      response.writeHead(401, {
        'Content-Type': 'application/json',
        'WWW-Authenticate': `Bearer realm="http://${token.host}/token",service="fake",scope="repository:team/app:pull"`,
      });
      response.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    } else if (path === '/v2/team/app/blobs/sha256:ranged') {
      const body = Buffer.from('0123456789');
      const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
      const start = range ? Number(range[1]) : 0;
      response.writeHead(range ? 206 : 200, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(body.length - start),
        'Docker-Content-Digest': 'sha256:ranged',
        ...(range ? { 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
      });
      response.end(request.method === 'HEAD' ? undefined : body.subarray(start));
    } else if (path === '/v2/x/blobs/sha256:big') {
      response.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bigBlob) });
      let sent = 0;
      const pump = () => {
        while (sent < bigBlob) {
          sent += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
        response.end();
      };
      pump();
    } else if (path === '/v2/x/blobs/sha256:endless') {
      response.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      const timer = setInterval(() => response.write(Buffer.alloc(64 * 1024)), 5);
      response.on('close', () => {
        clearInterval(timer);
        endlessClosed.shift()?.();
      });
    } else {
      response.writeHead(200, {
        'Content-Type': 'application/json',
        'Docker-Content-Digest': 'sha256:abc',
        'Set-Cookie': 'session=secret',
        'Access-Control-Allow-Origin': 'https://only.example',
        'Access-Control-Allow-Credentials': 'true',
        'Proxy-Authenticate': 'Basic realm="upstream"',
        Connection: 'close',
      });
      response.end(JSON.stringify({ path }));
    }
  });
});

afterAll(async () => {
  await Promise.all([storage.close(), token.close(), upstream.close()]);
});

describe.each(proxyRecipes as Recipe[])('the %s proxy recipe', (recipe) => {
  let proxy: Awaited<ReturnType<typeof startProxyRecipe>>;
  const request = (path: string, method = 'GET', headers: Record<string, string> = {}) =>
    rawRequest(proxy.port, path, method, headers);

  beforeAll(async () => {
    proxy = await startProxyRecipe(recipe, {
      allow: [upstream.host, '127.0.0.1:9'],
      realms: [`${token.host}/token`],
    });
  });

  afterAll(async () => {
    await proxy?.close();
  });

  it.each([
    ['a host not on the allowlist', () => '/evil.example.com/v2/', 'not-allowed'],
    ['localhost without being allowed', () => '/localhost:5999/v2/', 'not-allowed'],
    ['a path outside /v2/', () => `/${upstream.host}/admin`, 'not-allowed'],
    ['a path that climbs out with ..', () => `/${upstream.host}/v2/../admin`, 'bad-path'],
    ['a . segment', () => `/${upstream.host}/v2/./team/app/manifests/1`, 'bad-path'],
    ['an encoded ..', () => `/${upstream.host}/v2/%2e%2e/admin`, 'bad-path'],
    ['a half-encoded ..', () => `/${upstream.host}/v2/.%2E/admin`, 'bad-path'],
    ['an encoded slash', () => `/${upstream.host}/v2%2f..%2fadmin`, 'bad-path'],
    ['an encoded backslash', () => `/${upstream.host}/v2/%5c/admin`, 'bad-path'],
    ['an empty segment', () => `/${upstream.host}//v2/`, 'bad-path'],
    ['a bare host', () => `/${upstream.host}`, 'bad-path'],
    // workerd hands the Worker only the path of an absolute URL (`/v2/`), which names no allowed registry.
    ['an absolute URL', () => `http://${upstream.host}/v2/`, recipe === 'workerd' ? 'not-allowed' : 'bad-path'],
    ['an upper-case host', () => `/${upstream.host.toUpperCase()}X/v2/`, 'bad-path'],
  ])('refuses %s with 403, without asking upstream', async (_name, path, kind) => {
    const before = upstream.seen.length;
    const answer = await request(path());
    expect([answer.status, answer.headers['x-registry-proxy-error']]).toEqual([403, kind]);
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    expect(JSON.parse(answer.body).errors[0].code).toBe('DENIED');
    expect(upstream.seen.length).toBe(before);
  });

  it('answers preflight requests, for any path', async () => {
    const answer = await request(`/${upstream.host}/v2/team/app/manifests/1`, 'OPTIONS', {
      Origin: 'http://app.example',
      'Access-Control-Request-Method': 'GET',
      'Access-Control-Request-Headers': 'authorization, accept, range',
    });
    expect(answer.status).toBe(204);
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    expect(answer.headers['access-control-allow-headers']).toBe('Authorization, Accept, Range');
    expect(answer.headers['access-control-allow-methods']).toBe('GET, HEAD, OPTIONS');
    expect(answer.headers['access-control-max-age']).toBe('600');
  });

  it.each(['POST', 'PUT', 'DELETE', 'PATCH'])('refuses %s with 405', async (method) => {
    const before = upstream.seen.length;
    const answer = await request(`/${upstream.host}/v2/team/app/blobs/uploads/`, method);
    expect([answer.status, answer.headers['x-registry-proxy-error']]).toEqual([405, 'method']);
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    expect(upstream.seen.length).toBe(before);
  });

  it('forwards /v2/ with its query and CORS headers; only the registry headers go upstream, no cookies or upstream CORS come back', async () => {
    const answer = await request(`/${upstream.host}/v2/team/app/manifests/1?n=1&last=a%2Fb`, 'GET', {
      Authorization: 'Bearer abc',
      Cookie: 'mine=1',
      Origin: 'http://app.example',
      Referer: 'http://app.example/page',
      'X-Forwarded-For': '10.1.2.3',
      'If-None-Match': '"etag"',
      Accept: 'application/vnd.oci.image.manifest.v1+json',
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ path: '/v2/team/app/manifests/1?n=1&last=a%2Fb' });
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
    expect(answer.headers['access-control-expose-headers']).toBe(
      'Docker-Content-Digest, WWW-Authenticate, Link, Content-Length, Content-Range, Location, Docker-Distribution-API-Version, Retry-After, X-Registry-Proxy-Error',
    );
    expect(answer.headers['docker-content-digest']).toBe('sha256:abc');
    expect(answer.headers['set-cookie']).toBeUndefined();
    expect(answer.headers['proxy-authenticate']).toBeUndefined();
    expect(answer.headers['x-registry-proxy-error']).toBeUndefined();
    const received = upstream.seen.at(-1)!.headers;
    expect(received.authorization).toBe('Bearer abc');
    expect(received.accept).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(received['if-none-match']).toBe('"etag"');
    expect(received.host).toBe(upstream.host);
    for (const name of ['cookie', 'origin', 'referer', 'x-forwarded-for', 'x-real-ip', 'forwarded']) {
      expect(received[name], name).toBeUndefined();
    }
  });

  it('passes Range and HEAD through: 206 with Content-Range, and a HEAD with the digest and no body', async () => {
    const ranged = await request(`/${upstream.host}/v2/team/app/blobs/sha256:ranged`, 'GET', { Range: 'bytes=4-' });
    expect([ranged.status, ranged.body, ranged.headers['content-range']]).toEqual([206, '456789', 'bytes 4-9/10']);
    const head = await request(`/${upstream.host}/v2/team/app/blobs/sha256:ranged`, 'HEAD');
    expect([head.status, head.body, head.headers['docker-content-digest'], head.headers['content-length']]).toEqual([
      200,
      '',
      'sha256:ranged',
      '10',
    ]);
  });

  it('follows a blob redirect itself, without Authorization to the storage host', async () => {
    const answer = await request(`/${upstream.host}/v2/team/app/blobs/sha256:redirected`, 'GET', {
      Authorization: 'Bearer abc',
    });
    expect([answer.status, answer.body]).toEqual([200, 'blob-bytes']);
    expect(answer.headers['set-cookie']).toBeUndefined();
    expect(answer.headers.location).toBeUndefined();
    expect(upstream.seen.at(-1)!.headers.authorization).toBe('Bearer abc');
    expect(storage.seen.at(-1)!.path).toBe('/bucket/object?signature=abc');
    expect(storage.seen.at(-1)!.headers.authorization).toBeUndefined();
    expect(storage.seen.at(-1)!.headers.host).toBe(storage.host);
  });

  it('keeps Authorization on a redirect to the same host', async () => {
    const answer = await request(`/${upstream.host}/v2/team/app/blobs/sha256:same-host`, 'GET', {
      Authorization: 'Bearer abc',
    });
    expect(JSON.parse(answer.body)).toEqual({ path: '/v2/team/app/blobs/sha256:final' });
    expect(upstream.seen.at(-1)!.headers.authorization).toBe('Bearer abc');
  });

  it('follows a second redirect (node, workerd: up to 5); nginx follows one and refuses the second', async () => {
    const answer = await request(`/${upstream.host}/v2/team/app/blobs/sha256:two-hops`);
    if (recipe === 'nginx') expect([answer.status, answer.headers['x-registry-proxy-error']]).toEqual([502, 'bad-redirect']);
    else expect([answer.status, answer.body]).toEqual([200, 'blob-bytes']);
  });

  it('refuses an endless chain of redirects with 502 bad-redirect', async () => {
    const answer = await request(`/${upstream.host}/v2/team/app/blobs/sha256:loop`);
    expect([answer.status, answer.headers['x-registry-proxy-error']]).toEqual([502, 'bad-redirect']);
    expect(answer.headers['access-control-allow-origin']).toBe('*');
  });

  it('rewrites the realm of a challenge to go through the proxy, and forwards that token realm only', async () => {
    const realmPath = `/${token.host}/token?service=fake&scope=repository:team/app:pull`;
    // node and workerd learn the realm from the challenge; nginx is told it in its config.
    const before = await request(realmPath);
    expect(before.status).toBe(recipe === 'nginx' ? 200 : 403);
    const challenged = await request(`/${upstream.host}/v2/team/app/manifests/private`);
    expect(challenged.status).toBe(401);
    expect(challenged.headers['www-authenticate']).toBe(
      `Bearer realm="${proxy.url}/${token.host}/token",service="fake",scope="repository:team/app:pull"`,
    );
    const granted = await request(realmPath, 'GET', { Authorization: 'Basic dTpw' });
    expect([granted.status, JSON.parse(granted.body)]).toEqual([200, { token: 't0k3n' }]);
    expect(granted.headers['set-cookie']).toBeUndefined();
    expect(token.seen.at(-1)!.headers.authorization).toBe('Basic dTpw');
    expect(token.seen.at(-1)!.path).toBe('/token?service=fake&scope=repository:team/app:pull');
    for (const path of [`/${token.host}/other`, `/${token.host}/v2/`, `/${token.host}/token/more`]) {
      expect((await request(path)).headers['x-registry-proxy-error'], path).toBe('not-allowed');
    }
  });

  it('answers 502 unreachable when the registry cannot be reached', async () => {
    const answer = await request('/127.0.0.1:9/v2/');
    expect([answer.status, answer.headers['x-registry-proxy-error']]).toEqual([502, 'unreachable']);
    expect(answer.headers['access-control-allow-origin']).toBe('*');
  });

  it('never logs a header, a token or a query string', async () => {
    await request(`/${upstream.host}/v2/team/app/manifests/1?access_token=s3cr3t-query`, 'GET', {
      Authorization: 'Bearer s3cr3t-bearer',
    });
    await request(`/${token.host}/token?account=s3cr3t-account`, 'GET', { Authorization: 'Basic czNjcjN0' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const output = proxy.output();
    for (const secret of ['s3cr3t', 'czNjcjN0', 'Bearer', 'Basic']) expect(output).not.toContain(secret);
    // workerd logs nothing per request; the others name method, host, path and status.
    if (recipe !== 'workerd') expect(output).toMatch(new RegExp(`GET ${upstream.host}/v2/team/app/manifests/1 (→ )?200`));
  });

  it('streams 1 GiB with under 100 MB of memory growth in the proxy process, to a reader that stalls', async () => {
    const status = () => readFile(`/proc/${proxy.pid}/status`, 'utf8');
    const before = kib(await status(), 'VmRSS');
    const received = await new Promise<number>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: proxy.port, path: `/${upstream.host}/v2/x/blobs/sha256:big` }, (response) => {
          let count = 0;
          // A proxy ignoring backpressure would buffer ~1 GB during the stall.
          response.once('data', () => {
            response.pause();
            setTimeout(() => response.resume(), 1000);
          });
          response.on('data', (data: Buffer) => (count += data.length));
          response.on('end', () => resolve(count));
          response.on('error', reject);
        })
        .on('error', reject);
    });
    const peak = kib(await status(), 'VmHWM');
    expect(received).toBe(bigBlob);
    expect((peak - before) / 1024).toBeLessThan(100);
  });

  it('stops reading upstream when the browser goes away mid-blob', async () => {
    const closed = new Promise<void>((resolve) => endlessClosed.push(resolve));
    const controller = new AbortController();
    const response = await fetch(`${proxy.url}/${upstream.host}/v2/x/blobs/sha256:endless`, {
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await closed;
  });
});

describe.each(proxyRecipes as Recipe[])('the registry client through the %s recipe', (recipe) => {
  let work: string;
  let registry: Awaited<ReturnType<typeof startRegistry>>;
  let proxy: Awaited<ReturnType<typeof startProxyRecipe>>;
  const credentials = { username: 'ci', password: 'pa55' };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'tarsier-proxy-contract-'));
    await makeOciLayout(join(work, 'layout'), { tag: 't', platforms: ['linux/amd64', 'linux/arm/v7'] });
    // No CORS headers and token auth: a browser could read this registry only through a proxy.
    registry = await startRegistry({ cors: false, auth: { kind: 'token', ...credentials } });
    await pushOciLayout(`${join(work, 'layout')}:t`, `${registry.host}/team/web:1`, { credentials, all: true });
    const challenge = await fetch(`http://${registry.host}/v2/`);
    const realm = new URL(/realm="([^"]+)"/.exec(challenge.headers.get('www-authenticate') ?? '')![1]);
    proxy = await startProxyRecipe(recipe, { allow: [registry.host], realms: [`${realm.host}${realm.pathname}`] });
  });

  afterAll(async () => {
    await proxy?.close();
    await registry?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('signs in through the rewritten realm, reads both platforms and verifies the blobs it names', async () => {
    const requested: string[] = [];
    const client = new RegistryClient({
      fetch: (input, init) => {
        requested.push(input);
        return fetch(input, init);
      },
      mode: 'proxy',
      proxyUrl: proxy.url,
      credentials,
    });
    const source = await sourceFromRegistry(client, parseReference(`${registry.host}/team/web:1`));
    expect(source.errors).toEqual([]);
    expect(source.images.map((image) => [image.platform?.architecture, image.configVerified])).toEqual([
      ['amd64', 'ok'],
      ['arm', 'ok'],
    ]);
    expect(requested.every((url) => url.startsWith(`${proxy.url}/`))).toBe(true);
    expect(requested.some((url) => url.includes('/token?'))).toBe(true);
    for (const image of source.images) {
      const layer = image.layers[0]!;
      if (layer.location?.kind !== 'url') throw new Error('url location expected');
      const blob = await fetch(layer.location.url, { headers: layer.location.headers });
      expect(blob.status).toBe(200);
      const digest = `sha256:${Buffer.from(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer())).toString('hex')}`;
      expect(digest).toBe(layer.digest);
    }
  });
});
