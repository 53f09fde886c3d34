/**
 * The reference CORS proxy (proxy/server.mjs): allowlist, path rules, CORS,
 * header hygiene, server-side redirects, token realms, streaming memory, and
 * the registry client going through it to a real registry with token auth.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleRequest } from '../../proxy/cloudflare-worker.js';
import { createProxyHandler, createProxyServer } from '../../proxy/server.mjs';
import {
  parseReference,
  RegistryClient,
  sourceFromRegistry,
  type FetchLike,
} from '../../src/sources/registry/registry-source';
import { makeOciLayout, pushOciLayout, startRegistry } from '../helpers/registry.mjs';

interface Seen {
  path: string;
  headers: http.IncomingHttpHeaders;
}

/** A local HTTP server that records what reached it. */
async function listen(
  handler: (request: http.IncomingMessage, response: http.ServerResponse) => void,
) {
  const seen: Seen[] = [];
  const server = http.createServer((request, response) => {
    seen.push({ path: request.url ?? '', headers: request.headers });
    handler(request, response);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, host, seen, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** Raw GET (no URL normalisation, unlike fetch), returning status, headers and body text. */
function rawRequest(
  port: number,
  path: string,
  method = 'GET',
  headers: Record<string, string> = {},
) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>(
    (resolve, reject) => {
      const request = http.request(
        { host: '127.0.0.1', port, path, method, headers },
        (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
          );
        },
      );
      request.on('error', reject);
      request.end();
    },
  );
}

describe('proxy rules and plumbing', () => {
  let storage: Awaited<ReturnType<typeof listen>>;
  let token: Awaited<ReturnType<typeof listen>>;
  let upstream: Awaited<ReturnType<typeof listen>>;
  let proxy: http.Server;
  let port: number;

  beforeAll(async () => {
    storage = await listen((_request, response) => {
      response.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Set-Cookie': 'tracker=1',
      });
      response.end('blob-bytes');
    });
    token = await listen((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end('{"token":"t0k3n"}');
    });
    upstream = await listen((request, response) => {
      if (request.url === '/v2/team/app/blobs/sha256:redirected') {
        response.writeHead(307, { Location: `http://${storage.host}/bucket/object?signature=abc` });
        response.end();
      } else if (request.url === '/v2/team/app/blobs/sha256:same-host') {
        response.writeHead(302, { Location: '/v2/team/app/blobs/sha256:final' });
        response.end();
      } else if (request.url === '/v2/team/app/manifests/private') {
        response.writeHead(401, {
          'WWW-Authenticate': `Bearer realm="http://${token.host}/token",service="fake",scope="repository:team/app:pull"`,
        });
        response.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      } else {
        response.writeHead(200, {
          'Content-Type': 'application/json',
          'Docker-Content-Digest': 'sha256:abc',
          'Set-Cookie': 'session=secret',
          'Access-Control-Allow-Origin': 'https://only.example',
          Connection: 'close',
        });
        response.end(JSON.stringify({ path: request.url }));
      }
    });
    proxy = createProxyServer({ allow: [upstream.host] });
    proxy.listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    port = (proxy.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => proxy.close(resolve));
    await Promise.all([storage.close(), token.close(), upstream.close()]);
  });

  it.each([
    ['a host not on the allowlist', '/evil.example.com/v2/', 'not-allowed'],
    ['localhost without --allow', '/localhost:5999/v2/', 'not-allowed'],
    ['a path outside /v2/', () => `/${upstream.host}/admin`, 'not-allowed'],
    ['a path that climbs out with ..', () => `/${upstream.host}/v2/../admin`, 'bad-path'],
    ['an encoded ..', () => `/${upstream.host}/v2/%2e%2e/admin`, 'bad-path'],
    ['an encoded slash', () => `/${upstream.host}/v2%2f..%2fadmin`, 'bad-path'],
    ['a bare host', () => `/${upstream.host}`, 'bad-path'],
    ['an absolute URL', () => `http://${upstream.host}/v2/`, 'bad-path'],
  ])('refuses %s with 403', async (_name, path, kind) => {
    const before = upstream.seen.length;
    const answer = await rawRequest(port, typeof path === 'function' ? path() : path);
    expect(answer.status).toBe(403);
    expect(answer.headers['x-registry-proxy-error']).toBe(kind);
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    expect(upstream.seen.length).toBe(before);
  });

  it('answers preflight requests', async () => {
    const answer = await rawRequest(port, `/${upstream.host}/v2/team/app/manifests/1`, 'OPTIONS', {
      Origin: 'http://app.example',
      'Access-Control-Request-Method': 'GET',
      'Access-Control-Request-Headers': 'authorization, accept',
    });
    expect(answer.status).toBe(204);
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    expect(answer.headers['access-control-allow-headers']).toMatch(/Authorization, Accept, Range/);
    expect(answer.headers['access-control-allow-methods']).toMatch(/GET/);
  });

  it('refuses methods other than GET and HEAD', async () => {
    const answer = await rawRequest(port, `/${upstream.host}/v2/team/app/blobs/uploads/`, 'POST');
    expect(answer.status).toBe(405);
  });

  it('forwards /v2/ with CORS headers, passing Authorization and dropping cookies', async () => {
    const answer = await rawRequest(port, `/${upstream.host}/v2/team/app/manifests/1?x=1`, 'GET', {
      Authorization: 'Bearer abc',
      Cookie: 'mine=1',
      Origin: 'http://app.example',
      Accept: 'application/vnd.oci.image.manifest.v1+json',
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ path: '/v2/team/app/manifests/1?x=1' });
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    expect(answer.headers['access-control-expose-headers']).toMatch(
      /Docker-Content-Digest.*WWW-Authenticate.*Link/,
    );
    expect(answer.headers['docker-content-digest']).toBe('sha256:abc');
    expect(answer.headers['set-cookie']).toBeUndefined();
    const received = upstream.seen.at(-1)!.headers;
    expect(received.authorization).toBe('Bearer abc');
    expect(received.accept).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(received.cookie).toBeUndefined();
    expect(received.origin).toBeUndefined();
    expect(received.host).toBe(upstream.host);
  });

  it('follows blob redirects itself, without Authorization to another host', async () => {
    const answer = await rawRequest(
      port,
      `/${upstream.host}/v2/team/app/blobs/sha256:redirected`,
      'GET',
      { Authorization: 'Bearer abc' },
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('blob-bytes');
    expect(answer.headers['set-cookie']).toBeUndefined();
    expect(upstream.seen.at(-1)!.headers.authorization).toBe('Bearer abc');
    expect(storage.seen.at(-1)!.path).toBe('/bucket/object?signature=abc');
    expect(storage.seen.at(-1)!.headers.authorization).toBeUndefined();
  });

  it('keeps Authorization on a same-host redirect', async () => {
    const answer = await rawRequest(
      port,
      `/${upstream.host}/v2/team/app/blobs/sha256:same-host`,
      'GET',
      { Authorization: 'Bearer abc' },
    );
    expect(JSON.parse(answer.body)).toEqual({ path: '/v2/team/app/blobs/sha256:final' });
    expect(upstream.seen.at(-1)!.headers.authorization).toBe('Bearer abc');
  });

  it('forwards to a token realm only after a challenge named it, and rewrites the realm', async () => {
    const realmPath = `/${token.host}/token?service=fake&scope=repository:team/app:pull`;
    expect((await rawRequest(port, realmPath)).status).toBe(403);
    const challenged = await rawRequest(port, `/${upstream.host}/v2/team/app/manifests/private`);
    expect(challenged.status).toBe(401);
    expect(challenged.headers['www-authenticate']).toBe(
      `Bearer realm="http://127.0.0.1:${port}/${token.host}/token",service="fake",scope="repository:team/app:pull"`,
    );
    const granted = await rawRequest(port, realmPath, 'GET', { Authorization: 'Basic dTpw' });
    expect(granted.status).toBe(200);
    expect(JSON.parse(granted.body)).toEqual({ token: 't0k3n' });
    expect(token.seen.at(-1)!.headers.authorization).toBe('Basic dTpw');
    expect((await rawRequest(port, `/${token.host}/other`)).status).toBe(403);
    expect((await rawRequest(port, `/${token.host}/v2/`)).status).toBe(403);
  });

  it('logs method, host, path and status, never headers or query strings', async () => {
    const lines: string[] = [];
    const logging = createProxyServer({
      allow: [upstream.host],
      log: (line: string) => lines.push(line),
    });
    logging.listen(0, '127.0.0.1');
    await once(logging, 'listening');
    const loggingPort = (logging.address() as AddressInfo).port;
    await rawRequest(
      loggingPort,
      `/${upstream.host}/v2/team/app/manifests/1?access_token=s3cr3t`,
      'GET',
      {
        Authorization: 'Bearer s3cr3t-bearer',
      },
    );
    await new Promise((resolve) => logging.close(resolve));
    expect(lines).toEqual([`GET ${upstream.host}/v2/team/app/manifests/1 → 200`]);
  });

  it('keeps the mount path in rewritten realms when mounted as middleware', async () => {
    const handler = createProxyHandler({ allow: [upstream.host] });
    // What connect (Vite's dev server) does for `use('/registry-proxy', handler)`.
    const host = http.createServer((request, response) => {
      const mounted = request as http.IncomingMessage & { originalUrl?: string };
      mounted.originalUrl = request.url;
      request.url = request.url!.slice('/registry-proxy'.length);
      handler(request, response);
    });
    host.listen(0, '127.0.0.1');
    await once(host, 'listening');
    const hostPort = (host.address() as AddressInfo).port;
    const challenged = await rawRequest(
      hostPort,
      `/registry-proxy/${upstream.host}/v2/team/app/manifests/private`,
    );
    const realmPath = `/registry-proxy/${token.host}/token?service=fake&scope=repository:team/app:pull`;
    const granted = await rawRequest(hostPort, realmPath);
    await new Promise((resolve) => host.close(resolve));
    expect(challenged.headers['www-authenticate']).toMatch(
      new RegExp(`^Bearer realm="http://127.0.0.1:${hostPort}/registry-proxy/${token.host}/token"`),
    );
    expect(granted.status).toBe(200);
  });

  it('answers 502 with a reason when the upstream is down', async () => {
    const down = createProxyServer({ allow: ['127.0.0.1:9'] });
    down.listen(0, '127.0.0.1');
    await once(down, 'listening');
    const answer = await rawRequest((down.address() as AddressInfo).port, '/127.0.0.1:9/v2/');
    await new Promise((resolve) => down.close(resolve));
    expect(answer.status).toBe(502);
    expect(answer.headers['x-registry-proxy-error']).toBe('unreachable');
  });
});

