/**
 * The two ways bench/duplicates.mjs weighs for content identity: hashing every
 * member during the first pass, or hashing only same-size candidates after it
 * from the decompressed layer. Bundled for Node by that script (Vite SSR).
 */
import { createSHA256, createXXHash64, type IHasher } from 'hash-wasm';
import { closeSync, openSync, readSync } from 'node:fs';
import { findDuplicates } from '../../src/core/analysis/duplicates';
import { BlobInspector } from '../../src/core/blob-inspector';
import { LayeredFilesystem } from '../../src/core/fs/filesystem';
import { TarWalker } from '../../src/core/tar/walker';
import type { BlobResult, TarEntry } from '../../src/core/types';

/**
 * CPU time of the whole process (zlib's threads included) since `since`:
 * on a shared machine wall times follow the load, CPU times much less.
 */
function cpuMs(since: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1000;
}

/** What the first pass does besides its own work. */
export type Extra = 'none' | 'walk' | 'xxhash64' | 'sha256';

const CHUNK = 4 * 1024 * 1024;

function* chunks(path: string): Generator<Uint8Array> {
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const buffer = new Uint8Array(CHUNK);
      const read = readSync(fd, buffer, 0, CHUNK, null);
      if (read === 0) return;
      yield buffer.subarray(0, read);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * A per-member content hook, as a tar walker would offer it: a second walker
 * finds the members, and each regular file's bytes go to a hasher as they
 * stream by (`walk` only splits, without hashing: the walker's share).
 */
function memberTap(extra: Extra, hasher: IHasher | null): { tap: (chunk: Uint8Array, position: number) => void; hashed: () => number } {
  const pending: TarEntry[] = [];
  const walker = new TarWalker({ onEntry: (entry) => entry.type === 'file' && entry.size > 0 && pending.push(entry) });
  let current: TarEntry | null = null;
  let count = 0;
  const tap = (chunk: Uint8Array, position: number): void => {
    walker.push(chunk);
    const end = position + chunk.length;
    for (;;) {
      current ??= pending.shift() ?? null;
      if (current === null || current.offset >= end) return;
      const from = Math.max(current.offset, position);
      const to = Math.min(current.offset + current.size, end);
      if (extra !== 'walk' && hasher !== null) {
        if (from === current.offset) hasher.init();
        hasher.update(chunk.subarray(from - position, to - position));
      }
      if (to < current.offset + current.size) return;
      if (extra !== 'walk') hasher?.digest('hex');
      count += 1;
      current = null;
    }
  };
  return { tap, hashed: () => count };
}

/** One first pass over a compressed layer blob; returns its result, the time and the members hashed. */
export async function firstPass(path: string, extra: Extra): Promise<{ result: BlobResult; ms: number; cpuMs: number; hashed: number }> {
  const hasher = extra === 'sha256' ? await createSHA256() : extra === 'xxhash64' ? await createXXHash64() : null;
  const member = extra === 'none' ? null : memberTap(extra, hasher);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const inspector = new BlobInspector({ keepEntries: true, onUncompressed: member?.tap });
  for (const chunk of chunks(path)) await inspector.write(chunk);
  const result = await inspector.close();
  return { result, ms: performance.now() - started, cpuMs: cpuMs(cpu), hashed: member?.hashed() ?? 0 };
}

/** findDuplicates over one layer, reading from its decompressed copy (as the page and the command keep it). */
export async function lazyDuplicates(entries: TarEntry[], tarPath: string) {
  const filesystem = new LayeredFilesystem();
  filesystem.applyLayer(entries);
  const fd = openSync(tarPath, 'r');
  try {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const duplicates = await findDuplicates(filesystem, async (_layer, offset, length) => {
      const out = new Uint8Array(length);
      readSync(fd, out, 0, length, offset);
      return out;
    });
    return { ms: performance.now() - started, cpuMs: cpuMs(cpu), duplicates };
  } finally {
    closeSync(fd);
  }
}
