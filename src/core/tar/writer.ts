/**
 * Tar headers for streamed exports (a directory or the merged root
 * filesystem). POSIX.1-2001 pax interchange format: a ustar header per member
 * (https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html#tag_20_92_13_06),
 * preceded by a pax extended header (`x`) carrying `path`, `linkpath`,
 * `size`, `uid`, `gid`, `uname`, `gname` or `mtime` whenever a value does not
 * fit its ustar field, and the member's extended attributes as
 * `SCHILY.xattr.<name>` records, as GNU tar `--format=pax --xattrs` does.
 * Names are written as the bytes they were read from (text.ts), so a name
 * that was not UTF-8 comes back byte for byte, as GNU tar writes it. The writer never holds
 * content: callers write each member's bytes after its header, then
 * {@link paddingFor}.
 */

import { InspectError, InspectErrorCode } from '../errors';
import { tarTextBytes } from './text';
import type { EntryExtras, EntryFields, EntryType } from '../types';

export const BLOCK_SIZE = 512;

/** Two zero blocks end an archive. */
export const END_OF_ARCHIVE = new Uint8Array(2 * BLOCK_SIZE);

/**
 * What a header describes. `path` is the member name (no leading `/`;
 * directories without trailing `/`); `size` the content bytes that follow
 * (regular files only); a hard link's `linkTarget` the member name it points
 * to. A uname or gname over 31 bytes (ustar needs a NUL) or not ASCII goes in
 * a pax record; device numbers beyond ustar's 7 octal digits are written in
 * GNU base-256, as GNU tar does (POSIX has no pax keyword for them); each
 * extended attribute becomes a `SCHILY.xattr.<name>` record holding exactly
 * its bytes.
 */
export interface TarHeaderFields extends EntryFields<Exclude<EntryType, 'other'>>, Omit<EntryExtras, 'xattrs'> {
  /** Extended attributes, values as binary strings (as TarEntry.xattrs holds them). */
  xattrs?: Readonly<Record<string, string>>;
}

const TYPE_FLAGS: Record<TarHeaderFields['type'], string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
};

/** Largest value of an octal field of `width` bytes (width - 1 digits and a NUL). */
function octalLimit(width: number): number {
  return 8 ** (width - 1) - 1;
}

function putString(block: Uint8Array, offset: number, width: number, value: string): void {
  block.set(tarTextBytes(value).subarray(0, width), offset);
}

function putOctal(block: Uint8Array, offset: number, width: number, value: number): void {
  const clamped = Math.min(Math.max(0, Math.floor(value)), octalLimit(width));
  putString(block, offset, width, clamped.toString(8).padStart(width - 1, '0'));
}

/**
 * Octal when the value fits, else GNU base-256
 * (https://www.gnu.org/software/tar/manual/html_node/Extensions.html): big-endian
 * two's complement with the high bit of the first byte set, which GNU tar,
 * libarchive, Go and Python read in any format.
 */
function putNumber(block: Uint8Array, offset: number, width: number, value: number): void {
  if (value >= 0 && value <= octalLimit(width)) {
    putOctal(block, offset, width, value);
    return;
  }
  let remaining = BigInt.asUintN(8 * width, BigInt(Math.trunc(value)));
  for (let i = width - 1; i >= 0; i -= 1) {
    block[offset + i] = Number(remaining & 0xffn);
    remaining >>= 8n;
  }
  block[offset] |= 0x80;
}

function ustarBlock(fields: TarHeaderFields, name: string, linkName: string): Uint8Array {
  const isDevice = fields.type === 'char' || fields.type === 'block';
  const block = new Uint8Array(BLOCK_SIZE);
  putString(block, 0, 100, name);
  putOctal(block, 100, 8, fields.mode & 0o7777);
  putOctal(block, 108, 8, fields.uid);
  putOctal(block, 116, 8, fields.gid);
  putOctal(block, 124, 12, fields.type === 'file' ? fields.size : 0);
  putOctal(block, 136, 12, fields.mtime);
  block.fill(0x20, 148, 156);
  putString(block, 156, 1, TYPE_FLAGS[fields.type]);
  putString(block, 157, 100, linkName);
  putString(block, 257, 6, 'ustar');
  putString(block, 263, 2, '00');
  putString(block, 265, 32, asciiPrefix(fields.uname ?? '', 31));
  putString(block, 297, 32, asciiPrefix(fields.gname ?? '', 31));
  putNumber(block, 329, 8, isDevice ? (fields.devMajor ?? 0) : 0);
  putNumber(block, 337, 8, isDevice ? (fields.devMinor ?? 0) : 0);
  rewriteChecksum(block);
  return block;
}

/**
 * One pax record, `"<length> <key>=<value>\n"`, where length counts the
 * whole record in bytes. A string value is written as UTF-8, a byte array as is.
 */