describe('Cloudflare Worker recipe', () => {
  it('applies the same rules: allowlist, /v2/ only, CORS, realm rewrite, redirects without Authorization', async () => {
    const storage = await listen((_request, response) => response.end('blob-bytes'));
    const upstream = await listen((request, response) => {
      if (request.url?.includes('/blobs/')) {
        response.writeHead(307, { Location: `http://${storage.host}/object` });
        response.end();
        return;
      }
      response.writeHead(401, {
        'WWW-Authenticate': 'Bearer realm="http://127.0.0.1:1/token",service="s"',
        'Set-Cookie': 'x=1',
      });
      response.end();
    });
    try {
      const env = { ALLOW: upstream.host };
      const origin = 'https://proxy.example';
      const get = (path: string, headers: Record<string, string> = {}) =>
        handleRequest(new Request(`${origin}${path}`, { headers }), env);
      expect((await get('/evil.example.com/v2/')).status).toBe(403);
      expect((await get(`/${upstream.host}/admin`)).status).toBe(403);
      expect((await get(`/${upstream.host}/v2/%2e%2e/admin`)).status).toBe(403);
      expect(
        (await handleRequest(new Request(`${origin}/ghcr.io/v2/`, { method: 'OPTIONS' }), env))
          .status,
      ).toBe(204);
      const challenged = await get(`/${upstream.host}/v2/a/manifests/1`);
      expect(challenged.status).toBe(401);
      expect(challenged.headers.get('www-authenticate')).toBe(
        `Bearer realm="${origin}/127.0.0.1:1/token",service="s"`,
      );
      expect(challenged.headers.get('set-cookie')).toBeNull();
      expect(challenged.headers.get('access-control-allow-origin')).toBe('*');
      const blob = await get(`/${upstream.host}/v2/a/blobs/sha256:x`, {
        Authorization: 'Bearer t',
      });
      expect(await blob.text()).toBe('blob-bytes');
      expect(upstream.seen.at(-1)!.headers.authorization).toBe('Bearer t');
      expect(storage.seen.at(-1)!.headers.authorization).toBeUndefined();
    } finally {
      await Promise.all([storage.close(), upstream.close()]);
    }
  });
});

