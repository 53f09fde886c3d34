/**
 * What only the Node reference proxy (proxy/server.mjs) does: its exact log
 * lines, realms that keep the mount path when it runs inside Vite's dev
 * server, and the registry client falling back to it in auto mode. The rules
 * every recipe shares (allowlist, paths, headers, redirects, realms,
 * streaming) are one table in proxy-contract.test.ts, run against this proxy,
 * the Cloudflare Worker under workerd and the nginx recipe.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listen, rawRequest } from '../helpers/recording-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProxyHandler, createProxyServer } from '../../proxy/server.mjs';
import {
  parseReference,
  RegistryClient,
  sourceFromRegistry,
  type FetchLike,
} from '../../src/sources/registry/registry-source';
import { makeOciLayout, pushOciLayout, startRegistry } from '../helpers/registry.mjs';


describe('the Node proxy', () => {
  let token: Awaited<ReturnType<typeof listen>>;
  let upstream: Awaited<ReturnType<typeof listen>>;

  beforeAll(async () => {
    token = await listen((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end('{"token":"t0k3n"}');
    });
    upstream = await listen((request, response) => {
      if (request.url === '/v2/team/app/manifests/private') {
        response.writeHead(401, {
          'WWW-Authenticate': `Bearer realm="http://${token.host}/token",service="fake",scope="repository:team/app:pull"`,
        });
        response.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      } else {
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ path: request.url }));
      }
    });
  });

  afterAll(async () => {
    await Promise.all([token.close(), upstream.close()]);
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
