/**
 * Pax extended header records (https://pubs.opengroup.org/onlinepubs/9799919799/utilities/pax.html
 * § pax Extended Header) parsed as GNU tar 1.34's xheader.c reads them: each
 * record `"<len> <key>=<value>\n"` in turn until a malformed one; the
 * keywords GNU tar applies (path, linkpath, uname, gname, uid, gid, size,
 * mtime, GNU.sparse.*, SCHILY.xattr.*) taken, the times and numbers it
 * checks checked, every other keyword ignored. meta.ts applies the result.
 */
import { PAX_MAX, readPaxInteger, readPaxTime, type PaxNumber, type TarTime } from './numbers';
import { decodeTarText, displayTarText } from './text';

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
export function cString(value: Uint8Array): Uint8Array {
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
