/**
 * The merge checked against the real thing: an OCI image built with umoci,
 * Python's tarfile and GNU tar (make-layered-image.sh), whose layers are
 * merged here and compared, path by path, with `umoci unpack` of the image.
 */

import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LayeredFilesystem, mergeLayers } from '../../../../src/core/fs/filesystem';
import { findNode, resolvePath } from '../../../../src/core/fs/file-node';
import { fileList, type FileListEntry } from '../../../../src/core/fs/file-list';
import { changeTree, layerChanges } from '../../../../src/core/fs/layer-changes';
import { TarWalker } from '../../../../src/core/tar/walker';
import type { TarEntry } from '../../../../src/core/types';
import { readLayerTars, readTar } from '../../../helpers/tar-reader';

let work: string;
let layerTars: Uint8Array[];
let layers: TarEntry[][];

interface Observed {
  path: string;
  type: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  linkTarget: string | null;
}

/** The reference: lstat of every path of the unpacked rootfs. */
function walkRootfs(root: string, dir = ''): Observed[] {
  const out: Observed[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const path = `${dir}/${name}`;
    const stat = lstatSync(join(root, path));
    const type = stat.isFile()
      ? 'file'
      : stat.isDirectory()
        ? 'dir'
        : stat.isSymbolicLink()
          ? 'symlink'
          : stat.isCharacterDevice()
            ? 'char'
            : stat.isBlockDevice()
              ? 'block'
              : stat.isFIFO()
                ? 'fifo'
                : 'other';
    out.push({
      path,
      type,
      size: type === 'file' ? stat.size : 0,
      mode: stat.mode & 0o7777,
      uid: stat.uid,
      gid: stat.gid,
      linkTarget: type === 'symlink' ? readlinkSync(join(root, path)) : null,
    });
    if (type === 'dir') out.push(...walkRootfs(root, path));
  }
  return out;
}

/** Our list in the reference's terms: a hard link is a regular file on disk. */
function asObserved(entry: FileListEntry): Observed {
  const isLink = entry.type === 'hardlink';
  return {
    path: entry.path,
    type: isLink ? 'file' : entry.type,
    size: entry.size,
    mode: entry.mode,
    uid: entry.uid,
    gid: entry.gid,
    linkTarget: isLink ? null : entry.linkTarget,
  };
}

