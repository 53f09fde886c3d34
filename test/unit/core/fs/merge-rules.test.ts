/**
 * Merge rules on small generated layers, one rule per test, including the
 * hostile cases a real tool would refuse to build (symlink loops as parents,
 * a hard link to nothing, names climbing out with `..`).
 */

import { describe, expect, it } from 'vitest';
import { LayeredFilesystem, mergeLayers } from '../../../../src/core/fs/filesystem';
import { findNode, resolvePath, type FileNode } from '../../../../src/core/fs/file-node';
import { mergedFileList } from '../../../../src/core/fs/file-list';
import { searchEntries } from '../../../../src/core/fs/search';
import { InspectError } from '../../../../src/core/errors';
import type { TarEntry } from '../../../../src/core/types';
import { cleanPath, whiteoutTarget } from '../../../../src/core/fs/whiteout';

let offset = 0;
/** `f:path:size`, `d:path`, `l:path:target` (symlink), `h:path:target` (hard link), `p:path` (fifo). */
function layer(...specs: string[]): TarEntry[] {
  return specs.map((spec) => {
    const [kind, raw, extra = ''] = spec.split(':');
    const path = cleanPath(raw);
    const type = ({ f: 'file', d: 'dir', l: 'symlink', h: 'hardlink', p: 'fifo' } as const)[
      kind as 'f'
    ];
    offset += 512;
    return {
      path,
      type,
      size: type === 'file' ? Number(extra || 0) : 0,
      mode: type === 'dir' ? 0o755 : 0o644,
      uid: 0,
      gid: 0,
      mtime: 1,
      offset,
      linkTarget: type === 'symlink' ? extra : type === 'hardlink' ? cleanPath(extra) : null,
      whiteout: whiteoutTarget(path)?.kind ?? null,
    };
  });
}

/** Merged paths in file-list order, directories marked with a trailing `/`. */
function paths(root: FileNode): string[] {
  return mergedFileList(root).map((e) => `${e.path}${e.type === 'dir' ? '/' : ''}`);
}