describe('proxy streaming', () => {
  it('passes 1 GiB through with less than 100 MB of RSS growth', async () => {
    const total = 1024 ** 3;
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    const upstream = await listen((_request, response) => {
      response.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(total),
      });
      let sent = 0;
      const pump = () => {
        while (sent < total) {
          sent += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
        response.end();
      };
      pump();
    });
    const child = spawn(
      process.execPath,
      ['proxy/server.mjs', '--port', '0', '--quiet', '--allow', upstream.host],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const [line] = (await once(child.stdout!, 'data')) as [Buffer];
      const port = Number(/127\.0\.0\.1:(\d+)/.exec(String(line))![1]);
      const status = async () => readFile(`/proc/${child.pid}/status`, 'utf8');
      const kib = (text: string, field: string) =>
        Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(text)![1]);
      const before = kib(await status(), 'VmRSS');
      const received = await new Promise<number>((resolve, reject) => {
        http
          .get(
            { host: '127.0.0.1', port, path: `/${upstream.host}/v2/x/blobs/sha256:big` },
            (response) => {
              let count = 0;
              // A reader that stalls for a second: a proxy ignoring backpressure would buffer ~1 GB meanwhile.
              response.once('data', () => {
                response.pause();
                setTimeout(() => response.resume(), 1000);
              });
              response.on('data', (data: Buffer) => (count += data.length));
              response.on('end', () => resolve(count));
              response.on('error', reject);
            },
          )
          .on('error', reject);
      });
      const peak = kib(await status(), 'VmHWM');
      expect(received).toBe(total);
      expect((peak - before) / 1024).toBeLessThan(100);
    } finally {
      child.kill('SIGTERM');
      await upstream.close();
    }
  });
});

