/**
 * What a file is, from its first bytes (magic numbers, as file(1) and the
 * WHATWG MIME sniffing standard use them: https://mimesniff.spec.whatwg.org/)
 * and, for text formats that have no magic, its name. Decides how the file
 * viewer shows it; the bytes are never executed or rendered as markup.
 */

import { isElf } from './elf';

/** The kinds the file viewer distinguishes. */
export type FileKind = 'elf' | 'png' | 'jpeg' | 'gif' | 'webp' | 'svg' | 'json' | 'text' | 'binary';

/** How many leading bytes {@link detectFileKind} looks at (more are ignored). */
export const SNIFF_LENGTH = 4096;

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  return prefix.every((byte, i) => bytes[at + i] === byte);
}

const ascii = (text: string): number[] => [...text].map((char) => char.charCodeAt(0));

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const GIF87 = ascii('GIF87a');
const GIF89 = ascii('GIF89a');
const RIFF = ascii('RIFF');
const WEBP = ascii('WEBP');

/**
 * Drops an incomplete UTF-8 sequence at the end (the sniffed bytes are a
 * prefix and may cut a character in two).
 */
function withoutTruncatedTail(bytes: Uint8Array): Uint8Array {
  let start = bytes.length - 1;
  while (start >= 0 && start > bytes.length - 4 && (bytes[start] & 0xc0) === 0x80) start -= 1;
  if (start < 0) return bytes;
  const lead = bytes[start];
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return bytes.length - start < need ? bytes.subarray(0, start) : bytes;
}

/**
 * True when the bytes are UTF-8 text: they decode strictly and hold no NUL
 * and almost no control characters other than tab, newline, carriage return
 * and form feed (what `file` and git's binary check consider text).
 */
export function looksLikeText(bytes: Uint8Array): boolean {
  const sample = withoutTruncatedTail(bytes.subarray(0, SNIFF_LENGTH));
  let controls = 0;
  for (const byte of sample) {
    if (byte === 0) return false;
    if (
      byte < 0x20 &&
      byte !== 0x09 &&
      byte !== 0x0a &&
      byte !== 0x0d &&
      byte !== 0x0c &&
      byte !== 0x1b
    ) {
      controls += 1;
    }
  }
  if (controls > sample.length / 100) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample);
    return true;
  } catch {
    return false;
  }
}

function lowerName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1).toLowerCase();
}

/** `<svg` as the first element: after an optional BOM, XML declaration, comments and doctype. */
function isSvgText(text: string): boolean {
  const head = text.replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('<svg')) return true;
  return /^<(\?xml|!--|!DOCTYPE svg)/i.test(head) && /<svg[\s>]/.test(head);
}

/**
 * Classifies a file by its first bytes (pass at least the first 4 KiB when
 * the file is that long) and its name. Images and ELF by magic number; SVG
 * and JSON by name or leading text; then UTF-8 text or binary.
 */
export function detectFileKind(firstBytes: Uint8Array, name: string): FileKind {
  if (isElf(firstBytes)) return 'elf';
  if (startsWith(firstBytes, PNG)) return 'png';
  if (startsWith(firstBytes, JPEG)) return 'jpeg';
  if (startsWith(firstBytes, GIF87) || startsWith(firstBytes, GIF89)) return 'gif';
  if (startsWith(firstBytes, RIFF) && startsWith(firstBytes, WEBP, 8)) return 'webp';
  if (!looksLikeText(firstBytes)) return 'binary';
  const lower = lowerName(name);
  const text = new TextDecoder('utf-8').decode(firstBytes.subarray(0, SNIFF_LENGTH));
  if (lower.endsWith('.svg') || isSvgText(text)) return 'svg';
  if (lower.endsWith('.json')) return 'json';
  return 'text';
}
