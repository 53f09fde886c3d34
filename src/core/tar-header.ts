/**
 * Decoding of single tar header blocks and of the metadata records that
 * extend them, shared by the streaming walker (tar.ts) and the random-access
 * lister (tar-list.ts).
 *
 * Formats: POSIX ustar and pax (https://pubs.opengroup.org/onlinepubs/9799919799/utilities/pax.html
 * § ustar Interchange Format, § pax Interchange Format), GNU tar's long-name
 * records and base-256 numbers (https://www.gnu.org/software/tar/manual/html_node/Standard.html),
 * and pre-POSIX v7 headers (no magic, no type flag beyond '0'–'2').
 */
import { InspectError, InspectErrorCode } from './errors';
import type { EntryType } from './types';

/** Tar works in 512-byte blocks: headers, and member data padded to a block. */
export const TAR_BLOCK_SIZE = 512;

/** Cap on a PAX or GNU long-name payload: names are short; a huge one is hostile. */
export const MAX_META_SIZE = 1024 * 1024;

/** Type flags whose header is metadata for the next member, not a member. */
const META_TYPE_FLAGS = new Set(['x', 'g', 'X', 'L', 'K']);

/** Go archive/tar's isHeaderOnlyType: these members never carry data, whatever `size` says. */
const HEADER_ONLY_TYPES = new Set<EntryType>([
  'hardlink',
  'symlink',
  'char',
  'block',
  'dir',
  'fifo',
]);

const utf8 = new TextDecoder('utf-8');

/** One header block as stored, before PAX/GNU overrides. */
export interface RawTarHeader {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeFlag: string;
  linkName: string;
  uname: string;
  gname: string;
  /** Old GNU sparse (`S`): the file's real size, and whether extension headers follow. */
  sparse: { realSize: number; extended: boolean } | null;
}

/** Metadata collected from `x`/`g`/`L`/`K` records, applied to the next member. */
export interface PendingMeta {
  /** Records of the `x` header(s) before the member. */
  pax: Map<string, string>;
  /** GNU `L` long name. */
  longName: string | null;
  /** GNU `K` long link name. */
  longLink: string | null;
}

/** A member header with every override applied. */
export interface ResolvedTarHeader {
  name: string;
  linkName: string;
  type: EntryType;
  /** Bytes of data that follow the header (before padding). */
  dataSize: number;
  /** Size of the file's content: `dataSize`, or the real size of a sparse file. */
  contentSize: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  uname: string;
  gname: string;
  xattrs: Record<string, string> | null;
}

/** Creates an empty set of pending metadata. */
export function emptyPendingMeta(): PendingMeta {
  return { pax: new Map(), longName: null, longLink: null };
}

/** Rounds a data size up to whole blocks. */
export function paddedSize(size: number): number {
  return Math.ceil(size / TAR_BLOCK_SIZE) * TAR_BLOCK_SIZE;
}

/** True when every byte of the 512-byte block is zero (an end-of-archive block). */
export function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < TAR_BLOCK_SIZE; i += 1) if (block[i] !== 0) return false;
  return true;
}

/** True for type flags that describe the next member rather than being one. */
export function isMetaTypeFlag(typeFlag: string): boolean {
  return META_TYPE_FLAGS.has(typeFlag);
}

/**
 * Validates the header checksum: the sum of all bytes with the checksum field
 * read as spaces. Old tars summed signed chars, so both sums are accepted
 * (as GNU tar and Go's archive/tar do).
 */
export function hasValidChecksum(block: Uint8Array): boolean {
  if (block.length < TAR_BLOCK_SIZE) return false;
  let stored: number;
  try {
    stored = readTarNumber(block, 148, 8, 'checksum');
  } catch {
    return false;
  }
  let unsigned = 8 * 0x20;
  let signed = 8 * 0x20;
  for (let i = 0; i < TAR_BLOCK_SIZE; i += 1) {
    if (i >= 148 && i < 156) continue;
    unsigned += block[i];
    signed += block[i] > 127 ? block[i] - 256 : block[i];
  }
  return stored === unsigned || stored === signed;
}

