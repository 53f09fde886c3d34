/** Compression sniffing on bytes made by the gzip and zstd tools. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { sniffCompression } from '../../../../src/core/codec/compression';

function run(command: string, input: Uint8Array): Uint8Array {
  return new Uint8Array(execFileSync('bash', ['-c', command], { input }));
}

const text = new TextEncoder().encode('{"schemaVersion": 2}\n'.repeat(50));

describe('sniffCompression', () => {
  it('finds gzip and zstd from their magic, whatever the level', () => {
    expect(sniffCompression(run('gzip -1 -c', text))).toBe('gzip');
    expect(sniffCompression(run('gzip -9 -n -c', text))).toBe('gzip');
    expect(sniffCompression(run('zstd -q -3 -c', text))).toBe('zstd');
    expect(sniffCompression(run('zstd -q -19 --no-check -c', text))).toBe('zstd');
  });

  it('treats a leading skippable zstd frame as zstd', () => {
    // RFC 8878 § 3.1.2: magic 0x184D2A5? (little-endian), 4-byte size, user data.
    const skippable = new Uint8Array([0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
    expect(sniffCompression(skippable)).toBe('zstd');
  });

  it('says none for tar, JSON, empty and too-short input, and never throws', () => {
    expect(sniffCompression(run('tar -cf - -C /etc hostname', new Uint8Array(0)))).toBe('none');
    expect(sniffCompression(text)).toBe('none');
    expect(sniffCompression(new Uint8Array(0))).toBe('none');
    expect(sniffCompression(new Uint8Array([0x28, 0xb5, 0x2f]))).toBe('none');
    expect(sniffCompression(new Uint8Array([0x1f, 0x8b]))).toBe('gzip');
    expect(sniffCompression(new Uint8Array([0x1f, 0x9d, 0x90, 0x00]))).toBe('none');
  });
});
