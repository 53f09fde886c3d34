/**
 * The metadata records that extend a tar header block, and their resolution
 * onto it: pax extended headers (https://pubs.opengroup.org/onlinepubs/9799919799/utilities/pax.html
 * § pax Extended Header), GNU long names, GNU and star sparse and device
 * keywords. header.ts decodes the blocks themselves.
 */
import { InspectError, InspectErrorCode } from '../errors';
import type { RawTarHeader } from './header';
import type { EntryType } from '../types';

/** Go archive/tar's isHeaderOnlyType: these members never carry data, whatever `size` says. */
const HEADER_ONLY_TYPES = new Set<EntryType>([
  'hardlink',
  'symlink',
  'char',
  'block',
  'dir',
  'fifo',
]);

/** Prefix of the pax keywords that carry extended attributes (star's, also GNU tar's and Go's). */
export const XATTR_KEY_PREFIX = 'SCHILY.xattr.';

const utf8 = new TextDecoder('utf-8');

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
  /** Device numbers of char and block devices; null for every other type. */
  device: { major: number; minor: number } | null;
  /** Extended attributes by name; values are binary strings (see TarEntry.xattrs). */
  xattrs: Record<string, string> | null;
}

/** Creates an empty set of pending metadata. */
export function emptyPendingMeta(): PendingMeta {
  return { pax: new Map(), longName: null, longLink: null };
}

/**
 * Bytes as a binary string: one char per byte, code 0–255 (what `atob`
 * gives). TextDecoder('latin1') is not it: the Encoding Standard maps that
 * label to windows-1252, which changes 0x80–0x9F.
 */
export function binaryString(bytes: Uint8Array): string {
  let out = '';
  // Chunked: one call with a million arguments would overflow the stack.
  for (let start = 0; start < bytes.length; start += 8192) {
    out += String.fromCharCode(...bytes.subarray(start, start + 8192));
  }
  return out;
}

/**
 * Parses pax records (`"<len> <key>=<value>\n"`, len counting bytes) into
 * `into`. Values are UTF-8 (pax § pax Extended Header), except those of
 * SCHILY.xattr keys: GNU tar and star store an attribute's bytes as they
 * are (`security.capability` is binary), so those are kept as binary strings.
 */
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
    const key = utf8.decode(record.subarray(0, equals));
    const value = record.subarray(equals + 1);
    into.set(key, key.startsWith(XATTR_KEY_PREFIX) ? binaryString(value) : utf8.decode(value));
    pos += length;
  }
}

/**
 * An attribute name from its pax keyword. GNU tar writes `=` as `%3D` and `%`
 * as `%25` there, since `=` ends a pax keyword (xheader.c xattr_encode_keyword);
 * any other `%` stays as it is, as GNU tar reads it.
 */
export function xattrNameFromKeyword(keyword: string): string {
  return keyword
    .slice(XATTR_KEY_PREFIX.length)
    .replace(/%(3D|25)/g, (escape) => (escape === '%3D' ? '=' : '%'));
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

/** The SCHILY.xattr records of a member's pax map, or null when there are none. */
function xattrsOf(pax: ReadonlyMap<string, string>): Record<string, string> | null {
  let xattrs: Record<string, string> | null = null;
  for (const [key, value] of pax) {
    if (key.startsWith(XATTR_KEY_PREFIX)) {
      xattrs ??= {};
      xattrs[xattrNameFromKeyword(key)] = value;
    }
  }
  return xattrs;
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
  // POSIX has no keyword for device numbers too big for ustar; star and
  // libarchive write SCHILY.devmajor/devminor (GNU tar uses base-256 instead).
  const device =
    type === 'char' || type === 'block'
      ? {
          major: paxNumber(pax.get('SCHILY.devmajor'), raw.devMajor, 'devmajor'),
          minor: paxNumber(pax.get('SCHILY.devminor'), raw.devMinor, 'devminor'),
        }
      : null;
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
    device,
    xattrs: xattrsOf(pax),
  };
}
