/**
 * Decoding of single tar header blocks, shared by the streaming walker
 * (walker.ts) and the random-access lister (list.ts); pax records are
 * parsed in pax.ts, and they and GNU long names resolved onto a block in
 * meta.ts; numbers are read in numbers.ts, text in text.ts.
 *
 * Formats: POSIX ustar and pax (https://pubs.opengroup.org/onlinepubs/9799919799/utilities/pax.html
 * § ustar Interchange Format, § pax Interchange Format), GNU tar's long-name
 * records, base-256 numbers and old sparse headers
 * (https://www.gnu.org/software/tar/manual/html_node/Standard.html), and
 * pre-POSIX v7 headers (no magic). Where the formats leave room, GNU tar 1.34
 * decides: what it accepts is read the way it reads it, and a field it
 * reports as bad is a problem of the member, not the end of the walk.
 */
import { InspectError, InspectErrorCode } from '../errors';
import { readHeaderNumber, type FieldType } from './numbers';
import { decodeTarField, displayTarText } from './text';

/** Tar works in 512-byte blocks: headers, and member data padded to a block. */
export const TAR_BLOCK_SIZE = 512;

/** Cap on a PAX or GNU long-name payload: names are short; a huge one is hostile. */
export const MAX_META_SIZE = 1024 * 1024;

/** Type flags whose header is metadata for the next member, not a member (`X`: Solaris, read as `x`). */
const META_TYPE_FLAGS = new Set(['x', 'g', 'X', 'L', 'K']);

/** Which header layout the magic says: it decides where the prefix, owner names and sparse map are. */
export type HeaderFormat = 'v7' | 'ustar' | 'gnu';

/** One header block as stored, before PAX/GNU overrides. */
export interface RawTarHeader {
  format: HeaderFormat;
  name: string;
  /** Permission bits with setuid/setgid/sticky (`mode & 0o7777`). */
  mode: number;
  uid: number;
  gid: number;
  /** Bytes of data after the header (before pax overrides and type rules). */
  size: number;
  mtime: number;
  typeFlag: string;
  linkName: string;
  uname: string;
  gname: string;
  /** devmajor/devminor of char (`3`) and block (`4`) devices; 0 for other types. */
  devMajor: number;
  devMinor: number;
  /**
   * Old GNU sparse (`S` in a GNU header): the file's real size, and whether
   * extension blocks of the sparse map follow the header.
   */
  sparse: { realSize: number; extensionFollows: boolean } | null;
  /** Fields GNU tar reports as bad but reads on past (its exit status 2). */
  problems: string[];
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
  const stored = readHeaderNumber(block, 148, 8, 'size');
  if (stored.problem !== null) return false;
  let unsigned = 8 * 0x20;
  let signed = 8 * 0x20;
  for (let i = 0; i < TAR_BLOCK_SIZE; i += 1) {
    if (i >= 148 && i < 156) continue;
    unsigned += block[i];
    signed += block[i] > 127 ? block[i] - 256 : block[i];
  }
  return stored.value === unsigned || stored.value === signed;
}

/** Cheap sniffer for a tar's first block: ustar magic, or a valid checksum. Never throws. */
export function looksLikeTar(firstBlock: Uint8Array): boolean {
  if (firstBlock.length < TAR_BLOCK_SIZE || isZeroBlock(firstBlock)) return false;
  const magic = String.fromCharCode(...firstBlock.subarray(257, 262));
  return magic === 'ustar' || hasValidChecksum(firstBlock);
}

/** "ustar": the magic's first five bytes in both POSIX and GNU headers. */
const USTAR = [0x75, 0x73, 0x74, 0x61, 0x72];

function formatOf(block: Uint8Array): HeaderFormat {
  for (let i = 0; i < USTAR.length; i += 1) if (block[257 + i] !== USTAR[i]) return 'v7';
  // POSIX: "ustar\0" + version; GNU: "ustar  \0" (and atime/ctime where POSIX has the prefix).
  if (block[262] === 0) return 'ustar';
  return block[262] === 0x20 && block[263] === 0x20 && block[264] === 0 ? 'gnu' : 'v7';
}