const byPath = (a: { path: string }, b: { path: string }) =>
  a.path < b.path ? -1 : a.path > b.path ? 1 : 0;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tarsier-fs-'));
  execFileSync('bash', [join(__dirname, '../../../helpers/make-layered-image.sh'), work], { stdio: 'pipe' });
  layerTars = readLayerTars(join(work, 'L'));
  layers = layerTars.map(readTar);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('merged filesystem vs umoci unpack', () => {
  it('reads four layers whose members agree with TarWalker', () => {
    expect(layers).toHaveLength(4);
    layerTars.forEach((tar, i) => {
      const walker = new TarWalker({ keepEntries: true });
      walker.push(tar);
      walker.finish();
      const simplify = (e: TarEntry) => [
        e.path,
        e.type,
        e.size,
        e.mode,
        e.linkTarget,
        e.offset,
        e.whiteout,
      ];
      expect(walker.entries.map(simplify)).toEqual(layers[i].map(simplify));
    });
  });

  it('lists exactly the paths, types, sizes, modes, owners and link targets of the unpacked rootfs', () => {
    const filesystem = new LayeredFilesystem();
    layers.forEach((entries) => filesystem.applyLayer(entries));
    const ours = fileList(filesystem, 'merged', 3).map(asObserved);
    const reference = walkRootfs(join(work, 'final/rootfs')).sort(byPath);
    expect(ours).toEqual(reference);
  });

  it('keeps hard links on one inode with their target, as link(2) made them', () => {
    const root = mergeLayers(layers);
    const rootfs = join(work, 'final/rootfs');
    const hard = findNode(root, '/usr/bin/tool-hard');
    expect(hard).toMatchObject({
      type: 'hardlink',
      linkTarget: '/usr/bin/tool',
      size: 5000,
      contentLayer: 0,
    });
    // Layer 2 replaced /usr/bin/tool after linking to it: the link keeps the old content.
    expect(findNode(root, '/usr/bin/tool')).toMatchObject({ type: 'file', size: 14, layer: 2 });
    expect(lstatSync(join(rootfs, 'usr/bin/tool-hard')).ino).toBe(
      lstatSync(join(rootfs, 'usr/bin/tool-alias')).ino,
    );
    expect(findNode(root, '/usr/bin/tool-alias')?.contentOffset).toBe(hard?.contentOffset);
  });

  it('keeps every earlier tree: after layer 0 the deleted and replaced paths are still there', () => {
    const filesystem = new LayeredFilesystem();
    layers.forEach((entries) => filesystem.applyLayer(entries));
    const first = filesystem.rootAfter(0);
    expect(findNode(first, '/var/cache/apt/archives/pkg.deb')?.size).toBe(70000);
    expect(findNode(first, '/data')?.type).toBe('dir');
    expect(findNode(first, '/usr/lib/mods/m1')?.type).toBe('file');
    expect(findNode(filesystem.rootAfter(1), '/var/cache')).toBeUndefined();
    expect(findNode(filesystem.rootAfter(2), '/usr/lib/mods')).toBeUndefined();
    expect(findNode(filesystem.rootAfter(3), '/tmp/fifo')).toBeUndefined();
    expect(findNode(filesystem.rootAfter(2), '/tmp/fifo')?.type).toBe('fifo');
  });

  it('sums regular file sizes into directories', () => {
    const filesystem = new LayeredFilesystem();
    layers.forEach((entries) => filesystem.applyLayer(entries));
    expect(findNode(filesystem.rootAfter(0), '/var')?.size).toBe(70000);
    expect(findNode(filesystem.rootAfter(1), '/var')?.size).toBe(0);
    // tool (5000) + tool-alias (5000) + added (4), after layer 1.
    expect(findNode(filesystem.rootAfter(1), '/usr/bin')?.size).toBe(10004);
    const root = filesystem.rootAfter(3);
    const total = fileList(filesystem, 'merged', 3)
      .filter((e) => e.type === 'file' || e.type === 'hardlink')
      .reduce((sum, e) => sum + e.size, 0);
    expect(root.size).toBe(total);
  });
});

describe('the shared whiteout fixture (npm run fixtures)', () => {
  it('merges test/fixtures/generated/whiteout-layout into exactly whiteout-unpacked', () => {
    const generated = join(__dirname, '../../../fixtures/generated');
    const layout = join(generated, 'whiteout-layout');
    expect(existsSync(layout), `${layout} is missing: run npm run fixtures`).toBe(true);
    const filesystem = new LayeredFilesystem();
    readLayerTars(layout).forEach((tar) => filesystem.applyLayer(readTar(tar)));
    const last = filesystem.layerCount - 1;
    const ours = fileList(filesystem, 'merged', last).map(asObserved);
    expect(ours).toEqual(walkRootfs(join(generated, 'whiteout-unpacked')).sort(byPath));
    expect(ours.map((e) => e.path)).toContain('/opaque-dir/fresh.txt');
    expect(ours.map((e) => e.path)).not.toContain('/opaque-dir/old.txt');
  });
});

