/** Digest parsing and sha256, checked against coreutils sha256sum. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  createSha256Hasher,
  isDigest,
  parseDigest,
  sha256Digest,
  sha256Hex,
} from '../../../../src/core/codec/digest';

function sha256sum(bytes: Uint8Array): string {
  return execFileSync('sha256sum', { input: bytes }).toString().split(' ')[0];
}

const HEX = 'a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4';

describe('digests', () => {
  it('parses well-formed digests and rejects the rest', () => {
    expect(parseDigest(`sha256:${HEX}`)).toEqual({ algorithm: 'sha256', hex: HEX });
    expect(parseDigest(`sha512:${'ab'.repeat(64)}`)?.algorithm).toBe('sha512');
    expect(
      parseDigest('multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8')?.algorithm,
    ).toBe('multihash+base58');
    for (const bad of [
      HEX,
      `sha256:${HEX.toUpperCase()}`,
      `sha256:${HEX.slice(1)}`,
      'sha256:',
      ':abc',
      `SHA256:${HEX}`,
    ]) {
      expect(isDigest(bad)).toBe(false);
    }
    expect(isDigest(`sha256:${HEX}`)).toBe(true);
  });

  it('hashes like sha256sum, whole or in pieces', async () => {
    const bytes = new Uint8Array(1_000_003).map((_, i) => (i * 31 + 7) & 0xff);
    const expected = sha256sum(bytes);
    expect(await sha256Hex(bytes)).toBe(expected);
    expect(await sha256Digest(bytes)).toBe(`sha256:${expected}`);
    const hasher = await createSha256Hasher();
    for (let offset = 0; offset < bytes.length; offset += 65_537)
      hasher.update(bytes.subarray(offset, offset + 65_537));
    expect(hasher.digest()).toBe(`sha256:${expected}`);
  });

  it('keeps concurrent hashers apart', async () => {
    const [a, b] = await Promise.all([createSha256Hasher(), createSha256Hasher()]);
    a.update(new TextEncoder().encode('a'));
    b.update(new TextEncoder().encode('b'));
    expect(a.digest()).toBe(`sha256:${sha256sum(new TextEncoder().encode('a'))}`);
    expect(b.digest()).toBe(`sha256:${sha256sum(new TextEncoder().encode('b'))}`);
  });
});
