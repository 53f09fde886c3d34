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
import { cString, paxOverridesFrom, type PaxOverrides } from './pax';
import { decodeTarText, displayTarText } from './text';
import type { RawTarHeader } from './header';
import type { EntryType } from '../types';

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
