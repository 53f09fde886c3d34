import { describe, expect, it } from 'vitest';
import {
  absolutePath,
  baseName,
  cleanPath,
  isUnsafePath,
  joinPath,
  parentPath,
  whiteoutTarget,
} from '../../../../src/core/fs/whiteout';

describe('layer paths', () => {
  it('cleans names like path.Clean and never climbs above the root', () => {
    expect(cleanPath('./usr//bin/./env')).toBe('usr/bin/env');
    expect(cleanPath('/a/./b/../c/')).toBe('a/c');
    expect(cleanPath('../../etc/passwd')).toBe('etc/passwd');
    expect(cleanPath('a/../../..')).toBe('');
    expect(cleanPath('./')).toBe('');
  });

  it('flags absolute names and .. components as unsafe, and nothing else', () => {
    expect(isUnsafePath('/etc/passwd')).toBe(true);
    expect(isUnsafePath('a/../b')).toBe(true);
    expect(isUnsafePath('..')).toBe(true);
    expect(isUnsafePath('a/..b/c')).toBe(false);
    expect(isUnsafePath('./a')).toBe(false);
  });

  it('splits and joins paths', () => {
    expect(parentPath('a/b/c')).toBe('a/b');
    expect(parentPath('a')).toBe('');
    expect(baseName('a/b/c')).toBe('c');
    expect(baseName('a')).toBe('a');
    expect(joinPath('', 'a')).toBe('a');
    expect(joinPath('a', 'b')).toBe('a/b');
    expect(absolutePath('a/b')).toBe('/a/b');
  });
});

describe('whiteoutTarget', () => {
  it('maps .wh.<name> to the deleted path', () => {
    expect(whiteoutTarget('usr/bin/.wh.tool')).toEqual({ kind: 'whiteout', path: 'usr/bin/tool' });
    expect(whiteoutTarget('.wh.etc')).toEqual({ kind: 'whiteout', path: 'etc' });
    expect(whiteoutTarget('a/.wh..hidden')).toEqual({ kind: 'whiteout', path: 'a/.hidden' });
  });

  it('maps the opaque marker to its directory', () => {
    expect(whiteoutTarget('usr/lib/.wh..wh..opq')).toEqual({ kind: 'opaque', path: 'usr/lib' });
    expect(whiteoutTarget('.wh..wh..opq')).toEqual({ kind: 'opaque', path: '' });
  });

  it('ignores ordinary names and whiteouts that name nothing', () => {
    expect(whiteoutTarget('usr/bin/tool')).toBeNull();
    expect(whiteoutTarget('a/x.wh.b')).toBeNull();
    expect(whiteoutTarget('a/.wh.')).toBeNull();
    expect(whiteoutTarget('a/.wh..')).toBeNull();
  });
});
