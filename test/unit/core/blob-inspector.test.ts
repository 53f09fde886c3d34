/**
 * The one-pass blob pipeline on real bytes: tars made by GNU tar, compressed
 * by the gzip and zstd tools, checked against sha256sum, `gzip -dc`, `zstd -dc`
 * and `tar -t`; then broken copies (corrupt, truncated, garbage) and a 2 GiB
 * decompression bomb that must stream through in bounded memory.
 */
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobInspector, inspectBlobStream } from '../../../src/core/blob-inspector';
import { createFflateGunzip, looksLikeBomb } from '../../../src/core/codec/gzip';
import { InspectErrorCode } from '../../../src/core/errors';
import type { BlobResult } from '../../../src/core/types';
import { bytesOf, makeTars, sh, type GeneratedTars } from '../../helpers/make-tars';

let tars: GeneratedTars;
/** File name → its bytes, for the compressed and broken variants made in beforeAll. */
const files = new Map<string, Uint8Array>();

const sha256sum = (path: string): string =>
  `sha256:${sh(`sha256sum < '${path}'`, '/').split(' ')[0]}`;
const diffIdOf = (command: string): string =>
  `sha256:${sh(`${command} | sha256sum`, tars.dir).split(' ')[0]}`;

beforeAll(async () => {
  tars = makeTars();
  sh(
    `set -e
    gzip -6 -n -c gnu.tar > gnu.tar.gz
    zstd -q -3 -c gnu.tar > gnu.tar.zst
    head -c 30001 pax.tar | gzip -c > multi.tar.gz && tail -c +30002 pax.tar | gzip -1 -c >> multi.tar.gz
    head -c 30001 pax.tar | zstd -q -c > multi.tar.zst && tail -c +30002 pax.tar | zstd -q -19 -c >> multi.tar.zst
    { printf '\\x50\\x2a\\x4d\\x18\\x04\\x00\\x00\\x00skip'; cat gnu.tar.zst; } > skippable.tar.zst
    printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}' > config.json
    gzip -c config.json > config.json.gz
    head -c 5000 /dev/urandom > garbage.bin
    : > empty.bin`,
    tars.dir,
  );
  for (const name of [
    'gnu.tar',
    'gnu.tar.gz',
    'gnu.tar.zst',
    'multi.tar.gz',
    'multi.tar.zst',
    'skippable.tar.zst',
    'config.json',
    'config.json.gz',
    'garbage.bin',
    'empty.bin',
  ]) {
    files.set(name, bytesOf(join(tars.dir, name)));
  }
  const gz = files.get('gnu.tar.gz') as Uint8Array;
  const zst = files.get('gnu.tar.zst') as Uint8Array;
  files.set('truncated.tar.gz', gz.slice(0, Math.floor(gz.length * 0.6)));
  files.set('truncated.tar.zst', zst.slice(0, Math.floor(zst.length * 0.6)));
  const corruptGz = gz.slice();
  corruptGz.fill(0xa5, 2000, 2100);
  files.set('corrupt.tar.gz', corruptGz);
  const corruptZst = zst.slice();
  corruptZst.fill(0xa5, 2000, 2100);
  files.set('corrupt.tar.zst', corruptZst);
  const cutTar = (files.get('gnu.tar') as Uint8Array).slice(0, 40_000);
  files.set('truncated.tar', cutTar);
  writeFileSync(join(tars.dir, 'truncated-inside.tar'), cutTar);
  sh('gzip -n -c truncated-inside.tar > truncated-inside.tar.gz', tars.dir);
  files.set('truncated-inside.tar.gz', bytesOf(join(tars.dir, 'truncated-inside.tar.gz')));
  for (const [name, bytes] of files) writeFileSync(join(tars.dir, name), bytes);
});

afterAll(() => {
  rmSync(tars.dir, { recursive: true, force: true });
});

async function inspect(name: string, chunkSize: number, options = {}): Promise<BlobResult> {
  const bytes = files.get(name) as Uint8Array;
  const inspector = new BlobInspector(options);
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    await inspector.write(bytes.subarray(offset, offset + chunkSize));
  }
  return inspector.close();
}

const path = (name: string): string => join(tars.dir, name);