describe('merge rules', () => {
  it('replaces a directory by a file, dropping its subtree, and a file by a directory', () => {
    const root = mergeLayers([
      layer('d:a', 'f:a/x:1', 'd:a/sub', 'f:a/sub/y:2', 'f:b:3'),
      layer('f:a:4', 'd:b', 'f:b/z:5'),
    ]);
    expect(paths(root)).toEqual(['/a', '/b/', '/b/z']);
    expect(root.size).toBe(9);
  });

  it('keeps children when a directory is written over a directory, updating its metadata', () => {
    const filesystem = new LayeredFilesystem();
    filesystem.applyLayer(layer('d:a', 'f:a/x:1'));
    const second = layer('d:a');
    second[0].mode = 0o700;
    filesystem.applyLayer(second);
    expect(findNode(filesystem.rootAfter(1), '/a')).toMatchObject({
      mode: 0o700,
      layer: 1,
      size: 1,
    });
    expect(findNode(filesystem.rootAfter(1), '/a/x')).toMatchObject({ layer: 0 });
    expect(findNode(filesystem.rootAfter(0), '/a')).toMatchObject({ mode: 0o755, layer: 0 });
  });

  it('creates implicit parents as 0755 root-owned directories', () => {
    const root = mergeLayers([layer('f:x/y/z:1')]);
    expect(findNode(root, '/x/y')).toMatchObject({
      type: 'dir',
      mode: 0o755,
      uid: 0,
      entryIndex: -1,
      layer: 0,
    });
  });

  it('lets the last of several members with one path win', () => {
    const root = mergeLayers([layer('f:a:1', 'd:a', 'f:a:3')]);
    expect(findNode(root, '/a')).toMatchObject({ type: 'file', size: 3, entryIndex: 2 });
  });

  it('lets whiteouts remove only lower-layer content, whatever their place in the tar', () => {
    const root = mergeLayers([
      layer('d:d', 'f:d/old:1', 'f:gone:1', 'f:d/kept-lower:1'),
      layer('f:d/new:2', 'f:d/.wh..wh..opq', 'f:gone:5', 'f:.wh.gone', 'f:.wh.nothing-there'),
    ]);
    expect(paths(root)).toEqual(['/d/', '/d/new', '/gone']);
    expect(findNode(root, '/gone')?.size).toBe(5);
  });

  it('whites out a whole directory but keeps what the same layer wrote inside it', () => {
    const root = mergeLayers([
      layer('d:d', 'f:d/a:1', 'd:d/s', 'f:d/s/b:1'),
      layer('f:d/s/c:1', 'f:.wh.d'),
    ]);
    expect(paths(root)).toEqual(['/d/', '/d/s/', '/d/s/c']);
  });

  it('writes through a symlinked parent directory, inside the root', () => {
    const root = mergeLayers([
      layer('d:usr/lib', 'l:lib:usr/lib', 'l:up:../../..'),
      layer('f:lib/x.so:1', 'f:up/etc/y:1'),
    ]);
    expect(findNode(root, '/usr/lib/x.so')?.size).toBe(1);
    expect(findNode(root, '/lib')?.type).toBe('symlink');
    expect(findNode(root, '/etc/y')?.path).toBe('/etc/y');
  });

  it('replaces a symlink loop met as a parent by a directory instead of looping', () => {
    const root = mergeLayers([layer('l:a:b', 'l:b:a'), layer('f:a/file:1')]);
    // After 40 links (an even number) the walk is back at `a`, which becomes the directory.
    expect(findNode(root, '/a/file')?.size).toBe(1);
    expect(findNode(root, '/b')).toMatchObject({ type: 'symlink', linkTarget: 'a' });
    expect(resolvePath(root, '/b/file')).toMatchObject({ ok: true, node: { path: '/a/file' } });
    expect(resolvePath(mergeLayers([layer('l:a:b', 'l:b:a')]), '/a')).toMatchObject({
      ok: false,
      reason: 'loop',
    });
  });

  it('gives a hard link its target size, owner and mode, and keeps them after the target goes', () => {
    const base = layer('f:bin/tool:100');
    base[0].mode = 0o4755;
    base[0].uid = 5;
    const root = mergeLayers([
      base,
      layer('h:bin/alias:bin/tool', 'h:bin/broken:no/such'),
      layer('f:bin/.wh.tool'),
    ]);
    expect(findNode(root, '/bin/alias')).toMatchObject({
      type: 'hardlink',
      size: 100,
      mode: 0o4755,
      uid: 5,
      linkTarget: '/bin/tool',
      contentLayer: 0,
    });
    expect(findNode(root, '/bin/broken')).toMatchObject({
      size: 0,
      contentLayer: -1,
      linkTarget: '/no/such',
    });
    expect(findNode(root, '/bin')?.size).toBe(100);
  });

  it('treats a member for the root as root metadata and cleans hostile names', () => {
    const entries = layer('d:.', 'f:x:1');
    entries[0].mode = 0o700;
    entries[1].path = '../../x';
    const root = mergeLayers([entries]);
    expect(root.mode).toBe(0o700);
    expect(findNode(root, '/x')?.size).toBe(1);
  });
});

describe('resolvePath', () => {
  const root = mergeLayers([
    layer(
      'd:etc',
      'f:etc/os-release:10',
      'l:etc/alt:/etc/os-release',
      'l:rel:etc/../etc/os-release',
      'l:climb:../../../../etc/os-release',
      'l:self:self',
      'l:empty:',
      'd:a',
      'l:a/up:..',
    ),
  ]);

  it('follows absolute and relative symlinks and clamps .. at the root', () => {
    for (const path of [
      '/etc/alt',
      '/rel',
      '/climb',
      '/../../etc/os-release',
      '/a/up/etc/os-release',
    ]) {
      const found = resolvePath(root, path);
      expect(found.ok && found.node.path).toBe('/etc/os-release');
    }
  });

  it('stops after 40 links with a loop error, and reports empty targets as missing', () => {
    expect(resolvePath(root, '/self')).toEqual({ ok: false, reason: 'loop', path: '/self' });
    expect(resolvePath(root, '/empty')).toMatchObject({ ok: false, reason: 'not-found' });
    expect(resolvePath(root, '/self', { followFinal: false })).toMatchObject({ ok: true });
    expect(resolvePath(root, '/etc/os-release/..')).toMatchObject({ reason: 'not-a-directory' });
  });
});

