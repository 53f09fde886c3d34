/**
 * `hexdump -C` style lines for the binary viewer: offset, 16 bytes in hex
 * (two groups of 8), and the printable ASCII (0x20–0x7e) with dots elsewhere.
 */

/** Bytes per hex line. */
export const HEX_LINE_BYTES = 16;

/** One line of a hex dump. */
export interface HexLine {
  /** Offset in the file, 8+ hex digits. */
  offset: string;
  hex: string;
  ascii: string;
}

/** Line `line` of `bytes`, whose first byte is at `baseOffset` in the file. */
export function hexLine(bytes: Uint8Array, line: number, baseOffset: number): HexLine {
  const start = line * HEX_LINE_BYTES;
  const end = Math.min(bytes.length, start + HEX_LINE_BYTES);
  let hex = '';
  let ascii = '';
  for (let i = start; i < start + HEX_LINE_BYTES; i++) {
    if (i === start + 8) hex += ' ';
    if (i < end) {
      const byte = bytes[i];
      hex += `${byte.toString(16).padStart(2, '0')} `;
      ascii += byte >= 0x20 && byte <= 0x7e ? String.fromCharCode(byte) : '.';
    } else {
      hex += '   ';
    }
  }
  return { offset: (baseOffset + start).toString(16).padStart(8, '0'), hex: hex.trimEnd(), ascii };
}

/** Number of hex lines `length` bytes take. */
export function hexLineCount(length: number): number {
  return Math.ceil(length / HEX_LINE_BYTES);
}
