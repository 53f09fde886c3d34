/**
 * Paging a text file that is too big to hold as one string: pages end after
 * a newline byte, so no line (and no UTF-8 sequence: 0x0a never occurs inside
 * one) is split between pages, unless a single line is longer than a page.
 */

/** Bytes read per page of the text viewer. */
export const TEXT_PAGE_BYTES = 1 << 20;

/**
 * How many bytes of `bytes` (read at some offset) make a whole page: up to and
 * including the last newline, or everything when `atEnd` (the file ends
 * there) or when there is no newline at all.
 */
export function pageLength(bytes: Uint8Array, atEnd: boolean): number {
  if (atEnd) return bytes.length;
  const last = bytes.lastIndexOf(0x0a);
  return last < 0 ? bytes.length : last + 1;
}

/**
 * Lines of a decoded page. A page ending in a newline has no empty last line
 * (the newline ends the line, as `wc -l` counts), `\r\n` is one break.
 */
export function pageLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
