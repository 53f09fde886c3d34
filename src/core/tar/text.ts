/**
 * Text in tar headers: names, link targets, owner names and pax values are
 * bytes. POSIX says pax values are UTF-8, but GNU tar stores whatever bytes
 * the file system gave it (a latin-1 `caf\xe9` stays one byte), and ustar
 * fields were never UTF-8 to begin with.
 *
 * A lossy decoding would make two different names the same string (`caf\xe9`
 * and `caf\xe8` both `caf\uFFFD`), so two members would collapse into one
 * file. Bytes are decoded as Python's `surrogateescape` does (PEP 383): valid
 * UTF-8 as itself, every byte that is not part of a valid sequence as the
 * lone surrogate U+DC00 + byte (U+DC80–U+DCFF). Valid UTF-8 never yields a
 * lone surrogate, so the decoding is injective and `tarTextBytes` gives the
 * stored bytes back exactly.
 */

/** Rejects invalid UTF-8 instead of replacing it; keeps a leading BOM (it is part of the name). */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const ESCAPE_BASE = 0xdc00;

function isContinuation(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x80 && byte <= 0xbf;
}

/** Length of the valid UTF-8 sequence starting at `at`, or 0 when the byte there starts none. */
function sequenceLength(bytes: Uint8Array, at: number): number {
  const lead = bytes[at];
  if (lead < 0x80) return 1;
  const second = bytes[at + 1];
  if (lead >= 0xc2 && lead <= 0xdf) return isContinuation(second) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    // No overlongs (E0 80–9F) and no encoded surrogates (ED A0–BF): RFC 3629 § 4.
    const low = lead === 0xe0 ? 0xa0 : 0x80;
    const high = lead === 0xed ? 0x9f : 0xbf;
    const valid = second !== undefined && second >= low && second <= high && isContinuation(bytes[at + 2]);
    return valid ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    const low = lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xf4 ? 0x8f : 0xbf;
    const valid =
      second !== undefined &&
      second >= low &&
      second <= high &&
      isContinuation(bytes[at + 2]) &&
      isContinuation(bytes[at + 3]);
    return valid ? 4 : 0;
  }
  return 0;
}

function escapedDecode(bytes: Uint8Array): string {
  let out = '';
  let runStart = 0;
  let at = 0;
  while (at < bytes.length) {
    const length = sequenceLength(bytes, at);
    if (length > 0) {
      at += length;
      continue;
    }
    out += strictUtf8.decode(bytes.subarray(runStart, at));
    out += String.fromCharCode(ESCAPE_BASE + bytes[at]);
    at += 1;
    runStart = at;
  }
  return out + strictUtf8.decode(bytes.subarray(runStart, at));
}

/** Decodes header bytes injectively (see the module comment). */
export function decodeTarText(bytes: Uint8Array): string {
  try {
    // The common case, valid UTF-8 (ASCII above all), decoded natively.
    return strictUtf8.decode(bytes);
  } catch {
    return escapedDecode(bytes);
  }
}

/** Decodes the bytes of a NUL-terminated field (up to its first NUL). */
export function decodeTarField(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return decodeTarText(end < 0 ? bytes : bytes.subarray(0, end));
}

/** True when `text` holds a byte that was not valid UTF-8 (an escape from decodeTarText). */
export function hasEscapedBytes(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code >= 0xdc80 && code <= 0xdcff && !isLowHalfOfPair(text, i)) return true;
  }
  return false;
}

function isLowHalfOfPair(text: string, at: number): boolean {
  const before = at > 0 ? text.charCodeAt(at - 1) : 0;
  return before >= 0xd800 && before <= 0xdbff;
}

const encoder = new TextEncoder();

/**
 * The bytes that decodeTarText decoded `text` from: escapes back to their
 * byte, everything else as UTF-8 (a lone surrogate that is no escape, which
 * decodeTarText never makes, becomes U+FFFD as TextEncoder writes it).
 */
export function tarTextBytes(text: string): Uint8Array {
  if (!hasEscapedBytes(text)) return encoder.encode(text);
  const parts: number[] = [];
  let runStart = 0;
  const flush = (end: number): void => {
    if (end > runStart) parts.push(...encoder.encode(text.slice(runStart, end)));
  };
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code >= 0xdc80 && code <= 0xdcff && !isLowHalfOfPair(text, i)) {
      flush(i);
      parts.push(code - ESCAPE_BASE);
      runStart = i + 1;
    }
  }
  flush(text.length);
  return Uint8Array.from(parts);
}

/**
 * A name for people: every escaped byte written as `\xNN` (GNU tar's
 * `--quoting-style=escape` writes `\351` for the same byte), so two names
 * that differ only in invalid bytes also look different on screen.
 */
export function displayTarText(text: string): string {
  if (!hasEscapedBytes(text)) return text;
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    out +=
      code >= 0xdc80 && code <= 0xdcff && !isLowHalfOfPair(text, i)
        ? `\\x${(code - ESCAPE_BASE).toString(16).toUpperCase()}`
        : text[i];
  }
  return out;
}
