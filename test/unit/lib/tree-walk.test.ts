import { describe, expect, test } from 'vitest';
import { ancestorsOf, findByPrefix, flattenTree, moveCursor, parentOf } from '../../../src/lib/tree-walk';

interface Node {
  path: string;
  hasChildren: boolean;
}

const dir = (path: string): Node => ({ path, hasChildren: true });
const file = (path: string): Node => ({ path, hasChildren: false });

const children = new Map<string, Node[]>([
  ['/', [dir('/bin'), dir('/etc'), file('/README')]],
  ['/bin', [file('/bin/sh')]],
  ['/etc', [dir('/etc/ssl'), file('/etc/passwd')]],
  ['/etc/ssl', [file('/etc/ssl/cert.pem')]],
]);

describe('flattenTree', () => {
  test('collapsed: only the top level', () => {
    const rows = flattenTree('/', (d) => children.get(d), new Set());
    expect(rows.map((r) => [r.node.path, r.depth, r.expanded])).toEqual([
      ['/bin', 0, false],
      ['/etc', 0, false],
      ['/README', 0, false],
    ]);
  });

  test('expanded directories show their children depth-first, in order', () => {
    const rows = flattenTree('/', (d) => children.get(d), new Set(['/etc', '/etc/ssl']));
    expect(rows.map((r) => `${'  '.repeat(r.depth)}${r.node.path}`)).toEqual([
      '/bin',
      '/etc',
      '  /etc/ssl',
      '    /etc/ssl/cert.pem',
      '  /etc/passwd',
      '/README',
    ]);
  });

  test('a collapsed parent hides an expanded child; a directory not fetched yet is loading', () => {
    const rows = flattenTree('/', (d) => (d === '/bin' ? undefined : children.get(d)), new Set(['/etc/ssl', '/bin']));
    expect(rows.map((r) => r.node.path)).toEqual(['/bin', '/etc', '/README']);
    expect(rows[0]).toMatchObject({ expanded: true, loading: true });
  });

  test('a 10,000-level deep tree does not overflow the stack', () => {
    const deep = new Map<string, Node[]>();
    const expanded = new Set<string>();
    let parent = '/';
    for (let i = 0; i < 10_000; i++) {
      const path = `${parent === '/' ? '' : parent}/d`;
      deep.set(parent, [dir(path)]);
      expanded.add(path);
      parent = path;
    }
    const rows = flattenTree('/', (d) => deep.get(d), expanded);
    expect(rows).toHaveLength(10_000);
    expect(rows[9_999].depth).toBe(9_999);
  });

  test('nothing before the root is fetched', () => {
    expect(flattenTree('/', () => undefined, new Set())).toEqual([]);
  });
});

describe('paths', () => {
  test('ancestorsOf', () => {
    expect(ancestorsOf('/a/b/c')).toEqual(['/', '/a', '/a/b']);
    expect(ancestorsOf('/a')).toEqual(['/']);
  });

  test('parentOf', () => {
    expect(parentOf('/a/b')).toBe('/a');
    expect(parentOf('/a')).toBe('/');
    expect(parentOf('/')).toBeNull();
  });
});

describe('keys', () => {
  test('moveCursor clamps at both ends and pages', () => {
    expect(moveCursor('ArrowDown', 4, 5, 10)).toBe(4);
    expect(moveCursor('k', 0, 5, 10)).toBe(0);
    expect(moveCursor('j', 1, 5, 10)).toBe(2);
    expect(moveCursor('End', 0, 5, 10)).toBe(4);
    expect(moveCursor('Home', 3, 5, 10)).toBe(0);
    expect(moveCursor('PageDown', 0, 100, 10)).toBe(10);
    expect(moveCursor('PageUp', 5, 100, 10)).toBe(0);
    expect(moveCursor('x', 0, 5, 10)).toBeNull();
    expect(moveCursor('ArrowDown', 0, 0, 10)).toBeNull();
  });

  test('findByPrefix wraps around and ignores case', () => {
    const names = ['bin', 'etc', 'Etc2', 'usr'];
    expect(findByPrefix(names, 'e', 0)).toBe(1);
    expect(findByPrefix(names, 'e', 2)).toBe(2);
    expect(findByPrefix(names, 'b', 3)).toBe(0);
    expect(findByPrefix(names, 'zz', 0)).toBeNull();
  });
});
