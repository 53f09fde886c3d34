/**
 * The metadata records that extend a tar header block, and their resolution
 * onto it, as GNU tar 1.34 applies them: pax extended headers
 * (https://pubs.opengroup.org/onlinepubs/9799919799/utilities/pax.html
 * § pax Extended Header), GNU long names and GNU sparse keywords.
 *
 * What GNU tar does, and so what this does (each checked against it):
 * - Of several `x` headers before a member only the last counts, and of
 *   several `L` (or `K`) records the last; a pax `path` beats an `L` name.
 * - A `g` header replaces the global records before it, and its records
 *   apply to every later member (even `path` and `size`) unless that
 *   member's `x` header sets the same keyword. Its `SCHILY.xattr.*` records
 *   are not extended attributes of the members: GNU tar fails to set them.
 * - Records are read in order until a malformed one, which is reported and
 *   ends that header; a bad value is reported and leaves the field as it was.
 * - Keywords GNU tar does not know (`SCHILY.devmajor`, `LIBARCHIVE.*`,
 *   `hdrcharset`…) are ignored, as it ignores them.
 *
 * Global records are parsed once, when their header is read, so a member
 * costs the same however big the global header is.
 */
import { InspectError, InspectErrorCode } from '../errors';
import { PAX_MAX, readPaxInteger, readPaxTime, type PaxNumber, type TarTime } from './numbers';
import { decodeTarText, displayTarText } from './text';
import type { RawTarHeader } from './header';
import type { EntryType } from '../types';

/** Prefix of the pax keywords that carry extended attributes (star's, also GNU tar's and Go's). */
export const XATTR_KEY_PREFIX = 'SCHILY.xattr.';

