/**
 * Numbers in tar headers, read exactly as GNU tar 1.34 reads them (list.c
 * from_header, xheader.c decode_num and decode_time), which is what
 * `tar -tv` shows and `tar -x` applies. Each rule below was checked against
 * GNU tar on hand-made headers (test/unit/core/tar/fields.test.ts).
 *
 * Header fields: one leading NUL is skipped, then blanks; octal digits up to
 * a NUL, a blank or the end of the field; a first byte 0x80 (positive) or
 * 0xff (negative) starts GNU base-256, two's complement; `+`/`-` start the
 * obsolescent base-64 of tar 1.13.6–1.13.11. Anything else is an error that
 * GNU tar reports while it goes on with -1 in the field's type.
 *
 * Pax values: uid, gid and size are plain decimal digits and nothing else;
 * times are `[-]digits[.digits]`, trailing bytes ignored, truncated towards
 * minus infinity at the nanosecond. A bad value is reported and the header
 * field's value is kept.
 */

/** The C types GNU tar reads fields into, with their ranges on Linux x86-64/arm64. */
export type FieldType = 'uid' | 'time' | 'size' | 'device' | 'mode';

const RANGES: Record<Exclude<FieldType, 'mode'>, [bigint, bigint]> = {
  uid: [0n, 2n ** 32n - 1n],
  time: [-(2n ** 63n), 2n ** 63n - 1n],
  size: [0n, 2n ** 63n - 1n],
  // major_t/minor_t are int: out of range beyond 2^31, shown as unsigned.
  device: [-(2n ** 31n), 2n ** 31n - 1n],
};

/** What GNU tar stores after an error: -1 in the field's C type. */
const AFTER_ERROR: Record<FieldType, number> = {
  uid: 2 ** 32 - 1,
  time: -1,
  size: -1,
  device: 2 ** 32 - 1,
  mode: 0o7777,
};

/** A number read from a header, and the reason GNU tar gives for refusing it (then `value` is what tar uses instead). */
export interface FieldNumber {
  value: number;
  problem: string | null;
}

const BASE64_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function isBlank(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

function isOctalDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x37;
}

function shown(field: Uint8Array): string {
  let out = '';
  for (const byte of field) {
    out += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\${byte.toString(8)}`;
  }
  return out;
}

/**
 * Parses the raw field (before range checks), or says why it is no number.
 * Octal, the common case, fits a double exactly (12 digits are 36 bits).
 */
function junk(block: Uint8Array, start: number, end: number): { problem: string } {
  return { problem: `contains '${shown(block.subarray(start, end))}' where a number is expected` };
}

/** Parses bytes [start, end) of a header block. */
function parseField(block: Uint8Array, start: number, end: number): number | bigint | { problem: string } {
  let at = block[start] === 0 ? start + 1 : start;
  while (at < end && isBlank(block[at])) at += 1;
  if (at === end) return { problem: 'is blank' };
  const first = block[at];
  if (isOctalDigit(first)) {
    let value = 0;
    for (; at < end && isOctalDigit(block[at]); at += 1) value = value * 8 + block[at] - 0x30;
    return at < end && block[at] !== 0 && !isBlank(block[at]) ? junk(block, start, end) : value;
  }
  if (first === 0x2b || first === 0x2d) {
    let value = 0n;
    for (at += 1; at < end; at += 1) {
      const digit = BASE64_DIGITS.indexOf(String.fromCharCode(block[at]));
      if (digit < 0) break;
      value = value * 64n + BigInt(digit);
    }
    return first === 0x2d ? -value : value;
  }
  if (first === 0x80 || first === 0xff) {
    let value = BigInt(first & 0x3f) - (first & 0x40 ? 64n : 0n);
    for (at += 1; at < end; at += 1) value = value * 256n + BigInt(block[at]);
    return value;
  }
  return first === 0 ? 0 : junk(block, start, end);
}

/**
 * Reads a numeric header field as GNU tar does. Mode is never out of range
 * (only its low 12 bits count); devices are shown unsigned, as tar shows them.
 */
export function readHeaderNumber(block: Uint8Array, offset: number, length: number, type: FieldType): FieldNumber {
  const read = parseField(block, offset, offset + length);
  if (typeof read === 'object') return { value: AFTER_ERROR[type], problem: read.problem };
  if (typeof read === 'number' && read <= 0o7777777) {
    // Fits every type (uid, time, size and device all hold 0–2,097,151).
    return { value: type === 'mode' ? read & 0o7777 : read, problem: null };
  }
  const parsed = BigInt(read);
  if (type === 'mode') return { value: Number(BigInt.asUintN(12, parsed)), problem: null };
  const [low, high] = RANGES[type];
  if (parsed < low || parsed > high) {
    return { value: AFTER_ERROR[type], problem: `value ${parsed} is out of range ${low}..${high}` };
  }
  const value = type === 'device' ? Number(BigInt.asUintN(32, parsed)) : Number(parsed);
  return { value, problem: null };
}

/** Seconds and nanoseconds (0–999,999,999) since the epoch; seconds may be negative. */
export interface TarTime {
  seconds: number;
  nanoseconds: number;
}

/** A pax value read, or why GNU tar refuses it ("malformed" or "out of range"). */
export type PaxNumber<T> = { value: T; problem: null } | { value: null; problem: string };

/** Pax uid/gid/size and GNU.sparse numbers: decimal digits only, at most `max`. */
export function readPaxInteger(text: string, max: bigint): PaxNumber<number> {
  if (!/^[0-9]+$/.test(text)) return { value: null, problem: 'is malformed' };
  const value = BigInt(text);
  if (value > max) return { value: null, problem: `is out of range 0..${max}` };
  return { value: Number(value), problem: null };
}

/** The largest uid/gid and the largest size GNU tar accepts in a pax record. */
export const PAX_MAX = { uid: 2n ** 32n - 1n, size: 2n ** 63n - 1n } as const;

const TIME_PATTERN = /^(-?)([0-9]+)(?:\.([0-9]*))?/;

/** Pax mtime/atime/ctime (xheader.c decode_time). */
export function readPaxTime(text: string): PaxNumber<TarTime> {
  const match = TIME_PATTERN.exec(text);
  if (match === null) return { value: null, problem: 'is malformed' };
  const [, sign, whole, fraction = ''] = match;
  let seconds = BigInt(whole) * (sign === '-' ? -1n : 1n);
  const [low, high] = RANGES.time;
  if (seconds < low || seconds > high) return { value: null, problem: `is out of range ${low}..${high}` };
  let nanoseconds = Number(fraction.slice(0, 9).padEnd(9, '0'));
  if (sign === '-') {
    // "-1.5" is 1.5 s before the epoch: -2 s + 0.5 s; any nonzero digit past the ninth rounds down too.
    if (/[1-9]/.test(fraction.slice(9))) nanoseconds += 1;
    if (nanoseconds !== 0) {
      if (seconds === low) return { value: null, problem: `is out of range ${low}..${high}` };
      seconds -= 1n;
      nanoseconds = 1_000_000_000 - nanoseconds;
    }
  }
  return { value: { seconds: Number(seconds), nanoseconds }, problem: null };
}