describe('BlobInspector on good layers', () => {
  it.each([
    ['gnu.tar', 'none', 'cat gnu.tar'],
    ['gnu.tar.gz', 'gzip', 'gzip -dc gnu.tar.gz'],
    ['gnu.tar.zst', 'zstd', 'zstd -dc gnu.tar.zst'],
    ['multi.tar.gz', 'gzip', 'gzip -dc multi.tar.gz'],
    ['multi.tar.zst', 'zstd', 'zstd -dc multi.tar.zst'],
    ['skippable.tar.zst', 'zstd', 'zstd -dc skippable.tar.zst'],
  ])(
    '%s: digest, diffId, size and members match the tools, in 7-byte and 1 MiB chunks',
    async (name, compression, decompress) => {
      const expected = {
        digest: sha256sum(path(name)),
        size: (files.get(name) as Uint8Array).length,
        compression,
        diffId: diffIdOf(decompress),
        uncompressedSize: Number(sh(`${decompress} | wc -c`, tars.dir)),
        isTar: true,
        entryCount: Number(sh(`${decompress} | tar -t | wc -l`, tars.dir)),
        whiteoutCount: 2,
        error: null,
      };
      for (const chunkSize of [7, 1 << 20]) {
        const result = await inspect(name, chunkSize, { keepEntries: true });
        expect(result).toMatchObject(expected);
        expect(result.entries).toHaveLength(expected.entryCount);
      }
    },
  );

  it('gives the same result through a stream, and with fflate for multi-member gzip', async () => {
    const reference = await inspect('gnu.tar.zst', 1 << 20);
    const stream = new Blob([files.get('gnu.tar.zst') as Uint8Array]).stream();
    expect(await inspectBlobStream(stream)).toEqual(reference);
    const gzReference = await inspect('multi.tar.gz', 1 << 20);
    expect(await inspect('multi.tar.gz', 1000, { gzip: createFflateGunzip })).toEqual(gzReference);
  });

  it('reports progress in stored and uncompressed bytes', async () => {
    const seen: [number, number][] = [];
    const result = await inspect('gnu.tar.gz', 4096, {
      onProgress: (read: number, out: number) => seen.push([read, out]),
    });
    expect(seen.at(-1)).toEqual([result.size, result.uncompressedSize]);
    expect(seen.every(([read], i) => i === 0 || read >= seen[i - 1][0])).toBe(true);
  });

  it('says isTar=false without an error for a config, gzipped JSON, garbage and an empty blob', async () => {
    for (const name of ['config.json', 'config.json.gz', 'garbage.bin', 'empty.bin']) {
      const result = await inspect(name, 7);
      expect(result).toMatchObject({
        isTar: false,
        entryCount: 0,
        error: null,
        digest: sha256sum(path(name)),
      });
    }
    expect((await inspect('config.json.gz', 7)).diffId).toBe(diffIdOf('gzip -dc config.json.gz'));
  });
});

describe('BlobInspector onUncompressed', () => {
  it.each([
    ['gnu.tar.gz', 'gzip -dc gnu.tar.gz'],
    ['gnu.tar.zst', 'zstd -dc gnu.tar.zst'],
    ['multi.tar.zst', 'zstd -dc multi.tar.zst'],
  ])('%s: sees every decompressed byte once, in order, at its offset', async (name, decompress) => {
    const seen: Uint8Array[] = [];
    const storedSeen: number[] = [];
    let next = 0;
    const result = await inspect(name, 1000, {
      onUncompressed(chunk: Uint8Array, position: number, storedBytesRead: number) {
        expect(position).toBe(next);
        next += chunk.length;
        seen.push(chunk.slice());
        storedSeen.push(storedBytesRead);
      },
    });
    const whole = Buffer.concat(seen);
    expect(whole.length).toBe(result.uncompressedSize);
    expect(whole.equals(execFileSync('bash', ['-c', decompress], { cwd: tars.dir, maxBuffer: 1 << 30 }))).toBe(true);
    // The stored count never goes back and never passes the blob.
    expect(storedSeen).toEqual([...storedSeen].sort((a, b) => a - b));
    expect(Math.max(...storedSeen)).toBeLessThanOrEqual(result.size);
  });

  it('is not called for an uncompressed blob (its stored bytes are the stream)', async () => {
    let calls = 0;
    await inspect('gnu.tar', 4096, { onUncompressed: () => (calls += 1) });
    expect(calls).toBe(0);
  });
});

describe('looksLikeBomb', () => {
  it('marks only large outputs at an extreme ratio', () => {
    const MiB = 1024 * 1024;
    expect(looksLikeBomb(2 * MiB, 300 * MiB)).toBe(true);
    expect(looksLikeBomb(100 * MiB, 300 * MiB)).toBe(false);
    expect(looksLikeBomb(1, 200 * MiB)).toBe(false);
  });
});

