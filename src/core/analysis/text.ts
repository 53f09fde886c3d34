/**
 * Small text helpers of the analyses: byte sizes in messages, masked secret
 * values, and decoding file heads that may be binary.
 */

/** `45.7 MB` style (SI, as docker and dive print sizes), exact bytes below 1 kB. */
export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * A secret value as reports may show it: never in full. At most a quarter
 * of it (and never more than 4 characters) from its start, which is enough
 * to tell an `AKIA` key from a `ghp_` token, then its length:
 * `AKIA…(20 characters)`, `h…(7 characters)`.
 */
export function maskSecret(value: string): string {
  const shown = Math.min(4, Math.floor(value.length / 4));
  return `${value.slice(0, shown)}…(${value.length} characters)`;
}

/** True when a file head looks binary (a NUL byte in it), so that text patterns do not apply. */
export function looksBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, 8192).includes(0);
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Decodes bytes as UTF-8, invalid sequences replaced (file contents are untrusted). */
export function decodeText(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}
