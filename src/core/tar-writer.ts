/**
 * Tar headers for streamed exports (a directory or the merged root
 * filesystem). POSIX.1-2001 pax interchange format: a ustar header per member
 * (https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html#tag_20_92_13_06),
 * preceded by a pax extended header (`x`) carrying `path`, `linkpath`,
 * `size`, `uid` or `gid` whenever a value does not fit its ustar field, as
 * GNU tar `--format=pax` does. The writer never holds content: callers write
 * each member's bytes after its header, then {@link paddingFor}.
 */

import { InspectError, InspectErrorCode } from './errors';
import type { EntryType } from './types';

export const BLOCK_SIZE = 512;

/** Two zero blocks end an archive. */
export const END_OF_ARCHIVE = new Uint8Array(2 * BLOCK_SIZE);

/** What a header describes. `path` is the member name (no leading `/`; directories without trailing `/`). */
export interface TarHeaderFields {
  path: string;
  type: Exclude<EntryType, 'other'>;
  /** Content bytes that follow (regular files only; 0 otherwise). */
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  /** Symlink target, or the member name a hard link points to; null otherwise. */
  linkTarget: string | null;
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

const encoder = new TextEncoder();

/** Largest value of an octal field of `width` bytes (width - 1 digits and a NUL). */
function octalLimit(width: number): number {
  return 8 ** (width - 1) - 1;
}

function putString(block: Uint8Array, offset: number, width: number, value: string): void {
  block.set(encoder.encode(value).subarray(0, width), offset);
}

function putOctal(block: Uint8Array, offset: number, width: number, value: number): void {
  const clamped = Math.min(Math.max(0, Math.floor(value)), octalLimit(width));
  putString(block, offset, width, clamped.toString(8).padStart(width - 1, '0'));
}

function ustarBlock(fields: TarHeaderFields, name: string, linkName: string): Uint8Array {
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
  putOctal(block, 329, 8, 0);
  putOctal(block, 337, 8, 0);
  let checksum = 0;
  for (const byte of block) checksum += byte;
  putString(block, 148, 8, `${checksum.toString(8).padStart(6, '0')}\0 `);
  return block;
}

/** One pax record: `"<length> <key>=<value>\n"`, where length counts the whole record in bytes. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLength = encoder.encode(body).length;
  const digits = String(bodyLength).length;
  let length = bodyLength + digits;
  // Adding the length's own digits can carry it into one more digit (e.g. 98 + 2 = 100).
  if (String(length).length > digits) length += 1;
  return `${length}${body}`;
}

function fitsField(value: string, width: number): boolean {
  const bytes = encoder.encode(value);
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
  const records: string[] = [];
  if (!fitsField(name, 100)) records.push(paxRecord('path', name));
  if (!fitsField(linkName, 100)) records.push(paxRecord('linkpath', linkName));
  if (fields.type === 'file' && fields.size > octalLimit(12)) records.push(paxRecord('size', String(fields.size)));
  if (fields.uid > octalLimit(8)) records.push(paxRecord('uid', String(fields.uid)));
  if (fields.gid > octalLimit(8)) records.push(paxRecord('gid', String(fields.gid)));
  const header = ustarBlock(fields, asciiPrefix(name, 100), asciiPrefix(linkName, 100));
  if (records.length === 0) return header;
  const data = encoder.encode(records.join(''));
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