export function paxRecord(key: string, value: string | Uint8Array): Uint8Array {
  const keyBytes = tarTextBytes(` ${key}=`);
  const valueBytes = typeof value === 'string' ? tarTextBytes(value) : value;
  const bodyLength = keyBytes.length + valueBytes.length + 1;
  const digits = String(bodyLength).length;
  let length = bodyLength + digits;
  // Adding the length's own digits can carry it into one more digit (e.g. 98 + 2 = 100).
  if (String(length).length > digits) length += 1;
  const prefix = tarTextBytes(String(length));
  const record = new Uint8Array(length);
  record.set(prefix, 0);
  record.set(keyBytes, prefix.length);
  record.set(valueBytes, prefix.length + keyBytes.length);
  record[length - 1] = 0x0a;
  return record;
}

/**
 * The pax keyword of an extended attribute: `=` would end the keyword, so
 * GNU tar writes it as `%3D`, and `%` as `%25` (xheader.c xattr_encode_keyword).
 */
export function xattrKeyword(name: string): string {
  return `SCHILY.xattr.${name.replace(/[%=]/g, (char) => (char === '=' ? '%3D' : '%25'))}`;
}

/** The bytes of a binary string (one char per byte); anything else is a caller's bug. */
function bytesOfBinaryString(value: string, what: string): Uint8Array {
  const bytes = new Uint8Array(value.length);
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code > 0xff) {
      throw new InspectError(
        InspectErrorCode.Internal,
        `${what} is not a binary string (char ${code} at ${i})`,
      );
    }
    bytes[i] = code;
  }
  return bytes;
}

function fitsField(value: string, width: number): boolean {
  const bytes = tarTextBytes(value);
  return bytes.length <= width && bytes.every((byte) => byte < 0x80);
}

/** Bytes of zero padding after `size` content bytes. */
export function paddingFor(size: number): Uint8Array {
  const remainder = size % BLOCK_SIZE;
  return new Uint8Array(remainder === 0 ? 0 : BLOCK_SIZE - remainder);
}

/** The header block(s) of one member: a pax `x` header first when a value does not fit ustar. */
export function tarHeader(fields: TarHeaderFields): Uint8Array {
  if (fields.path === '' || fields.path.split('/').includes('..')) {
    throw new InspectError(InspectErrorCode.Internal, `refusing to write the tar member name "${fields.path}"`, fields.path);
  }
  const name = fields.type === 'dir' ? `${fields.path}/` : fields.path;
  const linkName = fields.linkTarget ?? '';
  const records: Uint8Array[] = [];
  if (!fitsField(name, 100)) records.push(paxRecord('path', name));
  if (!fitsField(linkName, 100)) records.push(paxRecord('linkpath', linkName));
  if (fields.type === 'file' && fields.size > octalLimit(12)) records.push(paxRecord('size', String(fields.size)));
  if (fields.uid > octalLimit(8)) records.push(paxRecord('uid', String(fields.uid)));
  if (fields.gid > octalLimit(8)) records.push(paxRecord('gid', String(fields.gid)));
  if (fields.mtime < 0 || fields.mtime > octalLimit(12)) records.push(paxRecord('mtime', String(Math.floor(fields.mtime))));
  if (!fitsField(fields.uname ?? '', 31)) records.push(paxRecord('uname', fields.uname ?? ''));
  if (!fitsField(fields.gname ?? '', 31)) records.push(paxRecord('gname', fields.gname ?? ''));
  for (const [attribute, value] of Object.entries(fields.xattrs ?? {})) {
    const bytes = bytesOfBinaryString(value, `extended attribute ${attribute} of ${fields.path}`);
    records.push(paxRecord(xattrKeyword(attribute), bytes));
  }
  const header = ustarBlock(fields, asciiPrefix(name, 100), asciiPrefix(linkName, 100));
  if (records.length === 0) return header;
  const data = concatBytes(records);
  const paxHeader = ustarBlock(
    { path: '', type: 'file', size: data.length, mode: 0o644, uid: 0, gid: 0, mtime: fields.mtime, linkTarget: null },
    asciiPrefix(`PaxHeaders/${name}`, 100),
    '',
  );
  paxHeader[156] = 'x'.charCodeAt(0);
  rewriteChecksum(paxHeader);
  const out = new Uint8Array(BLOCK_SIZE + data.length + paddingFor(data.length).length + BLOCK_SIZE);
  out.set(paxHeader, 0);
  out.set(data, BLOCK_SIZE);
  out.set(header, out.length - BLOCK_SIZE);
  return out;
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A ustar fallback name for readers without pax: ASCII, cut to the field. */
function asciiPrefix(value: string, width: number): string {
  let out = '';
  for (const char of value) {
    if (out.length >= width) break;
    out += char.charCodeAt(0) < 0x80 ? char : '_';
  }
  return out;
}

function rewriteChecksum(block: Uint8Array): void {
  block.fill(0x20, 148, 156);
  let checksum = 0;
  for (const byte of block) checksum += byte;
  putString(block, 148, 8, `${checksum.toString(8).padStart(6, '0')}\0 `);
}
