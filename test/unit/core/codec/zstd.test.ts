/**
 * The zstd decoder against `zstd -d` on frames made by the zstd tool:
 * ordinary and long-window (`--long=27`, a 128 MiB window) streams, several
 * frames, skippable frames; broken copies (flipped bytes, a cut, a window
 * over 128 MiB); and the leak that once broke it: fifty long-window streams
 * abandoned on corrupt data must leave a valid one decodable, in a bounded
 * WASM heap.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InspectError, InspectErrorCode } from '../../../../src/core/errors';
import { createZstdDecoder, zstdMemoryBytes } from '../../../../src/core/codec/zstd';

const work = mkdtempSync(join(tmpdir(), 'tarsier-zstd-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const sh = (script: string): string => execFileSync('bash', ['-c', script], { cwd: work }).toString();
sh(`set -e
python3 -c "
import random; random.seed(5)
open('data', 'wb').write(random.randbytes(300000) + b'line of text\\n' * 200000)"
zstd -q -3 -c data > plain.zst
cat data | zstd -q --long=27 -c > long.zst
{ zstd -q -1 -c data; printf '\\x50\\x2a\\x4d\\x18\\x03\\x00\\x00\\x00abc'; zstd -q -19 -c data; } > frames.zst
cat data | zstd -q --long=30 --memory=1024MB -c > huge-window.zst`);
const bytes = (name: string): Uint8Array => new Uint8Array(readFileSync(join(work, name)));

async function decode(input: Uint8Array, chunkSize: number): Promise<string> {
  const hash = createHash('sha256');
  const decoder = createZstdDecoder((chunk) => hash.update(chunk));
  for (let at = 0; at < input.length; at += chunkSize) await decoder.push(input.subarray(at, at + chunkSize));
  await decoder.finish();
  return hash.digest('hex');
}

async function failure(input: Uint8Array, chunkSize = 65536): Promise<InspectError> {
  try {
    await decode(input, chunkSize);
  } catch (error) {
    if (error instanceof InspectError) return error;
    throw error;
  }
  throw new Error('decoded without an error');
}

function corrupted(input: Uint8Array): Uint8Array {
  const copy = input.slice();
  copy.fill(0xa5, Math.floor(copy.length / 2), Math.floor(copy.length / 2) + 64);
  return copy;
}

describe('zstd decoder', () => {
  it('is the only code that loads zstddec (its WASM instance is taken when zstddec initialises)', () => {
    const importers = sh(`cd '${process.cwd()}' && grep -rlE "from 'zstddec|import\\('zstddec" src workers || true`).trim().split('\n');
    expect(importers).toEqual(['src/core/codec/zstd.ts']);
  });

  it.each(['plain.zst', 'long.zst', 'frames.zst'])('decodes %s as zstd -dc does, in odd chunks', async (name) => {
    const expected = sh(`zstd -dc --long=27 ${name} | sha256sum`).split(' ')[0];
    for (const chunkSize of [1 << 20, 65537, 4099, 61]) expect(await decode(bytes(name), chunkSize)).toBe(expected);
  });

  it('says corrupt for flipped bytes and truncated for a cut, as zstd -t does', async () => {
    for (const name of ['plain.zst', 'long.zst']) {
      expect((await failure(corrupted(bytes(name)))).code).toBe(InspectErrorCode.BadCompression);
      const cut = bytes(name).subarray(0, Math.floor(bytes(name).length * 0.6));
      expect((await failure(cut)).code).toBe(InspectErrorCode.Truncated);
    }
  });

  it('refuses a window over 128 MiB, as zstd -d does without --memory', async () => {
    expect(() => sh('zstd -dc huge-window.zst > /dev/null 2>&1')).toThrow();
    const error = await failure(bytes('huge-window.zst'));
    expect(error).toMatchObject({ code: InspectErrorCode.BadCompression });
    expect(error.message).toContain('128 MiB');
  });

  it('frees what abandoned streams held: 50 corrupt long-window streams, then a valid one', async () => {
    const broken = corrupted(bytes('long.zst'));
    for (let i = 0; i < 50; i += 1) expect((await failure(broken)).code).toBe(InspectErrorCode.BadCompression);
    for (let i = 0; i < 20; i += 1) {
      // Cancelled half way, as a viewer does once it has the bytes it wanted.
      const decoder = createZstdDecoder(() => {});
      await decoder.push(bytes('long.zst').subarray(0, 200_000));
      decoder.cancel?.();
    }
    const expected = sh('zstd -dc --long=27 long.zst | sha256sum').split(' ')[0];
    expect(await decode(bytes('long.zst'), 65536)).toBe(expected);
    // One 128 MiB window and the buffers around it, not fifty.
    expect(await zstdMemoryBytes()).toBeLessThan(320 * 1024 * 1024);
  });
});