/** Cheap sniffer for a tar's first block: ustar magic, or a valid checksum. Never throws. */
export function looksLikeTar(firstBlock: Uint8Array): boolean {
  if (firstBlock.length < TAR_BLOCK_SIZE || isZeroBlock(firstBlock)) return false;
  const magic = String.fromCharCode(...firstBlock.subarray(257, 262));
  return magic === 'ustar' || hasValidChecksum(firstBlock);
}

/**
 * Reads a numeric field: octal text (leading spaces, ended by NUL or space),
 * or GNU base-256 when the high bit of the first byte is set (big-endian,
 * two's complement when the first byte is 0xff).
 */
export function readTarNumber(
  block: Uint8Array,
  offset: number,
  length: number,
  field: string,
): number {
  const first = block[offset];
  if (first & 0x80) {
    const negative = first === 0xff;
    let value = negative ? -1 : first & 0x7f;
    for (let i = 1; i < length; i += 1) value = value * 256 + block[offset + i];
    if (!Number.isSafeInteger(value)) {
      throw new InspectError(InspectErrorCode.BadTar, `tar header: ${field} is too large`);
    }
    return value;
  }
  let value = 0;
  let i = offset;
  const end = offset + length;
  while (i < end && block[i] === 0x20) i += 1;
  let digits = 0;
  for (; i < end; i += 1) {
    const byte = block[i];
    if (byte === 0 || byte === 0x20) break;
    if (byte < 0x30 || byte > 0x37) {
      throw new InspectError(
        InspectErrorCode.BadTar,
        `tar header: ${field} is not an octal number`,
      );
    }
    value = value * 8 + (byte - 0x30);
    digits += 1;
  }
  return digits === 0 ? 0 : value;
}

/** Reads a NUL-terminated text field. */
function readText(block: Uint8Array, offset: number, length: number): string {
  let end = offset;
  const limit = offset + length;
  while (end < limit && block[end] !== 0) end += 1;
  return utf8.decode(block.subarray(offset, end));
}

/** Decodes one header block; throws BadTar when its checksum is wrong. */
export function decodeRawHeader(block: Uint8Array): RawTarHeader {
  if (!hasValidChecksum(block)) {
    throw new InspectError(
      InspectErrorCode.BadTar,
      'tar header checksum is wrong (not a tar, or corrupt)',
    );
  }
  let name = readText(block, 0, 100);
  // POSIX ustar ("ustar\0" + "00") splits long names into prefix + name;
  // GNU ("ustar  \0") uses those bytes for atime/ctime instead.
  const magic = String.fromCharCode(...block.subarray(257, 263));
  if (magic === 'ustar\0') {
    const prefix = readText(block, 345, 155);
    if (prefix !== '') name = `${prefix}/${name}`;
  }
  const isV7 = !magic.startsWith('ustar');
  return {
    name,
    mode: readTarNumber(block, 100, 8, 'mode'),
    uid: readTarNumber(block, 108, 8, 'uid'),
    gid: readTarNumber(block, 116, 8, 'gid'),
    size: readTarNumber(block, 124, 12, 'size'),
    mtime: readTarNumber(block, 136, 12, 'mtime'),
    typeFlag: block[156] === 0 ? '\0' : String.fromCharCode(block[156]),
    linkName: readText(block, 157, 100),
    uname: isV7 ? '' : readText(block, 265, 32),
    gname: isV7 ? '' : readText(block, 297, 32),
    sparse:
      block[156] === 0x53
        ? { realSize: readTarNumber(block, 483, 12, 'realsize'), extended: block[482] !== 0 }
        : null,
  };
}

/** Parses PAX records (`"<len> <key>=<value>\n"`, len counting bytes) into `into`. */
export function parsePaxRecords(payload: Uint8Array, into: Map<string, string>): void {
  let pos = 0;
  while (pos < payload.length) {
    if (payload[pos] === 0) break;
    let space = pos;
    while (space < payload.length && payload[space] !== 0x20) space += 1;
    const length = Number(utf8.decode(payload.subarray(pos, space)));
    if (!Number.isInteger(length) || length <= space - pos || pos + length > payload.length) {
      throw new InspectError(InspectErrorCode.BadTar, 'tar: malformed PAX record');
    }
    const record = payload.subarray(space + 1, pos + length - 1);
    const equals = record.indexOf(0x3d);
    if (equals < 0) throw new InspectError(InspectErrorCode.BadTar, 'tar: PAX record without "="');
    into.set(utf8.decode(record.subarray(0, equals)), utf8.decode(record.subarray(equals + 1)));
    pos += length;
  }
}

