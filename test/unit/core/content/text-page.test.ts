import { describe, expect, test } from 'vitest';
import { pageLength, pageLines } from '../../../../src/core/content/text-page';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('pageLength', () => {
  test('a page ends after its last newline, so no line or UTF-8 character is cut', () => {
    const page = bytes('one\ntwo\nthré');
    const length = pageLength(page, false);
    expect(new TextDecoder().decode(page.subarray(0, length))).toBe('one\ntwo\n');
  });

  test('the end of the file, or a line longer than a page, is taken whole', () => {
    expect(pageLength(bytes('one\ntwo'), true)).toBe(7);
    expect(pageLength(bytes('no newline at all'), false)).toBe(17);
  });
});

describe('pageLines', () => {
  test('a final newline ends the last line; CRLF is one break', () => {
    expect(pageLines('a\r\nb\n')).toEqual(['a', 'b']);
    expect(pageLines('a\n\nb')).toEqual(['a', '', 'b']);
    expect(pageLines('')).toEqual([]);
  });

  test('pages joined give the lines of the whole text, as wc -l counts them', () => {
    const text = Array.from({ length: 1000 }, (_, i) => `line ${i} ${'é'.repeat(i % 5)}`).join('\n') + '\n';
    const all = bytes(text);
    const lines: string[] = [];
    const decoder = new TextDecoder();
    for (let offset = 0; offset < all.length; ) {
      const chunk = all.subarray(offset, Math.min(all.length, offset + 333));
      const atEnd = offset + chunk.length >= all.length;
      const used = pageLength(chunk, atEnd);
      lines.push(...pageLines(decoder.decode(chunk.subarray(0, used))));
      offset += used;
    }
    expect(lines).toEqual(text.trimEnd().split('\n'));
  });
});