/** What the records of one pax header set (keywords GNU tar applies to a member). */
export interface PaxOverrides {
  path?: string;
  linkPath?: string;
  uname?: string;
  gname?: string;
  uid?: number;
  gid?: number;
  size?: number;
  mtime?: TarTime;
  /** GNU.sparse.name (sparse 1.0): the real name, which a later `path` does not replace. */
  sparseName?: string;
  /** GNU.sparse.realsize (1.0) or GNU.sparse.size (0.x): the file's real size. */
  sparseRealSize?: number;
  xattrs?: Record<string, string>;
  /** Records GNU tar reports as malformed or out of range. */
  problems: string[];
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
  /** Fraction of the second of `mtime` (pax records only), 0–999,999,999. */
  mtimeNanoseconds: number;
  uname: string;
  gname: string;
  /** Device numbers of char and block devices; null for every other type. */
  device: { major: number; minor: number } | null;
  /** Extended attributes by name; values are binary strings (see TarEntry.xattrs). */
  xattrs: Record<string, string> | null;
  /** What GNU tar reports about this member's fields while it reads on. */
  problems: string[];
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
 * An attribute name from its pax keyword. GNU tar writes `=` as `%3D` and `%`
 * as `%25` there, since `=` ends a pax keyword (xheader.c xattr_encode_keyword);
 * any other `%` stays as it is, as GNU tar reads it.
 */
export function xattrNameFromKeyword(keyword: string): string {
  return keyword
    .slice(XATTR_KEY_PREFIX.length)
    .replace(/%(3D|25)/g, (escape) => (escape === '%3D' ? '=' : '%'));
}

/** A value up to its first NUL: GNU tar reads every keyword but xattrs as a C string. */
function cString(value: Uint8Array): Uint8Array {
  const end = value.indexOf(0);
  return end < 0 ? value : value.subarray(0, end);
}

function isBlank(byte: number): boolean {
  return byte === 0x20 || byte === 0x09;
}

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

/** Sparse keywords GNU tar checks as numbers; their values describe the map, which is not needed here. */
const SPARSE_NUMBER_KEYWORDS = new Set([
  'GNU.sparse.major',
  'GNU.sparse.minor',
  'GNU.sparse.numblocks',
  'GNU.sparse.offset',
  'GNU.sparse.numbytes',
]);

/** Problems kept per header: only the first is reported, a few help; a million would cost per member. */
const MAX_PROBLEMS = 3;

function addProblem(into: PaxOverrides, problem: string): void {
  if (into.problems.length < MAX_PROBLEMS) into.problems.push(problem);
}

function applyRecord(into: PaxOverrides, key: string, rawValue: Uint8Array, global: boolean): void {
  const text = (): string => decodeTarText(cString(rawValue));
  const shown = (): string => displayTarText(text().slice(0, 64));
  const number = <T>(read: PaxNumber<T>, apply: (value: T) => void): void => {
    if (read.problem === null) apply(read.value);
    else addProblem(into, `PAX record ${displayTarText(key.slice(0, 64))}=${shown()} ${read.problem}`);
  };
  switch (key) {
    case 'path':
      into.path = text();
      return;
    case 'linkpath':
      into.linkPath = text();
      return;
    case 'uname':
      into.uname = text();
      return;
    case 'gname':
      into.gname = text();
      return;
    case 'uid':
      number(readPaxInteger(text(), PAX_MAX.uid), (value) => (into.uid = value));
      return;
    case 'gid':
      number(readPaxInteger(text(), PAX_MAX.uid), (value) => (into.gid = value));
      return;
    case 'size':
      number(readPaxInteger(text(), PAX_MAX.size), (value) => (into.size = value));
      return;
    case 'mtime':
      number(readPaxTime(text()), (value) => (into.mtime = value));
      return;
    case 'atime':
    case 'ctime':
      number(readPaxTime(text()), () => {});
      return;
    case 'GNU.sparse.name':
      into.sparseName = text();
      return;
    case 'GNU.sparse.realsize':
    case 'GNU.sparse.size':
      number(readPaxInteger(text(), PAX_MAX.size), (value) => (into.sparseRealSize = value));
      return;
    case 'GNU.sparse.map':
      if (!/^[0-9]+(,[0-9]+)*$/.test(text()) || text().split(',').length % 2 !== 0) {
        addProblem(into, `PAX record GNU.sparse.map=${shown()} is malformed`);
      }
      return;
    default:
      if (SPARSE_NUMBER_KEYWORDS.has(key)) {
        number(readPaxInteger(text(), PAX_MAX.size), () => {});
      } else if (key.startsWith(XATTR_KEY_PREFIX) && !global) {
        into.xattrs ??= {};
        into.xattrs[xattrNameFromKeyword(key)] = binaryString(rawValue);
      }
  }
}

/**
 * Parses the records of one pax header (`"<len> <key>=<value>\n"`, len
 * counting bytes) as GNU tar's decode_record does: blanks before the length
 * are skipped, a NUL where a record would start ends the header silently,
 * and the first malformed record is reported and ends it.
 */
export function paxOverridesFrom(payload: Uint8Array, global: boolean): PaxOverrides {
  const overrides: PaxOverrides = { problems: [] };
  let pos = 0;
  while (pos < payload.length) {
    let at = pos;
    while (at < payload.length && isBlank(payload[at])) at += 1;
    if (at === payload.length || payload[at] === 0) break;
    if (!isDigit(payload[at])) {
      addProblem(overrides, 'PAX header is malformed: missing length');
      break;
    }
    let length = 0;
    for (; at < payload.length && isDigit(payload[at]); at += 1) length = length * 10 + payload[at] - 0x30;
    const next = pos + length;
    if (!Number.isSafeInteger(next) || next > payload.length) {
      addProblem(overrides, `PAX header is malformed: record length ${length} is out of range`);
      break;
    }
    const keyStart = at;
    while (at < payload.length && isBlank(payload[at])) at += 1;
    if (at === keyStart) {
      addProblem(overrides, 'PAX header is malformed: missing blank after length');
      break;
    }
    // Searched within the record only: a scan to the payload's end per record would be quadratic.
    const found = payload.subarray(at, next).indexOf(0x3d);
    const equals = found < 0 ? -1 : at + found;
    if (equals < 0 || payload.subarray(at, equals).includes(0)) {
      addProblem(overrides, 'PAX header is malformed: missing equal sign');
      break;
    }
    if (payload[next - 1] !== 0x0a) {
      addProblem(overrides, 'PAX header is malformed: missing newline');
      break;
    }
    const key = decodeTarText(payload.subarray(at, equals));
    applyRecord(overrides, key, payload.subarray(equals + 1, next - 1), global);
    pos = next;
  }
  return overrides;
}

/**
 * Maps a type flag to the file-list vocabulary. A regular-file flag on a
 * name ending in `/` is a directory (v7 had no directory flag); `D` is a GNU
 * dump directory, a directory with its listing as data.
 */
function entryTypeOf(raw: RawTarHeader, name: string): EntryType {
  switch (raw.typeFlag) {
    case '0':
    case '\0':
      return name.endsWith('/') ? 'dir' : 'file';
    case 'S':
      return name.endsWith('/') ? 'dir' : 'file';
    case '7':
      return 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '3':
      return 'char';
    case '4':
      return 'block';
    case '5':
    case 'D':
      return 'dir';
    case '6':
      return 'fifo';
    default:
      return 'other';
  }
}

/**
 * Type flags whose `size` GNU tar does not skip as data: a hard link's (it
 * reads the size as 0) and a directory's. Every other member, symlinks,
 * devices and fifos included, is followed by `size` bytes of data (which
 * Go's archive/tar would read as headers instead).
 */
const NO_DATA_TYPE_FLAGS = new Set(['1', '5']);

/** Stands for "no pax header"; nothing ever adds to it (resolve only reads it). */
const NO_OVERRIDES: PaxOverrides = { problems: [] };

/** Metadata collected from `x`/`g`/`L`/`K` records, applied to the next member. */
export class PendingMeta {
  #global: PaxOverrides | null = null;
  #pax: PaxOverrides | null = null;
  #longName: string | null = null;
  #longLink: string | null = null;