describe('layer changes', () => {
  it('classifies umoci whiteouts, type changes and additions of layer 1', () => {
    const filesystem = new LayeredFilesystem();
    layers.forEach((entries) => filesystem.applyLayer(entries));
    // Which parent directories umoci lists depends on mtimes (timing), so directories that stayed directories are left out.
    const changes = layerChanges(filesystem, 1)
      .filter((c) => c.kind !== 'modified' || c.type !== 'dir' || c.previousType !== 'dir')
      .map((c) => [c.kind, c.path, c.type, c.size, c.existed]);
    expect(changes).toEqual([
      ['modified', '/data', 'file', 11, true],
      ['deleted', '/data/sub', 'dir', 2, true],
      ['deleted', '/etc/old.conf', 'file', 4, true],
      ['modified', '/opt/was-file', 'dir', 0, true],
      ['added', '/opt/was-file/inner', 'file', 6, false],
      ['added', '/usr/bin/added', 'file', 4, false],
      ['deleted', '/var/cache', 'dir', 70000, true],
    ]);
  });

  it('reports the opaque directory, the surviving duplicate and the member under a symlink in layer 2', () => {
    const filesystem = new LayeredFilesystem();
    layers.forEach((entries) => filesystem.applyLayer(entries));
    const changes = layerChanges(filesystem, 2);
    const opaque = changes.find((c) => c.kind === 'opaque');
    expect(opaque).toMatchObject({ path: '/usr/lib', existed: true, hiddenCount: 2, size: 4 });
    expect(changes.filter((c) => c.path === '/etc/passwd')).toMatchObject([
      { kind: 'modified', size: 20, entryIndex: 7 },
    ]);
    expect(changes.find((c) => c.path === '/usr/lib/through-symlink.so')).toMatchObject({
      kind: 'added',
    });
    expect(changes.find((c) => c.path === '/usr/bin/tool-hard')).toMatchObject({
      kind: 'added',
      type: 'hardlink',
      size: 5000,
    });
    const tree = changeTree(changes);
    expect(tree.children.get('deep')?.size).toBe(300);
    expect(tree.children.get('usr')?.children.get('lib')?.change?.kind).toBe('opaque');
  });

  it('lists changes as files.json entries', () => {
    const filesystem = new LayeredFilesystem();
    layers.forEach((entries) => filesystem.applyLayer(entries));
    const list = fileList(filesystem, 'changes', 3);
    expect(list).toEqual([
      {
        path: '/tmp',
        type: 'dir',
        size: 0,
        mode: 0o755,
        uid: 0,
        gid: 0,
        linkTarget: null,
        layer: 3,
      },
      {
        path: '/tmp/fifo',
        type: 'whiteout',
        size: 0,
        mode: 0o644,
        uid: 0,
        gid: 0,
        linkTarget: null,
        layer: 3,
      },
      {
        path: '/usr',
        type: 'dir',
        size: 0,
        mode: 0o755,
        uid: 0,
        gid: 0,
        linkTarget: null,
        layer: 3,
      },
      {
        path: '/usr/bin',
        type: 'dir',
        size: 0,
        mode: 0o755,
        uid: 0,
        gid: 0,
        linkTarget: null,
        layer: 3,
      },
      {
        path: '/usr/bin/late',
        type: 'file',
        size: 5,
        mode: 0o644,
        uid: 0,
        gid: 0,
        linkTarget: null,
        layer: 3,
      },
      {
        path: '/usr/bin/tool-link',
        type: 'whiteout',
        size: 0,
        mode: 0o644,
        uid: 0,
        gid: 0,
        linkTarget: null,
        layer: 3,
      },
    ]);
    const layer2 = fileList(filesystem, 'changes', 2);
    expect(layer2.find((e) => e.type === 'opaque')?.path).toBe('/usr/lib');
    expect(layer2.find((e) => e.path === '/usr/bin/tool-hard')).toMatchObject({
      type: 'hardlink',
      linkTarget: '/usr/bin/tool',
      size: 5000,
    });
  });
});

describe('symlink resolution in the merged tree', () => {
  it('follows relative symlinks as the unpacked rootfs does', () => {
    const root = mergeLayers(layers);
    const found = resolvePath(root, '/lib/libnew.so');
    expect(found.ok && found.node.path).toBe('/usr/lib/libnew.so');
    expect(resolvePath(root, '/lib', { followFinal: false })).toMatchObject({
      ok: true,
      node: { type: 'symlink' },
    });
    expect(resolvePath(root, '/lib/missing')).toEqual({
      ok: false,
      reason: 'not-found',
      path: '/usr/lib/missing',
    });
    expect(resolvePath(root, '/data/x')).toEqual({
      ok: false,
      reason: 'not-a-directory',
      path: '/data',
    });
  });
});
