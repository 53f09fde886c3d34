/**
 * The merge and what is computed from it on a generated 300,000-member layer
 * set (the size of a big distribution image). The times are printed, not
 * asserted (measured: about 0.5 s of CPU for the merge in Node on the project
 * machine); the results are.
 */

import { describe, expect, it } from 'vitest';
import { LayeredFilesystem } from '../../../../src/core/fs/filesystem';
import { findNode } from '../../../../src/core/fs/file-node';
import { fileList } from '../../../../src/core/fs/file-list';
import { layerChanges } from '../../../../src/core/fs/layer-changes';
import { searchEntries } from '../../../../src/core/fs/search';
import { wastedSpace } from '../../../../src/core/fs/wasted-space';
import type { TarEntry } from '../../../../src/core/types';

function entry(path: string, type: TarEntry['type'], size: number, offset: number): TarEntry {
  return {
    path,
    type,
    size,
    mode: type === 'dir' ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    mtime: 1700000000,
    linkTarget: null,
    offset,
    whiteout: null,
  };
}

/** 250k members in 5×50 directories of 1000 files, as tar lists them (directory, then its files). */
function baseLayer(): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  for (let a = 0; a < 5; a += 1) {
    entries.push(entry(`usr/share/a${a}`, 'dir', 0, (offset += 512)));
    for (let b = 0; b < 50; b += 1) {
      const dir = `usr/share/a${a}/pkg-${b}`;
      entries.push(entry(dir, 'dir', 0, (offset += 512)));
      for (let f = 0; f < 1000; f += 1)
        entries.push(entry(`${dir}/file-${f}.txt`, 'file', f, (offset += 1024)));
    }
  }
  return entries;
}

/** 50k more members: rewrites, additions, whiteouts and an opaque directory. */
function upperLayer(): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  entries.push({
    ...entry('usr/share/a1/pkg-3/.wh..wh..opq', 'file', 0, (offset += 512)),
    whiteout: 'opaque',
  });
  for (let b = 0; b < 50; b += 1) {
    const dir = `usr/share/a0/pkg-${b}`;
    for (let f = 0; f < 1000; f += 2)
      entries.push(entry(`${dir}/file-${f}.txt`, 'file', 7, (offset += 1024)));
    for (let f = 1; f < 1000; f += 20) {
      entries.push({
        ...entry(`${dir}/.wh.file-${f}.txt`, 'file', 0, (offset += 512)),
        whiteout: 'whiteout',
      });
    }
  }
  while (entries.length < 50_000)
    entries.push(entry(`opt/new/f${entries.length}`, 'file', 1, (offset += 1024)));
  return entries;
}

describe('merge speed', () => {
  it('merges 300,000 members in well under the budget', () => {
    const layers = [baseLayer(), upperLayer()];
    const total = layers[0].length + layers[1].length;
    expect(total).toBeGreaterThanOrEqual(300_000);
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const filesystem = new LayeredFilesystem();
    for (const layer of layers) filesystem.applyLayer(layer);
    const mergeMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuStarted);
    const mergeCpuMs = (cpu.user + cpu.system) / 1000;

    const listStarted = performance.now();
    const merged = fileList(filesystem, 'merged', 1);
    const listMs = performance.now() - listStarted;
    const changesStarted = performance.now();
    const changes = layerChanges(filesystem, 1);
    const changesMs = performance.now() - changesStarted;
    const searchStarted = performance.now();
    const search = searchEntries(filesystem, { text: 'file-99*.txt', mode: 'glob' }, 1);
    const searchMs = performance.now() - searchStarted;
    const wastedStarted = performance.now();
    const wasted = wastedSpace(filesystem);
    const wastedMs = performance.now() - wastedStarted;
    console.log(
      `${total} members: merge ${mergeMs.toFixed(0)} ms (CPU ${mergeCpuMs.toFixed(0)} ms), merged file list (${merged.length}) ${listMs.toFixed(0)} ms, ` +
        `layer changes (${changes.length}) ${changesMs.toFixed(0)} ms, glob search ${searchMs.toFixed(0)} ms, wasted space ${wastedMs.toFixed(0)} ms`,
    );

    // Overwritten even files of a0 (sizes 0, 2, … 998 in 50 packages), whited-out files 1, 21, … 981,
    // and the 1000 files (0 … 999 bytes) under the opaque a1/pkg-3; empty files waste nothing.
    expect(wasted.wastedBytes).toBe(50 * 249_500 + 50 * 24_550 + 499_500);
    expect(wasted.pathCount).toBe(50 * 499 + 50 * 50 + 999);
    expect(wasted.paths[0]).toMatchObject({ wastedBytes: 999, copies: 1, kept: false, layers: [0] });
    const root = filesystem.rootAfter(1);
    expect(findNode(root, '/usr/share/a1/pkg-3')?.children?.size).toBe(0);
    expect(findNode(root, '/usr/share/a0/pkg-0/file-1.txt')).toBeUndefined();
    expect(findNode(root, '/usr/share/a0/pkg-0/file-2.txt')?.size).toBe(7);
    expect(findNode(filesystem.rootAfter(0), '/usr/share/a0/pkg-0/file-2.txt')?.size).toBe(2);
    // 250,257 after layer 0 (2 implicit parents); layer 1 deletes 2,500 + 1,000 and adds 22,499 + 2.
    expect(merged.length).toBe(250_257 - 2_500 - 1_000 + 22_499 + 2);
    expect(search.capped).toBe(false);
  });
});