describe('proxy cancellation', () => {
  it('stops reading upstream when the browser goes away mid-blob', async () => {
    let upstreamClosed: () => void = () => {};
    const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
    const upstream = await listen((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      const timer = setInterval(() => response.write(Buffer.alloc(64 * 1024)), 5);
      response.on('close', () => {
        clearInterval(timer);
        upstreamClosed();
      });
    });
    const proxy = createProxyServer({ allow: [upstream.host], defaults: false });
    proxy.listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    const controller = new AbortController();
    const response = await fetch(
      `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/${upstream.host}/v2/x/blobs/sha256:endless`,
      { signal: controller.signal },
    );
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await closed;
    await new Promise((resolve) => proxy.close(resolve));
    await upstream.close();
  });
});

describe('registry client through the proxy', () => {
  let work: string;
  let registry: Awaited<ReturnType<typeof startRegistry>>;
  let proxy: http.Server;
  let proxyUrl: string;
  const credentials = { username: 'ci', password: 'pa55' };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'tarsier-proxy-test-'));
    await makeOciLayout(join(work, 'layout'), {
      tag: 't',
      platforms: ['linux/amd64', 'linux/arm/v7'],
    });
    // No CORS headers and token auth: a browser could not read this registry directly.
    registry = await startRegistry({ cors: false, auth: { kind: 'token', ...credentials } });
    await pushOciLayout(`${join(work, 'layout')}:t`, `${registry.host}/team/web:1`, {
      credentials,
      all: true,
    });
    proxy = createProxyServer({ allow: [registry.host] });
    proxy.listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => proxy.close(resolve));
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('falls back to the proxy in auto mode when the registry refuses CORS, token realm included', async () => {
    const requested: string[] = [];
    // What a browser does to a registry without CORS headers: the fetch rejects with a TypeError.
    const browserLike: FetchLike = (input, init) => {
      requested.push(input);
      if (!input.startsWith(proxyUrl)) return Promise.reject(new TypeError('Failed to fetch'));
      return fetch(input, init);
    };
    const client = new RegistryClient({ fetch: browserLike, mode: 'auto', proxyUrl, credentials });
    const source = await sourceFromRegistry(client, parseReference(`${registry.host}/team/web:1`));
    expect(source.errors).toEqual([]);
    expect(
      source.images.map((image) => [image.platform?.architecture, image.configVerified]),
    ).toEqual([
      ['amd64', 'ok'],
      ['arm', 'ok'],
    ]);
    // One direct attempt, then everything (token realm too) through the proxy.
    expect(requested.filter((url) => !url.startsWith(proxyUrl))).toEqual([
      `http://${registry.host}/v2/team/web/manifests/1`,
    ]);
    expect(
      requested.some((url) => url.startsWith(`${proxyUrl}/127.0.0.1:`) && url.includes('/token?')),
    ).toBe(true);
    const layer = source.images[1]!.layers[0]!;
    if (layer.location?.kind !== 'url') throw new Error('url location expected');
    expect(layer.location.url).toBe(
      `${proxyUrl}/${registry.host}/v2/team/web/blobs/${layer.digest}`,
    );
    const blob = await fetch(layer.location.url, { headers: layer.location.headers });
    expect(blob.status).toBe(200);
    const digest = `sha256:${Buffer.from(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer())).toString('hex')}`;
    expect(digest).toBe(layer.digest);
  });

  it('says which flag to add when the proxy does not allow a registry', async () => {
    const client = new RegistryClient({ fetch, mode: 'proxy', proxyUrl });
    const error = await sourceFromRegistry(client, parseReference('localhost:5999/a/b:1')).catch(
      (caught: unknown) => caught,
    );
    expect((error as Error).message).toBe(
      'The Registry proxy does not forward to localhost:5999. Restart it with --allow localhost:5999 if you trust that registry.',
    );
  });
});
