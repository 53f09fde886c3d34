import { describe, expect, it } from 'vitest';
import { formatMode } from '../../../src/lib/file-mode';

describe('formatMode', () => {
  it('formats permissions like ls -l', () => {
    expect(formatMode('file', 0o644)).toBe('-rw-r--r--');
    expect(formatMode('dir', 0o755)).toBe('drwxr-xr-x');
    expect(formatMode('symlink', 0o777)).toBe('lrwxrwxrwx');
  });
  it('shows setuid, setgid and sticky bits with and without execute', () => {
    expect(formatMode('file', 0o4755)).toBe('-rwsr-xr-x');
    expect(formatMode('file', 0o2644)).toBe('-rw-r-Sr--');
    expect(formatMode('dir', 0o1777)).toBe('drwxrwxrwt');
    expect(formatMode('dir', 0o1776)).toBe('drwxrwxrwT');
  });
});