/** Reads a GNU long name/link payload (NUL-terminated). */
export function decodeLongName(payload: Uint8Array): string {
  return readText(payload, 0, payload.length);
}

/** Maps a type flag to the file-list vocabulary; v7 marks directories by a trailing slash. */
function entryTypeOf(typeFlag: string, name: string): EntryType {
  switch (typeFlag) {
    case '0':
    case '\0':
    case '7':
    case 'S':
      return name.endsWith('/') ? 'dir' : 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '3':
      return 'char';
    case '4':
      return 'block';
    case '5':
      return 'dir';
    case '6':
      return 'fifo';
    default:
      return 'other';
  }
}

/** Parses a PAX decimal number (mtime may carry a fraction). */
function paxNumber(value: string | undefined, fallback: number, key: string): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) {
    throw new InspectError(InspectErrorCode.BadTar, `tar: PAX ${key} is not a number`);
  }
  return Math.floor(parsed);
}

/**
 * Applies global and per-member PAX records and GNU long names to a member
 * header (POSIX pax § pax Extended Header: later records override earlier).
 */
export function resolveHeader(
  raw: RawTarHeader,
  pending: PendingMeta,
  globalPax: ReadonlyMap<string, string>,
): ResolvedTarHeader {
  const pax = new Map([...globalPax, ...pending.pax]);
  // GNU's PAX sparse formats store the real name in GNU.sparse.name (tar(5) § GNU sparse).
  const name = pax.get('GNU.sparse.name') ?? pax.get('path') ?? pending.longName ?? raw.name;
  const linkName = pax.get('linkpath') ?? pending.longLink ?? raw.linkName;
  const type = entryTypeOf(raw.typeFlag, name);
  const size = paxNumber(pax.get('size'), raw.size, 'size');
  const sparseSize = pax.get('GNU.sparse.realsize') ?? pax.get('GNU.sparse.size');
  const realSize = paxNumber(sparseSize, raw.sparse?.realSize ?? size, 'sparse size');
  let xattrs: Record<string, string> | null = null;
  for (const [key, value] of pax) {
    if (key.startsWith('SCHILY.xattr.')) {
      xattrs ??= {};
      xattrs[key.slice('SCHILY.xattr.'.length)] = value;
    }
  }
  return {
    name,
    linkName,
    type,
    dataSize: HEADER_ONLY_TYPES.has(type) ? 0 : size,
    contentSize: HEADER_ONLY_TYPES.has(type) ? 0 : realSize,
    mode: raw.mode & 0o7777,
    uid: paxNumber(pax.get('uid'), raw.uid, 'uid'),
    gid: paxNumber(pax.get('gid'), raw.gid, 'gid'),
    mtime: paxNumber(pax.get('mtime'), raw.mtime, 'mtime'),
    uname: pax.get('uname') ?? raw.uname,
    gname: pax.get('gname') ?? raw.gname,
    xattrs,
  };
}

/**
 * Old GNU sparse headers (`S`) with more than 4 holes are followed by
 * extension blocks of 21 more entries each; byte 504 of each block says
 * whether another one follows. They sit between the header and the data.
 */
export function hasMoreSparseBlocks(extensionBlock: Uint8Array): boolean {
  return extensionBlock[504] !== 0;
}

/** Rejects PAX/GNU metadata payloads over MAX_META_SIZE before they are buffered. */
export function checkMetaSize(raw: RawTarHeader): void {
  if (raw.size > MAX_META_SIZE) {
    throw new InspectError(
      InspectErrorCode.BadTar,
      `tar: ${raw.typeFlag === 'L' || raw.typeFlag === 'K' ? 'GNU long name' : 'PAX header'} of ${raw.size} bytes exceeds the 1 MiB limit`,
    );
  }
}
