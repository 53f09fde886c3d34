/**
 * What a hostile (or broken) registry can send, answered by an in-memory
 * fetch: bodies of the wrong JSON shape, pages far larger than any real
 * one, and sizes in signed headers that do not fit the bytes. Each must give
 * a typed error or a bounded, correct result — never a TypeError, a stack
 * overflow or an allocation the bytes do not justify.
 */
import { describe, expect, it } from 'vitest';
import { InspectError } from '../../../../src/core/errors';
import { fetchManifest, listTags, RegistryClient } from '../../../../src/sources/registry/registry-source';
import { MediaTypes } from '../../../../src/core/image/media-type';

const signal = new AbortController().signal;
const locator = { apiHost: 'registry.test', repository: 'team/app' };

/** A client whose registry answers every GET with `answer(path)`. */
function clientAnswering(answer: (path: string) => Response): RegistryClient {
  return new RegistryClient({
    mode: 'direct',
    fetch: async (input) => answer(new URL(input).pathname + new URL(input).search),
  });
}

const json = (body: string, headers: Record<string, string> = {}) =>
  new Response(body, { status: 200, headers: { 'Content-Type': 'application/json', ...headers } });

async function thrown(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (error: unknown) => error,
  );
}

function base64Url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

describe('tag lists', () => {
  it('a body that is null is a typed bad-json error naming the path', async () => {
    const error = await thrown(listTags(signal, clientAnswering(() => json('null')), locator));
    expect(error).toBeInstanceOf(InspectError);
    expect(error).toMatchObject({ code: 'bad-json', path: '/v2/team/app/tags/list' });
  });

  it('"tags": null (a repository without tags) is an empty list; "tags": "x" is a typed error', async () => {
    expect(await listTags(signal, clientAnswering(() => json('{"name":"team/app","tags":null}')), locator)).toEqual([]);
    const error = await thrown(listTags(signal, clientAnswering(() => json('{"name":"team/app","tags":"x"}')), locator));
    expect(error).toMatchObject({ code: 'bad-json' });
  });

  it('a page of 200,000 tags is read whole (no spread into push)', async () => {
    const tags = Array.from({ length: 200_000 }, (_, i) => `t${i}`);
    const listed = await listTags(signal, clientAnswering(() => json(JSON.stringify({ name: 'team/app', tags }))), locator);
    expect(listed).toHaveLength(200_000);
    expect(listed[199_999]).toBe('t199999');
  });

  it('a page past the size bound is refused as too large, by its Content-Length or by what arrives', async () => {
    const big = JSON.stringify({ tags: ['x'.repeat(17 * 1024 * 1024)] });
    const declared = await thrown(listTags(signal, clientAnswering(() => json(big, { 'Content-Length': String(big.length) })), locator));
    expect(declared).toMatchObject({ code: 'too-large' });
    const undeclared = await thrown(listTags(signal, clientAnswering(() => json(big)), locator));
    expect(undeclared).toMatchObject({ code: 'too-large' });
  });

  it('pages that never end stop at 32 MiB in all, as too large', async () => {
    const page = JSON.stringify({ tags: Array.from({ length: 400_000 }, (_, i) => `tag-${i}`) });
    const client = clientAnswering(() => json(page, { Link: '</v2/team/app/tags/list?last=x>; rel="next"' }));
    const error = await thrown(listTags(signal, client, locator));
    expect(error).toMatchObject({ code: 'too-large' });
  });
});

describe('schema1 signed manifests', () => {
  function signedManifest(formatLength: number): string {
    const payload = JSON.stringify({ schemaVersion: 1, name: 'team/app', tag: 'old', fsLayers: [], history: [] }, null, 3);
    const protectedHeader = base64Url(JSON.stringify({ formatLength, formatTail: base64Url('\n}') }));
    return `${payload.slice(0, -2)},\n   "signatures": [{"protected": "${protectedHeader}", "signature": "x"}]\n}`;
  }

  it('a formatLength of 2e9 is not allocated or hashed: the digest stays unchecked', async () => {
    const before = process.memoryUsage().arrayBuffers;
    const fetched = await fetchManifest(
      signal,
      clientAnswering(() => json(signedManifest(2e9), { 'Content-Type': MediaTypes.DockerSchema1Signed, 'Docker-Content-Digest': `sha256:${'0'.repeat(64)}` })),
      locator,
      'old',
    );
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
    expect(fetched.verified).toBe('unchecked');
  });

  it('negative, fractional or non-numeric formatLength values leave the digest unchecked', async () => {
    for (const formatLength of [-1, 1.5, Number.NaN]) {
      const fetched = await fetchManifest(
        signal,
        clientAnswering(() => json(signedManifest(formatLength), { 'Content-Type': MediaTypes.DockerSchema1Signed, 'Docker-Content-Digest': `sha256:${'0'.repeat(64)}` })),
        locator,
        'old',
      );
      expect(fetched.verified).toBe('unchecked');
    }
  });

  it('a manifest body that is JSON null gives a media type from the header alone', async () => {
    const fetched = await fetchManifest(signal, clientAnswering(() => json('null')), locator, 'latest');
    expect(fetched.mediaType).toBe('application/json');
  });
});
