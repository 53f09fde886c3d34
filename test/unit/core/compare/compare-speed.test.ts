/**
 * The file comparison on generated big trees (300,000 members a side, the
 * size of a 1 GB distribution image), in the cases people meet: a shared
 * base with different upper layers, an image against itself plus two
 * layers, the same files rebuilt into layers with other DiffIDs, and two
 * unrelated images. The times are printed, not asserted (they belong to the
 * machine; see the report), the results are.
 */
import { describe, expect, it } from 'vitest';
import { settleContentChecks, type ContentHasher } from '../../../../src/core/compare/content-checks';
import { compareTrees, type TreeSide } from '../../../../src/core/compare/files';
import { LayeredFilesystem } from '../../../../src/core/fs/filesystem';
import type { TarEntry } from '../../../../src/core/types';

function entry(path: string, type: TarEntry['type'], size: number, offset: number): TarEntry {
  return { path, type, size, mode: type === 'dir' ? 0o755 : 0o644, uid: 0, gid: 0, mtime: 1700000000, linkTarget: null, offset, whiteout: null };
}

/** 250k members: 5 × 50 directories of 1,000 files under `root`, as tar lists them. */
function baseLayer(root: string): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  for (let a = 0; a < 5; a += 1) {
    entries.push(entry(`${root}/a${a}`, 'dir', 0, (offset += 512)));
    for (let b = 0; b < 50; b += 1) {
      const dir = `${root}/a${a}/pkg-${b}`;
      entries.push(entry(dir, 'dir', 0, (offset += 512)));
      for (let f = 0; f < 1000; f += 1) entries.push(entry(`${dir}/file-${f}.txt`, 'file', 100 + f, (offset += 2048)));
    }
  }
  return entries;
}

/** 50k members: 10k rewrites of base files (one size in `sizeShift`), 40k new files. */
function upperLayer(tag: string, sizeShift: number): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  for (let b = 0; b < 10; b += 1) {
    for (let f = 0; f < 1000; f += 1) entries.push(entry(`usr/share/a0/pkg-${b}/file-${f}.txt`, 'file', 100 + f + (f === 0 ? sizeShift : 0), (offset += 2048)));
  }
  for (let i = 0; i < 40_000; i += 1) entries.push(entry(`opt/${tag}/d${i % 40}/f${i}`, 'file', 10, (offset += 1024)));
  return entries;
}

function side(layers: TarEntry[][], diffIds: string[]): TreeSide {
  const filesystem = new LayeredFilesystem();
  for (const layer of layers) filesystem.applyLayer(layer);
  return { filesystem, layer: layers.length - 1, diffIds };
}

function timed<T>(run: () => T): { result: T; ms: number } {
  const started = performance.now();
  const result = run();
  return { result, ms: performance.now() - started };
}

describe('comparison speed', () => {
  const base = baseLayer('usr/share');
  const rebuiltBase = base.map((member) => ({ ...member }));
  const left = side([base, upperLayer('left', 0)], ['sha256:base', 'sha256:left']);
  const times: string[] = [];

  it('a shared base and different upper layers: visits only what the upper layers touched', () => {
    const right = side([base, upperLayer('right', 1)], ['sha256:base', 'sha256:right']);
    const { result, ms } = timed(() => compareTrees(left, right));
    times.push(`shared base ${ms.toFixed(0)} ms (${result.compared} paths compared)`);
    expect(result.sharedLayers).toBe(1);
    // 40,000 files and 41 directories on each side only; 10 rewritten files differ in size.
    expect(result.differences.filter((item) => item.change === 'removed')).toHaveLength(40_041);
    expect(result.differences.filter((item) => item.change === 'added')).toHaveLength(40_041);
    expect(result.differences.filter((item) => item.change === 'changed')).toHaveLength(10);
    expect(result.checks).toHaveLength(9_990);
    expect(result.compared).toBeLessThan(10_100);
  });

  it('an image against itself plus two layers: the base is never visited', () => {
    const plus = side([base, upperLayer('left', 0), [entry('etc/motd', 'file', 5, 512)], [entry('usr/share/a4/pkg-49/file-999.txt', 'file', 1, 512)]], ['sha256:base', 'sha256:left', 'sha256:p1', 'sha256:p2']);
    const { result, ms } = timed(() => compareTrees(left, plus));
    times.push(`plus two layers ${ms.toFixed(0)} ms (${result.compared} compared)`);
    expect(result.differences.map((item) => [item.path, item.change])).toEqual([
      ['/etc', 'added'],
      ['/etc/motd', 'added'],
      ['/usr/share/a4/pkg-49/file-999.txt', 'changed'],
    ]);
    expect(result.compared).toBeLessThan(10);
  });

  it('the same files rebuilt into layers with other DiffIDs: every same-size file is a content check', async () => {
    const rebuilt = side([rebuiltBase, upperLayer('left', 0)], ['sha256:rebuilt', 'sha256:left2']);
    const { result, ms } = timed(() => compareTrees(left, rebuilt));
    expect(result.differences).toEqual([]);
    expect(result.checks).toHaveLength(290_000);
    // Hashes known in advance (as per-file hashes from the first pass would be): the cost of settling alone.
    const known: ContentHasher = (_signal, _side, node) => `${node.path}:${node.size}`;
    const started = performance.now();
    const settled = await settleContentChecks(new AbortController().signal, result.checks, known, { diffIds: { left: left.diffIds, right: rebuilt.diffIds } });
    times.push(`rebuilt, nothing shared ${ms.toFixed(0)} ms (${result.checks.length} content checks, settled from known hashes in ${(performance.now() - started).toFixed(0)} ms)`);
    expect(settled.differences).toEqual([]);
  });

  it('two unrelated images: every path added or removed', () => {
    const other = side([baseLayer('srv/www'), upperLayer('other', 0)], ['sha256:x', 'sha256:y']);
    const { result, ms } = timed(() => compareTrees(left, other));
    times.push(`unrelated ${ms.toFixed(0)} ms (${result.differences.length} differences)`);
    expect(result.differences.length).toBeGreaterThan(500_000);
    console.log(`compareTrees, 300,000 members a side: ${times.join('; ')}`);
  });
});