/**
 * The sparse map entries of an old GNU header or extension block: GNU tar
 * reads them until the first empty one (its numbytes field starts with NUL),
 * so a block whose entries are not all used ends the map even when its
 * "extended" flag says more follow.
 */
function readSparseEntries(block: Uint8Array, start: number, count: number, problems: string[]): boolean {
  for (let i = 0; i < count; i += 1) {
    const entry = start + 24 * i;
    if (block[entry + 12] === 0) return false;
    for (const [offset, what] of [[entry, 'offset'], [entry + 12, 'numbytes']] as const) {
      const read = readHeaderNumber(block, offset, 12, 'size');
      if (read.problem !== null) problems.push(`sparse map ${what} ${read.problem}`);
    }
  }
  return true;
}

/**
 * Reads one old GNU sparse extension block (21 map entries, then the
 * "extended" flag at byte 504); says whether another block follows.
 */
export function readSparseExtension(block: Uint8Array, problems: string[]): boolean {
  return readSparseEntries(block, 0, 21, problems) && block[504] !== 0;
}

/** Decodes one header block; throws BadTar when its checksum or size is one GNU tar skips the header for. */
export function decodeRawHeader(block: Uint8Array): RawTarHeader {
  if (!hasValidChecksum(block)) {
    throw new InspectError(
      InspectErrorCode.BadTar,
      'tar header checksum is wrong (not a tar, or corrupt)',
    );
  }
  const format = formatOf(block);
  let name = decodeTarField(block.subarray(0, 100));
  if (format === 'ustar' && block[345] !== 0) {
    name = `${decodeTarField(block.subarray(345, 500))}/${name}`;
  }
  const problems: string[] = [];
  const number = (offset: number, length: number, field: string, type: FieldType): number => {
    const read = readHeaderNumber(block, offset, length, type);
    if (read.problem !== null) problems.push(`${field} field ${read.problem}`);
    return read.value;
  };
  const size = readHeaderNumber(block, 124, 12, 'size');
  if (size.problem !== null || !Number.isSafeInteger(size.value)) {
    throw new InspectError(
      InspectErrorCode.BadTar,
      `tar header of ${displayTarText(name)}: size field ${size.problem ?? 'is too large'} (GNU tar skips the header)`,
      name,
    );
  }
  const typeFlag = block[156] === 0 ? '\0' : String.fromCharCode(block[156]);
  const isDevice = typeFlag === '3' || typeFlag === '4';
  let sparse: RawTarHeader['sparse'] = null;
  if (typeFlag === 'S' && format === 'gnu') {
    const realSize = number(483, 12, 'realsize', 'size');
    const mapComplete = readSparseEntries(block, 386, 4, problems);
    sparse = { realSize: Math.max(0, realSize), extensionFollows: mapComplete && block[482] !== 0 };
  }
  return {
    format,
    name,
    mode: number(100, 8, 'mode', 'mode'),
    uid: number(108, 8, 'uid', 'uid'),
    gid: number(116, 8, 'gid', 'uid'),
    size: size.value,
    mtime: number(136, 12, 'mtime', 'time'),
    typeFlag,
    linkName: decodeTarField(block.subarray(157, 257)),
    uname: format === 'v7' ? '' : decodeTarField(block.subarray(265, 297)),
    gname: format === 'v7' ? '' : decodeTarField(block.subarray(297, 329)),
    devMajor: isDevice ? number(329, 8, 'devmajor', 'device') : 0,
    devMinor: isDevice ? number(337, 8, 'devminor', 'device') : 0,
    sparse,
    problems,
  };
}

/** Reads a GNU long name/link payload (NUL-terminated). */
export function decodeLongName(payload: Uint8Array): string {
  return decodeTarField(payload);
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
