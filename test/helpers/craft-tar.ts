/**
 * Hand-made tar headers, byte by byte, for the cases real tools never write
 * (a negative base-256 size, junk in an octal field, two `x` headers in a
 * row, a sparse header flagged "extended" with an empty map…). GNU tar then
 * says how they read: test/helpers/gnu-tar-listing.ts.
 *
 * Layout: POSIX ustar (pax § ustar Interchange Format) and GNU's old header
 * (magic "ustar  \0", sparse map at 386, isextended at 482, realsize at 483).
 */

const BLOCK = 512;
const encoder = new TextEncoder();

/** Bytes to put at an offset of a header block, written after the named fields. */
export type RawFields = Record<number, Uint8Array | string>;

/** What a crafted header says; numbers are written in octal like GNU tar writes them. */
export interface CraftedHeader {
  name?: Uint8Array | string;
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
  mtime?: number;
  typeFlag?: string;
  linkName?: Uint8Array | string;
  /** 'ustar' (POSIX "ustar\0" "00"), 'gnu' ("ustar  \0") or 'v7' (none). */
  format?: 'ustar' | 'gnu' | 'v7';
  uname?: string;
  gname?: string;
  devMajor?: number;
  devMinor?: number;
  prefix?: Uint8Array | string;
  /** Overwrites bytes of the block (offset → bytes) before the checksum is computed. */
  raw?: RawFields;
}

function bytesOf(value: Uint8Array | string): Uint8Array {
  return typeof value === 'string' ? encoder.encode(value) : value;
}

function octal(value: number, width: number): Uint8Array {
  return encoder.encode(`${value.toString(8).padStart(width - 1, '0')}\0`);
}

/** GNU base-256 of `value` in `width` bytes (two's complement, high bit set). */
export function base256(value: bigint | number, width: number): Uint8Array {
  let remaining = BigInt.asUintN(8 * width, BigInt(value));
  const out = new Uint8Array(width);
  for (let i = width - 1; i >= 0; i -= 1) {
    out[i] = Number(remaining & 0xffn);
    remaining >>= 8n;
  }
  out[0] |= 0x80;
  return out;
}

/** Recomputes a header block's checksum (unsigned, as GNU tar writes it). */
export function fixChecksum(block: Uint8Array): Uint8Array {
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i += 1) sum += block[i];
  block.set(encoder.encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
  return block;
}

/** One header block. */
export function header(fields: CraftedHeader = {}): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const put = (offset: number, value: Uint8Array | string): void => block.set(bytesOf(value), offset);
  const format = fields.format ?? 'ustar';
  put(0, fields.name ?? 'f');
  put(100, octal(fields.mode ?? 0o644, 8));
  put(108, octal(fields.uid ?? 0, 8));
  put(116, octal(fields.gid ?? 0, 8));
  put(124, octal(fields.size ?? 0, 12));
  put(136, octal(fields.mtime ?? 0, 12));
  block[156] = (fields.typeFlag ?? '0').charCodeAt(0);
  put(157, fields.linkName ?? '');
  if (format !== 'v7') {
    put(257, format === 'gnu' ? 'ustar  \0' : 'ustar\u000000');
    put(265, fields.uname ?? '');
    put(297, fields.gname ?? '');
    put(329, octal(fields.devMajor ?? 0, 8));
    put(337, octal(fields.devMinor ?? 0, 8));
  }
  if (fields.prefix !== undefined) put(345, fields.prefix);
  for (const [offset, value] of Object.entries(fields.raw ?? {})) put(Number(offset), value);
  return fixChecksum(block);
}

/** Zero bytes up to the next block boundary. */
export function pad(data: Uint8Array): Uint8Array {
  return concatBytes(data, new Uint8Array((BLOCK - (data.length % BLOCK)) % BLOCK));
}

/** A member: its header, then its data padded to a block. */
export function member(fields: CraftedHeader & { data?: Uint8Array | string } = {}): Uint8Array {
  const data = bytesOf(fields.data ?? '');
  return concatBytes(header({ size: data.length, ...fields }), pad(data));
}

/** One pax record, `"<len> <key>=<value>\n"`. */
export function paxRecord(key: string, value: Uint8Array | string): Uint8Array {
  const body = concatBytes(encoder.encode(` ${key}=`), bytesOf(value), encoder.encode('\n'));
  let length = body.length + 1;
  while (String(length).length + body.length !== length) length += 1;
  return concatBytes(encoder.encode(String(length)), body);
}

/** A pax header (`x`, or `g` for global) with the given records, or with raw payload bytes. */
export function paxHeader(records: [string, Uint8Array | string][] | Uint8Array, typeFlag = 'x'): Uint8Array {
  const data = records instanceof Uint8Array ? records : concatBytes(...records.map(([k, v]) => paxRecord(k, v)));
  return concatBytes(header({ name: 'PaxHeaders/f', size: data.length, typeFlag }), pad(data));
}

/** A GNU long name (`L`) or long link (`K`) record. */
export function longNameRecord(typeFlag: 'L' | 'K', name: Uint8Array | string): Uint8Array {
  const data = concatBytes(bytesOf(name), new Uint8Array(1));
  return concatBytes(
    header({ name: '././@LongLink', size: data.length, typeFlag, format: 'gnu' }),
    pad(data),
  );
}

/** One old GNU sparse map entry (offset, numbytes), 24 bytes of octal. */
export function sparseEntry(offset: number, numBytes: number): Uint8Array {
  return concatBytes(octal(offset, 12), octal(numBytes, 12));
}

/** The end-of-archive marker. */
export const END = new Uint8Array(2 * BLOCK);

/** Joins byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