describe('BlobInspector on broken layers', () => {
  it.each([
    ['corrupt.tar.gz', InspectErrorCode.BadCompression],
    ['corrupt.tar.zst', InspectErrorCode.BadCompression],
    ['truncated.tar.gz', InspectErrorCode.Truncated],
    ['truncated.tar.zst', InspectErrorCode.Truncated],
    ['truncated.tar', InspectErrorCode.Truncated],
    ['truncated-inside.tar.gz', InspectErrorCode.Truncated],
  ])('%s → %s, with the stored digest still right', async (name, code) => {
    for (const chunkSize of [7, 1 << 20]) {
      const result = await inspect(name, chunkSize);
      expect(result.error?.code, result.error?.message).toBe(code);
      expect(result.digest).toBe(sha256sum(path(name)));
      expect(result.size).toBe((files.get(name) as Uint8Array).length);
      expect(result.isTar).toBe(true);
      expect(result.entryCount).toBeGreaterThan(0);
    }
  });

  it('stops on garbage after a zstd magic instead of looping', async () => {
    const bytes = new Uint8Array(50_000).map((_, i) => (i * 7919 + 13) % 251);
    bytes.set([0x28, 0xb5, 0x2f, 0xfd], 0);
    const inspector = new BlobInspector();
    await inspector.write(bytes);
    const result = await inspector.close();
    expect(result).toMatchObject({ compression: 'zstd', isTar: false, diffId: null });
    expect(result.error?.code).toBe(InspectErrorCode.BadCompression);
  });

  it('keeps a tar that ends inside a member as Truncated with a DiffID of what was there', async () => {
    const result = await inspect('truncated-inside.tar.gz', 4096);
    expect(result.diffId).toBe(diffIdOf('gzip -dc truncated-inside.tar.gz'));
    expect(result.error?.message).toContain('tar ends inside');
  });

  it('gives trailing data after a gzip member its own code, so a caller can retry with fflate', async () => {
    // Node's DecompressionStream reads concatenated members; a browser's reports the rest as junk.
    const { gzipError } = await import('../../../src/core/codec/gzip');
    const error = gzipError(new TypeError('Junk found after end of compressed data.'));
    expect(error.code).toBe(InspectErrorCode.GzipTrailingData);
    expect(gzipError(new TypeError('incorrect data check')).code).toBe(InspectErrorCode.BadCompression);
  });
});

/** Streams a file through a BlobInspector in 4 MiB chunks, returning the result and the RSS peak growth. */
async function inspectFileMeasuringRss(
  file: string,
): Promise<{ result: BlobResult; growth: number }> {
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const inspector = new BlobInspector({
    onProgress: () => {
      peak = Math.max(peak, process.memoryUsage().rss);
    },
  });
  for await (const chunk of createReadStream(file, { highWaterMark: 4 << 20 })) {
    await inspector.write(chunk as Buffer);
  }
  return { result: await inspector.close(), growth: peak - before };
}

describe('bounded memory', () => {
  // Cached in the OS temp folder: test/fixtures/generated/ belongs to make-fixtures.sh, which prunes it.
  const dir = join(tmpdir(), 'tarsier-bomb');

  it('does not queue the input of an incompressible layer', { timeout: 120_000 }, async () => {
    const layer = join(tars.dir, 'random.tar.gz');
    sh(
      `head -c 300000000 /dev/urandom > random && tar -cf - random | gzip -1 > random.tar.gz`,
      tars.dir,
    );
    const { result, growth } = await inspectFileMeasuringRss(layer);
    expect(result).toMatchObject({ entryCount: 1, error: null, digest: sha256sum(layer) });
    // Before pending writes were bounded, Node's DecompressionStream buffered all 300 MB.
    expect(growth, `RSS grew by ${(growth / 1e6).toFixed(0)} MB`).toBeLessThan(150 * 1024 * 1024);
  });

  const bomb = join(dir, 'zeros-2g.tar.gz');
  const bombDiffId = join(dir, 'zeros-2g.diffid');

  it('streams a layer of 2 GiB of zeros in bounded memory', { timeout: 240_000 }, async () => {
    if (!existsSync(bomb) || !existsSync(bombDiffId)) {
      mkdirSync(dir, { recursive: true });
      // Built in a private folder, then renamed into place, so that a half-made bomb is never used.
      sh(
        `set -euo pipefail; work=$(mktemp -d -p .); truncate -s 2G "$work/zeros"
        tar -C "$work" -cf - zeros | gzip -1 > "$work/bomb.tar.gz"
        gzip -dc "$work/bomb.tar.gz" | sha256sum | cut -d' ' -f1 > "$work/diffid"
        mv "$work/bomb.tar.gz" zeros-2g.tar.gz; mv "$work/diffid" zeros-2g.diffid; rm -rf "$work"`,
        dir,
      );
    }
    expect(readFileSync(bomb).length).toBeLessThan(20_000_000);
    const { result, growth } = await inspectFileMeasuringRss(bomb);
    expect(result).toMatchObject({ isTar: true, entryCount: 1, error: null, compression: 'gzip' });
    expect(result.diffId).toBe(`sha256:${readFileSync(bombDiffId, 'utf8').trim()}`);
    expect(result.uncompressedSize).toBeGreaterThan(2 ** 31);
    expect(growth, `RSS grew by ${(growth / 1e6).toFixed(0)} MB`).toBeLessThan(200 * 1024 * 1024);
  });
});