describe('hostile trees', () => {
  it('a 1 MiB ../../… symlink target is never made, so hard links and members through it do not follow it', () => {
    const climbing = '../'.repeat(349_525);
    const links = Array.from({ length: 200 }, (_, i) => `h:h${i}:d/l/x`);
    const filesystem = new LayeredFilesystem();
    filesystem.applyLayer(layer('d:d', `l:d/l:${climbing}`, 'f:x:5', ...links, 'f:d/l/y:1'));
    const root = filesystem.rootAfter(0);
    expect(filesystem.skippedEntries(0)).toEqual([1]);
    expect(findNode(root, '/h0')).toMatchObject({ type: 'hardlink', linkTarget: '/d/l/x', size: 0 });
    expect(findNode(root, '/d/l')?.type).toBe('dir');
    expect(findNode(root, '/d/l/y')?.size).toBe(1);
  });

  it('members, hard links and lookups through 40 chained 4 KiB symlinks land where the kernel puts them', () => {
    const links = Array.from({ length: 40 }, (_, i) => `l:s${i}:${'x/../'.repeat(800)}s${i + 1}`);
    const members = Array.from({ length: 500 }, (_, i) => (i % 2 ? `f:s0/f${i}:${i}` : `f:g${i}:1`));
    const hardLinks = Array.from({ length: 200 }, (_, i) => `h:h${i}:s0/f1`);
    const filesystem = new LayeredFilesystem();
    // Re-pointing a link of the chain, later in the same layer, changes where the next members land.
    filesystem.applyLayer(
      layer('d:x', ...links, 'd:s40', ...members, ...hardLinks, 'f:s0/d/deep:2', 'd:elsewhere', 'l:s20:elsewhere', 'f:s0/after:3', 'h:h-after:s0/after'),
    );
    filesystem.applyLayer(layer('l:s20:s21', 'f:s0/later:4'));
    const first = filesystem.rootAfter(0);
    expect(findNode(first, '/s40/f1')?.size).toBe(1);
    expect(findNode(first, '/s40/f499')?.size).toBe(499);
    expect(findNode(first, '/h199')).toMatchObject({ type: 'hardlink', linkTarget: '/s40/f1', size: 1 });
    expect(findNode(first, '/s40/d/deep')?.size).toBe(2);
    expect(findNode(first, '/elsewhere/after')?.size).toBe(3);
    expect(findNode(first, '/h-after')).toMatchObject({ linkTarget: '/elsewhere/after', size: 3 });
    expect(resolvePath(first, '/s0/f3')).toMatchObject({ ok: false, reason: 'not-found' });
    const second = filesystem.rootAfter(1);
    expect(findNode(second, '/s40/later')?.size).toBe(4);
    expect(resolvePath(second, '/s0/f3')).toMatchObject({ ok: true, node: { path: '/s40/f3' } });
  });

  it('runs of .. in a symlink target climb as far as they say and stop at the root', () => {
    const root = mergeLayers([
      layer('f:etc/conf:7', 'd:a/b/c', 'l:a/b/c/up3:../../../etc', 'l:a/b/c/up2:../../x/../..', 'l:a/b/c/far:../../../../../../etc'),
    ]);
    expect(resolvePath(root, '/a/b/c/up3/conf')).toMatchObject({ ok: true, node: { path: '/etc/conf' } });
    expect(resolvePath(root, '/a/b/c/far/conf')).toMatchObject({ ok: true, node: { path: '/etc/conf' } });
    // `x` does not exist: the lookup fails there, as the kernel's does.
    expect(resolvePath(root, '/a/b/c/up2')).toMatchObject({ ok: false, reason: 'not-found', path: '/a/x' });
  });

  it('skips paths and link targets as long as PATH_MAX or longer, as extraction fails on them (ENAMETOOLONG)', () => {
    const deepTarget = 'a/'.repeat(300_000);
    const deepPath = 'd/'.repeat(2_000) + 'file';
    const tooDeep = 'e/'.repeat(20_000) + 'file';
    const filesystem = new LayeredFilesystem();
    filesystem.applyLayer(
      layer(`l:deep:${deepTarget}`, `f:${deepPath}:3`, `f:${tooDeep}:1`, `l:max:${'m'.repeat(4096)}`, `l:under:${'u'.repeat(4095)}`),
    );
    filesystem.applyLayer(layer('f:deep/x:1', 'f:ok:1'));
    const root = filesystem.rootAfter(1);
    expect(resolvePath(root, `/${deepPath}`)).toMatchObject({ ok: true, node: { size: 3 } });
    expect(filesystem.skippedEntries(0)).toEqual([0, 2, 3]);
    expect(findNode(root, '/under')?.type).toBe('symlink');
    expect(filesystem.skippedEntries(1)).toEqual([]);
    expect(findNode(root, '/ok')?.size).toBe(1);
    // The too-long link was never made, so deep/ is an ordinary directory.
    expect(resolvePath(root, '/deep/x')).toMatchObject({ ok: true, node: { size: 1 } });
    const longest = Math.max(...mergedFileList(root).map((e) => e.path.length));
    expect(longest).toBeLessThanOrEqual(4096);
  });
});

