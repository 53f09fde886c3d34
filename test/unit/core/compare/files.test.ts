/**
 * The file walk on layers written in the test: each kind of difference,
 * type changes with their subtrees, content decided by location or size or
 * left to a check, the shared-layer shortcut, and the content checks'
 * cache, errors and cancellation.
 */
import { describe, expect, it } from 'vitest';
import { compareFiles, settleContentChecks, type ContentHasher } from '../../../../src/core/compare/content-checks';
import { compareTrees, sharedLayerCount, type TreeSide } from '../../../../src/core/compare/files';
import { LayeredFilesystem } from '../../../../src/core/fs/filesystem';
import type { TarEntry } from '../../../../src/core/types';

let offset = 0;
function member(path: string, fields: Partial<TarEntry> = {}): TarEntry {
  offset += 1024;
  return { path, type: 'file', size: 4, mode: 0o644, uid: 0, gid: 0, mtime: 1, linkTarget: null, offset, whiteout: null, ...fields };
}
const dir = (path: string, fields: Partial<TarEntry> = {}) => member(path, { type: 'dir', size: 0, mode: 0o755, ...fields });
const whiteout = (path: string) => member(path, { size: 0, whiteout: path.endsWith('.wh..wh..opq') ? 'opaque' : 'whiteout' });

function side(layers: TarEntry[][], diffIds: string[], layer = layers.length - 1): TreeSide {
  const filesystem = new LayeredFilesystem();
  for (const entries of layers) filesystem.applyLayer(entries);
  return { filesystem, layer, diffIds };
}

const base = [dir('etc'), member('etc/passwd'), member('etc/group'), dir('usr'), dir('usr/lib'), member('usr/lib/libc.so', { size: 100 }), member('usr/lib/libm.so', { size: 50 })];

const changes = (trees: ReturnType<typeof compareTrees>) => trees.differences.map((item) => [item.path, item.change, item.differences]);

describe('compareTrees', () => {
  it('reports each kind of metadata change, in path order', () => {
    const left = side([base, [member('etc/motd'), member('bin', { type: 'symlink', size: 0, linkTarget: 'usr/bin' })]], ['sha256:a', 'sha256:b']);
    const right = side(
      [base, [member('etc/passwd', { mode: 0o600, uid: 1, size: 5 }), whiteout('etc/.wh.group'), member('bin', { type: 'symlink', size: 0, linkTarget: 'usr/sbin' }), member('opt/new')]],
      ['sha256:a', 'sha256:c'],
    );
    const trees = compareTrees(left, right);
    expect(changes(trees)).toEqual([
      ['/bin', 'changed', ['linkTarget']],
      ['/etc/group', 'removed', []],
      ['/etc/motd', 'removed', []],
      ['/etc/passwd', 'changed', ['size', 'mode', 'owner', 'content']],
      ['/opt', 'added', []],
      ['/opt/new', 'added', []],
    ]);
    expect(trees.sharedLayers).toBe(1);
    expect(trees.checks).toEqual([]);
  });

  it('lists every path under a directory that became a file, and under a file that became a directory', () => {
    const left = side([base], ['sha256:a']);
    const right = side([[dir('etc'), member('etc/passwd'), member('etc/group'), member('usr', { size: 9 }), dir('etc/group.d'), dir('x'), member('x/y')]], ['sha256:z']);
    const trees = compareTrees(left, { ...right });
    expect(changes(trees).filter(([path]) => String(path).startsWith('/usr'))).toEqual([
      ['/usr', 'changed', ['type', 'size', 'mode']],
      ['/usr/lib', 'removed', []],
      ['/usr/lib/libc.so', 'removed', []],
      ['/usr/lib/libm.so', 'removed', []],
    ]);
  });

  it('knows equal content from the layer and offset, unequal from the size, and asks for the rest', () => {
    const upper = [member('usr/lib/libc.so', { size: 100 }), member('usr/lib/libm.so', { size: 51 })];
    const left = side([base], ['sha256:a']);
    const rebuilt = side([base.map((entry) => ({ ...entry }))], ['sha256:a2']);
    const updated = side([base, upper], ['sha256:a', 'sha256:u']);
    expect(compareTrees(left, side([base], ['sha256:a'])).compared).toBe(0);
    const sameBytesElsewhere = compareTrees(left, rebuilt);
    expect(sameBytesElsewhere.differences).toEqual([]);
    expect(sameBytesElsewhere.checks.map((check) => check.path)).toEqual(['/etc/group', '/etc/passwd', '/usr/lib/libc.so', '/usr/lib/libm.so']);
    const trees = compareTrees(left, updated);
    expect(changes(trees)).toEqual([['/usr/lib/libm.so', 'changed', ['size', 'content']]]);
    expect(trees.checks.map((check) => [check.path, check.differences])).toEqual([['/usr/lib/libc.so', []]]);
  });

  it('compares hard links by target and device nodes by their numbers', () => {
    const layer = [dir('dev'), member('dev/null', { type: 'char', size: 0, devMajor: 1, devMinor: 3 }), member('a'), member('b', { type: 'hardlink', size: 0, linkTarget: 'a' })];
    const other = [dir('dev'), member('dev/null', { type: 'char', size: 0, devMajor: 1, devMinor: 5 }), member('a'), member('c'), member('b', { type: 'hardlink', size: 0, linkTarget: 'c' })];
    const trees = compareTrees(side([layer], ['sha256:1']), side([other], ['sha256:2']));
    expect(changes(trees)).toEqual([
      ['/c', 'added', []],
      ['/dev/null', 'changed', ['content']],
    ]);
    // Changed whatever the bytes say; the check only adds whether the content changed too.
    expect(trees.checks.map((check) => [check.path, check.differences])).toEqual([
      ['/a', []],
      ['/b', ['linkTarget']],
    ]);
  });

  it('compares at chosen layers, and counts shared layers only up to them', () => {
    const layers = [base, [member('etc/motd')], [member('etc/issue')]];
    const full = side(layers, ['sha256:a', 'sha256:b', 'sha256:c']);
    expect(sharedLayerCount({ ...full, layer: 0 }, full)).toBe(1);
    expect(changes(compareTrees({ ...full, layer: 0 }, full))).toEqual([
      ['/etc/issue', 'added', []],
      ['/etc/motd', 'added', []],
    ]);
    expect(sharedLayerCount(full, side(layers, ['sha256:a', null as unknown as string, 'sha256:c']))).toBe(1);
  });
});

