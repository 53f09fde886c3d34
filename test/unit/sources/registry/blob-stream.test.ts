/**
 * Registry blob downloads that lose their connection midway resume with a
 * Range request where they stopped, against a local HTTP server that cuts
 * the socket after part of the body (as a flaky network or proxy does).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InspectError, InspectErrorCode } from '../../../../src/core/errors';
import { registryBlobChunks, UrlAuth } from '../../../../src/sources/registry/blob-stream';

const blob = randomBytes(3 * 1024 * 1024 + 17);
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

interface Seen {
  range: string | undefined;
  authorization: string | undefined;
}

let server: Server | null = null;

/** Serves `blob`; `handle` may answer a request itself (return true) or leave it to the default. */
async function serve(handle: (request: IncomingMessage, response: ServerResponse, count: number) => boolean): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((request, response) => {
    seen.push({ range: request.headers.range, authorization: request.headers.authorization });
    if (handle(request, response, seen.length)) return;
    response.writeHead(200, { 'Content-Length': blob.length }).end(blob);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/app/blobs/sha256:x`, seen };
}

/** Sends the headers of the whole blob and `bytes` of it, then drops the connection. */
function cutAfter(response: ServerResponse, bytes: number): void {
  response.writeHead(200, { 'Content-Length': blob.length });
  response.write(blob.subarray(0, bytes), () => setTimeout(() => response.socket?.destroy(), 20));
}

/** Answers a `Range: bytes=N-` request with 206 and the rest of the blob. */
function answerRange(request: IncomingMessage, response: ServerResponse): boolean {
  const match = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
  if (!match) return false;
  const from = Number(match[1]);
  response.writeHead(206, { 'Content-Length': blob.length - from, 'Content-Range': `bytes ${from}-${blob.length - 1}/${blob.length}` });
  response.end(blob.subarray(from));
  return true;
}

async function download(url: string, auth = new UrlAuth({ Authorization: 'Bearer first' }, null)): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of registryBlobChunks({ url, path: '/v2/app/blobs/sha256:x' }, auth, { retryDelayMs: 10 })) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function stop(): Promise<void> {
  const running = server;
  server = null;
  if (running) await new Promise((resolve) => running.close(resolve));
}

afterEach(stop);

describe('registryBlobChunks', () => {
  it('resumes a dropped download with Range where it stopped, byte-exact', async () => {
    const { url, seen } = await serve((request, response, count) => {
      if (count === 1) {
        cutAfter(response, 1_000_000);
        return true;
      }
      return answerRange(request, response);
    });
    const bytes = await download(url);
    expect(sha256(bytes)).toBe(sha256(blob));
    expect(seen).toHaveLength(2);
    expect(seen[0].range).toBeUndefined();
    // The resumption starts at what arrived before the cut (some of the 1 MB may still have been in flight).
    const from = Number(/^bytes=(\d+)-$/.exec(seen[1].range ?? '')?.[1]);
    expect(from).toBeGreaterThan(0);
    expect(from).toBeLessThanOrEqual(1_000_000);
    expect(seen[1].authorization).toBe('Bearer first');
  });

  it('skips what it already has when the server ignores Range and sends the whole blob again', async () => {
    const { url, seen } = await serve((_request, response, count) => {
      if (count === 1) {
        cutAfter(response, 777_777);
        return true;
      }
      return false;
    });
    expect(sha256(await download(url))).toBe(sha256(blob));
    expect(seen).toHaveLength(2);
    expect(seen[1].range).toMatch(/^bytes=\d+-$/);
  });

  it('renews an expired token on a resumption that meets a 401', async () => {
    const { url, seen } = await serve((request, response, count) => {
      if (count === 1) {
        cutAfter(response, 500_000);
        return true;
      }
      if (request.headers.authorization !== 'Bearer second') {
        response.writeHead(401, { 'WWW-Authenticate': 'Bearer realm="x"' }).end();
        return true;
      }
      return answerRange(request, response);
    });
    const auth = new UrlAuth({ Authorization: 'Bearer first' }, async () => ({ Authorization: 'Bearer second' }));
    expect(sha256(await download(url, auth))).toBe(sha256(blob));
    expect(seen.map((request) => request.authorization)).toEqual(['Bearer first', 'Bearer first', 'Bearer second']);
  });

  it('gives up after three resumptions with a message naming the blob and the byte', async () => {
    const { url, seen } = await serve((request, response) => {
      const from = Number(/^bytes=(\d+)-$/.exec(request.headers.range ?? '')?.[1] ?? 0);
      response.writeHead(from > 0 ? 206 : 200, {
        'Content-Length': blob.length - from,
        ...(from > 0 ? { 'Content-Range': `bytes ${from}-${blob.length - 1}/${blob.length}` } : {}),
      });
      response.write(blob.subarray(from, from + 100_000), () => setTimeout(() => response.socket?.destroy(), 20));
      return true;
    });
    const error = await download(url).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(InspectError);
    expect((error as InspectError).code).toBe(InspectErrorCode.Network);
    expect((error as InspectError).message).toMatch(/^\/v2\/app\/blobs\/sha256:x: the connection dropped at byte \d+, 3 resumptions failed/);
    expect(seen).toHaveLength(4);
  });

  it('does not retry a first request that cannot connect (a CORS refusal looks the same)', async () => {
    const { url } = await serve(() => false);
    await stop();
    const error = await download(url).catch((failure: unknown) => failure);
    expect((error as InspectError).code).toBe(InspectErrorCode.Network);
    expect((error as InspectError).message).toMatch(/request failed/);
  });

  it('refuses a resumption that starts at the wrong byte', async () => {
    const { url } = await serve((request, response, count) => {
      if (count === 1) {
        cutAfter(response, 600_000);
        return true;
      }
      response.writeHead(206, { 'Content-Range': `bytes 0-${blob.length - 1}/${blob.length}`, 'Content-Length': blob.length }).end(blob);
      return true;
    });
    await expect(download(url)).rejects.toThrow(/asked to resume at byte \d+, the registry sent bytes 0-/);
  });
});