describe('searchEntries', () => {
  const filesystem = new LayeredFilesystem();
  filesystem.applyLayer(
    layer('d:usr/lib', 'f:usr/lib/libc.so.6:10', 'f:usr/lib/libm.so.6:5', 'f:etc/Conf.json:1'),
  );
  filesystem.applyLayer(layer('f:usr/lib/.wh.libm.so.6', 'f:usr/lib/libc.so.6:11'));

  it('finds members of every layer and tells which survive', () => {
    const result = searchEntries(filesystem, { text: 'lib*.so.*', mode: 'glob' }, 1);
    expect(result.hits.map((h) => [h.path, h.layer, h.type, h.survives])).toEqual([
      ['/usr/lib/libc.so.6', 0, 'file', false],
      ['/usr/lib/libm.so.6', 0, 'file', false],
      ['/usr/lib/libm.so.6', 1, 'whiteout', false],
      ['/usr/lib/libc.so.6', 1, 'file', true],
    ]);
    expect(
      searchEntries(filesystem, { text: 'lib*.so.*', mode: 'glob' }, 0).hits.every(
        (h) => h.survives,
      ),
    ).toBe(true);
  });

  it('matches substrings case-insensitively, globs with slashes on the whole path, and regexes', () => {
    expect(searchEntries(filesystem, { text: 'conf', mode: 'substring' }, 1).hits).toHaveLength(1);
    expect(
      searchEntries(filesystem, { text: 'conf', mode: 'substring', caseSensitive: true }, 1).hits,
    ).toHaveLength(0);
    expect(searchEntries(filesystem, { text: 'usr/*/libc*', mode: 'glob' }, 1).hits).toHaveLength(
      2,
    );
    expect(searchEntries(filesystem, { text: '/usr/**', mode: 'glob' }, 1).hits).toHaveLength(5);
    expect(searchEntries(filesystem, { text: 'lib[cm].so', mode: 'glob' }, 1).hits).toHaveLength(0);
    expect(searchEntries(filesystem, { text: '\\.so\\.6$', mode: 'regex' }, 1).hits).toHaveLength(
      4,
    );
  });

  it('caps the hits and says so', () => {
    const result = searchEntries(filesystem, { text: '', mode: 'substring' }, 1, 3);
    expect(result).toMatchObject({ capped: true, limit: 3 });
    expect(result.hits).toHaveLength(3);
  });

  it('rejects an invalid regular expression with an InspectError naming the pattern', () => {
    expect(() => searchEntries(filesystem, { text: 'lib(', mode: 'regex' }, 1)).toThrow(
      InspectError,
    );
    expect(() => searchEntries(filesystem, { text: 'lib(', mode: 'regex' }, 1)).toThrow(
      /Invalid search pattern "lib\("/,
    );
  });
});
