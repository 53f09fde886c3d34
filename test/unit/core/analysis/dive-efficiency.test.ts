/**
 * dive's figures next to Tarsier's on small layer sets. dive is not
 * packaged for Debian, so each expectation is worked out by hand from
 * dive's code (dive/filetree/efficiency.go, file_tree.go, file_node.go and
 * dive/image/image.go), and written next to the exact figure it differs from.
 */
import { describe, expect, it } from 'vitest';
import { diveEfficiency } from '../../../../src/core/analysis/dive-efficiency';
import { imageEfficiency } from '../../../../src/core/analysis/efficiency';
import { LayeredFilesystem } from '../../../../src/core/fs/filesystem';
import { whiteoutTarget } from '../../../../src/core/fs/whiteout';
import type { TarEntry } from '../../../../src/core/types';

let offset = 0;
function file(path: string, size = 0): TarEntry {
  offset += 512 + Math.ceil(size / 512) * 512;
  return { path, type: 'file', size, mode: 0o644, uid: 0, gid: 0, mtime: 1, linkTarget: null, offset, whiteout: whiteoutTarget(path)?.kind ?? null };
}
const dir = (path: string): TarEntry => ({ ...file(path), type: 'dir', mode: 0o755 });

function both(layers: TarEntry[][]) {
  const filesystem = new LayeredFilesystem();
  for (const entries of layers) filesystem.applyLayer(entries);
  return { dive: diveEfficiency(layers), exact: imageEfficiency(filesystem, null) };
}

describe("dive's efficiency figures", () => {
  it('counts the copy that stays as wasted too (dive #684)', () => {
    const { dive, exact } = both([[file('a', 100)], [file('a', 100)]]);
    expect(dive).toEqual({ score: 0.5, wastedBytes: 200, userWastedPercent: 2, sizeBytes: 200, userSizeBytes: 100 });
    expect([exact.score, exact.wastedBytes]).toEqual([0.5, 100]);
  });

  it('scores a replaced file by its smallest copy, not the one shown', () => {
    const { dive, exact } = both([[file('a', 100)], [file('a', 300)]]);
    expect([dive.score, dive.wastedBytes]).toEqual([0.25, 400]);
    expect([exact.score, exact.wastedBytes]).toEqual([0.75, 100]);
  });

  it('agrees on a deleted file, and has no user share when the upper layer stores nothing', () => {
    const { dive, exact } = both([[file('a', 100), file('b', 50)], [file('.wh.a')]]);
    expect(dive).toEqual({ score: 50 / 150, wastedBytes: 100, userWastedPercent: null, sizeBytes: 150, userSizeBytes: 0 });
    expect([exact.score, exact.wastedBytes]).toEqual([50 / 150, 100]);
  });

  it('ignores what an opaque directory hides', () => {
    const { dive, exact } = both([[dir('d'), file('d/x', 100)], [dir('d'), file('d/.wh..wh..opq'), file('d/y', 10)]]);
    expect([dive.score, dive.wastedBytes]).toEqual([1, 0]);
    expect([exact.visibleBytes, exact.wastedBytes]).toEqual([10, 100]);
  });

  it('counts a deleted directory as a new path, so nothing of it as wasted', () => {
    // The whiteout of d is sized 120 (d/x + d/y of the stacked lower tree) but /d had no leaf copy before.
    const { dive, exact } = both([[dir('d'), file('d/x', 100), file('d/y', 20)], [file('.wh.d')]]);
    expect([dive.score, dive.wastedBytes]).toEqual([1, 0]);
    expect([exact.score, exact.wastedBytes]).toEqual([0, 120]);
  });

  it('sizes a deleted directory at 0 once an upper layer named it only as an implicit parent', () => {
    // Stacking layer 1 gives /d the empty header of its implicit parent (not a directory any more).
    const { dive, exact } = both([[dir('d'), file('d/x', 100)], [file('d/y', 5)], [file('.wh.d')]]);
    expect([dive.score, dive.wastedBytes]).toEqual([1, 0]);
    expect(exact.wastedBytes).toBe(105);
  });

  it('stops counting a layer at a whiteout of a path no lower layer has', () => {
    // `.wh.zzz` sorts before `a`: the lookup fails and dive's visitor error ends layer 1's walk.
    expect(both([[file('a', 10)], [file('a', 10), file('.wh.zzz')]]).dive.wastedBytes).toBe(0);
    expect(both([[file('a', 10)], [file('a', 10)]]).dive.wastedBytes).toBe(20);
  });

  it('scores an image without file bytes 1', () => {
    expect(both([[dir('etc')]]).dive.score).toBe(1);
    expect(diveEfficiency([]).score).toBe(1);
  });
});