  /** Takes the payload of a metadata header (`raw.typeFlag` is x, X, g, L or K). */
  accept(raw: RawTarHeader, payload: Uint8Array): void {
    switch (raw.typeFlag) {
      case 'g':
        this.#global = paxOverridesFrom(payload, true);
        break;
      case 'L':
        this.#longName = decodeTarText(cString(payload));
        break;
      case 'K':
        this.#longLink = decodeTarText(cString(payload));
        break;
      default:
        this.#pax = paxOverridesFrom(payload, false);
    }
  }

  /** Applies everything pending to a member header, and forgets what applied to that member only. */
  resolve(raw: RawTarHeader): ResolvedTarHeader {
    const pax = this.#pax ?? NO_OVERRIDES;
    const global = this.#global ?? NO_OVERRIDES;
    this.#pax = null;
    const longName = this.#longName;
    const longLink = this.#longLink;
    this.#longName = null;
    this.#longLink = null;
    const name =
      pax.sparseName ?? global.sparseName ?? pax.path ?? global.path ?? longName ?? raw.name;
    const type = entryTypeOf(raw, name);
    const size = NO_DATA_TYPE_FLAGS.has(raw.typeFlag) ? 0 : (pax.size ?? global.size ?? raw.size);
    if (!Number.isSafeInteger(size)) {
      throw new InspectError(
        InspectErrorCode.BadTar,
        `tar member ${displayTarText(name)}: PAX size ${size} is too large to read`,
        name,
      );
    }
    const mtime = pax.mtime ?? global.mtime ?? { seconds: raw.mtime, nanoseconds: 0 };
    const realSize = pax.sparseRealSize ?? global.sparseRealSize ?? raw.sparse?.realSize ?? size;
    return {
      name,
      linkName: pax.linkPath ?? global.linkPath ?? longLink ?? raw.linkName,
      type,
      dataSize: size,
      contentSize: type === 'file' ? realSize : 0,
      mode: raw.mode,
      uid: pax.uid ?? global.uid ?? raw.uid,
      gid: pax.gid ?? global.gid ?? raw.gid,
      mtime: mtime.seconds,
      mtimeNanoseconds: mtime.nanoseconds,
      uname: pax.uname ?? global.uname ?? raw.uname,
      gname: pax.gname ?? global.gname ?? raw.gname,
      device: type === 'char' || type === 'block' ? { major: raw.devMajor, minor: raw.devMinor } : null,
      xattrs: pax.xattrs ?? null,
      problems:
        global.problems.length + pax.problems.length === 0
          ? raw.problems
          : [...raw.problems, ...global.problems, ...pax.problems],
    };
  }
}

/**
 * The error for a member whose fields GNU tar reports as bad while it lists
 * the member anyway (and exits with status 2): raised once the walk is over,
 * so every member is still read.
 */
export function memberProblemError(header: ResolvedTarHeader): InspectError {
  const more = header.problems.length > 1 ? ' (and more)' : '';
  return new InspectError(
    InspectErrorCode.BadTar,
    `tar member ${displayTarText(header.name)}: ${header.problems[0]}${more}`,
    header.name,
  );
}
