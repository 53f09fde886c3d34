/**
 * Wasted space (dive's "potential wasted space") on layers made by real
 * tools: what the layers store minus what is wasted must be exactly the
 * bytes of the rootfs that `umoci unpack` makes of the same image, each inode
 * counted once (a hard link keeps the content of a file a later layer
 * replaced, so that content is not wasted).
 */
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LayeredFilesystem } from '../../../../src/core/fs/filesystem';
import { wastedSpace } from '../../../../src/core/fs/wasted-space';
import { cleanPath, whiteoutTarget } from '../../../../src/core/fs/whiteout';
import type { TarEntry } from '../../../../src/core/types';
import { readLayerTars, readTar } from '../../../helpers/tar-reader';

/** Bytes of the regular files under `root`, each inode once (hard links share one). */
function rootfsBytes(root: string): number {
  const seen = new Set<number>();
  let total = 0;
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const stat = lstatSync(path);
      if (stat.isDirectory()) walk(path);
      else if (stat.isFile() && !seen.has(stat.ino)) {
        seen.add(stat.ino);
        total += stat.size;
      }
    }
  };
  walk(root);
  return total;
}

function applied(layers: TarEntry[][]): LayeredFilesystem {
  const filesystem = new LayeredFilesystem();
  for (const entries of layers) filesystem.applyLayer(entries);
  return filesystem;
}

let work: string;
let layers: TarEntry[][];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tarsier-wasted-'));
  execFileSync('bash', [join(__dirname, '../../../helpers/make-layered-image.sh'), work], { stdio: 'pipe' });
  layers = readLayerTars(join(work, 'L')).map(readTar);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('wasted space', () => {
  it('stored minus wasted is exactly what umoci unpack keeps', () => {
    const stored = layers.flat().filter((entry) => entry.type === 'file' && entry.whiteout === null);
    const result = wastedSpace(applied(layers));
    expect(result.totalBytes).toBe(stored.reduce((sum, entry) => sum + entry.size, 0));
    expect(result.totalBytes - result.wastedBytes).toBe(rootfsBytes(join(work, 'final/rootfs')));
    expect(result.efficiency).toBeCloseTo((result.totalBytes - result.wastedBytes) / result.totalBytes, 10);
  });

  it('names the deleted package cache, and not the file a hard link still reads', () => {
    const result = wastedSpace(applied(layers));
    expect(result.paths[0]).toEqual({ path: '/var/cache/apt/archives/pkg.deb', copies: 1, wastedBytes: 70000, layers: [0], kept: false });
    // Layer 2 replaced /usr/bin/tool, but /usr/bin/tool-hard links to the old content.
    expect(result.paths.find((record) => record.path === '/usr/bin/tool')).toBeUndefined();
    expect(result.pathCount).toBe(result.paths.length);
  });

  it('agrees with umoci unpack on the shared whiteout fixture', () => {
    const generated = join(__dirname, '../../../fixtures/generated');
    const layout = readLayerTars(join(generated, 'whiteout-layout')).map(readTar);
    const result = wastedSpace(applied(layout));
    expect(result.totalBytes - result.wastedBytes).toBe(rootfsBytes(join(generated, 'whiteout-unpacked')));
    expect(result.wastedBytes).toBeGreaterThan(0);
  });

  it('counts an overwritten copy, a path written twice in one layer, and limits the list', () => {
    let offset = 0;
    const file = (path: string, size: number): TarEntry => {
      offset += 1024;
      return { path: cleanPath(path), type: 'file', size, mode: 0o644, uid: 0, gid: 0, mtime: 1, offset, linkTarget: null, whiteout: whiteoutTarget(path)?.kind ?? null };
    };
    const result = wastedSpace(applied([[file('a', 10), file('b', 20), file('b', 30)], [file('a', 5), file('c', 1)]]), 1);
    expect(result.totalBytes).toBe(66);
    expect(result.wastedBytes).toBe(30);
    expect(result.pathCount).toBe(2);
    expect(result.paths).toEqual([{ path: '/b', copies: 2, wastedBytes: 20, layers: [0], kept: true }]);
    expect(wastedSpace(applied([])).efficiency).toBe(1);
  });
});