describe('settleContentChecks', () => {
  const left = side([base], ['sha256:a']);
  const right = side([base.map((entry) => ({ ...entry })), [member('usr/lib/libm.so', { size: 50 })]], ['sha256:b', 'sha256:c']);
  const bytesOf = (path: string, side: string) => (path === '/usr/lib/libm.so' && side === 'right' ? 'patched' : `same ${path}`);

  it('hashes each content location once and reports the files whose bytes differ', async () => {
    const calls: string[] = [];
    const hasher: ContentHasher = async (_signal, which, node) => {
      calls.push(`${which} ${node.path}`);
      return bytesOf(node.path, which);
    };
    const trees = compareTrees(left, right);
    expect(trees.checks).toHaveLength(4);
    const settled = await settleContentChecks(new AbortController().signal, [...trees.checks, ...trees.checks], hasher, { diffIds: { left: left.diffIds, right: right.diffIds }, concurrency: 3 });
    expect(settled.differences.map((item) => [item.path, item.differences])).toEqual([
      ['/usr/lib/libm.so', ['content']],
      ['/usr/lib/libm.so', ['content']],
    ]);
    expect(calls).toHaveLength(8);
    expect(new Set(calls).size).toBe(8);
  });

  it('names the files it could not read, and keeps going', async () => {
    const hasher: ContentHasher = async (_signal, which, node) => {
      if (node.path === '/etc/group') throw new Error('the layer is gone');
      return bytesOf(node.path, which);
    };
    const files = await compareFiles(new AbortController().signal, left, right, hasher);
    expect(files.errors).toEqual([{ code: 'internal', message: 'the layer is gone', path: '/etc/group' }]);
    expect(files.differences.map((item) => item.path)).toEqual(['/usr/lib/libm.so']);
    expect(files.contentChecks).toBe(4);
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    const hasher: ContentHasher = async (_signal, which, node) => {
      controller.abort();
      return bytesOf(node.path, which);
    };
    await expect(compareFiles(controller.signal, left, right, hasher, { concurrency: 1 })).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('DifferenceTree', () => {
  it('lists a directory’s changed children with the changes beneath them, filtered by kind', async () => {
    const { DifferenceTree } = await import('../../../../src/core/compare/difference-tree');
    const left = side([base], ['sha256:a']);
    const right = side([base.map((entry) => ({ ...entry })), [member('etc/passwd', { mode: 0o600 }), whiteout('etc/.wh.group'), member('opt/new/file'), member('usr/lib/libc.so', { size: 101 })]], ['sha256:b', 'sha256:c']);
    const trees = compareTrees(left, right);
    const tree = new DifferenceTree(trees.differences, trees.checks);
    expect(tree.counts).toEqual({ added: 3, removed: 1, changed: 2, checking: 1 });
    const top = tree.children('/');
    expect(top.map((row) => [row.name, row.change, row.beneath])).toEqual([
      ['etc', null, { added: 0, removed: 1, changed: 1, checking: 0 }],
      ['opt', 'added', { added: 2, removed: 0, changed: 0, checking: 0 }],
      ['usr', null, { added: 0, removed: 0, changed: 1, checking: 1 }],
    ]);
    expect(tree.children('/etc').map((row) => [row.name, row.change, row.differences, row.contentPending])).toEqual([
      ['group', 'removed', [], false],
      ['passwd', 'changed', ['mode'], true],
    ]);
    expect(tree.children('/usr/lib').map((row) => [row.name, row.change, row.contentPending])).toEqual([
      ['libc.so', 'changed', false],
      ['libm.so', 'checking', true],
    ]);
    expect(tree.children('/', ['added']).map((row) => row.name)).toEqual(['opt']);
    expect(tree.children('/', ['removed']).map((row) => [row.name, row.beneath.removed, row.beneath.changed])).toEqual([['etc', 1, 0]]);
    expect(tree.children('/nowhere')).toEqual([]);
  });
});
