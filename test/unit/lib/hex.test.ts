import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { hexLine, hexLineCount } from '../../../src/lib/hex';

describe('hexLine', () => {
  test('matches hexdump -C for every line of bytes 0..255 and a short tail', () => {
    const bytes = Uint8Array.from({ length: 261 }, (_, i) => i % 256);
    // hexdump -C: "00000000  00 01 … 07  08 … 0f  |........|"; `*` folding is off with -v.
    const reference = execFileSync('hexdump', ['-Cv'], { input: bytes, encoding: 'utf8' })
      .split('\n')
      .filter((line) => /^[0-9a-f]{8} {2}/.test(line));
    expect(reference).toHaveLength(hexLineCount(bytes.length));
    reference.forEach((line, i) => {
      const ours = hexLine(bytes, i, 0);
      const match = /^([0-9a-f]{8}) {2}(.*?)\s+\|(.*)\|$/.exec(line);
      expect(match).not.toBeNull();
      expect([ours.offset, ours.hex, ours.ascii]).toEqual([match![1], match![2], match![3]]);
    });
  });

  test('offsets count from the window start in the file', () => {
    expect(hexLine(new Uint8Array(32), 1, 0x10000).offset).toBe('00010010');
  });
});
