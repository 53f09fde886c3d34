/**
 * Decoding of single tar header blocks, shared by the streaming walker
 * (walker.ts) and the random-access lister (list.ts); the pax and GNU
 * records that extend a block are resolved in meta.ts.
 *
 * Formats: POSIX ustar and pax (https://pubs.opengroup.org/onlinepubs/9799919799/utilities/pax.html
 * § ustar Interchange Format, § pax Interchange Format), GNU tar's long-name
 * records and base-256 numbers (https://www.gnu.org/software/tar/manual/html_node/Standard.html),
 * and pre-POSIX v7 headers (no magic, no type flag beyond '0'–'2').
 */
import { InspectError, InspectErrorCode } from '../errors';

/** Tar works in 512-byte blocks: headers, and member data padded to a block. */
export const TAR_BLOCK_SIZE = 512;

/** Cap on a PAX or GNU long-name payload: names are short; a huge one is hostile. */
export const MAX_META_SIZE = 1024 * 1024;

/** Type flags whose header is metadata for the next member, not a member. */
const META_TYPE_FLAGS = new Set(['x', 'g', 'X', 'L', 'K']);

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
  /** ustar devmajor/devminor of char (`3`) and block (`4`) devices; 0 for other types. */
  devMajor: number;
  devMinor: number;
  /** Old GNU sparse (`S`): the file's real size, and whether extension headers follow. */
  sparse: { realSize: number; extended: boolean } | null;
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
  // Other types may leave the device fields blank or filled with junk: read them only for devices.
  const isDevice = !isV7 && (block[156] === 0x33 || block[156] === 0x34);
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
    devMajor: isDevice ? readTarNumber(block, 329, 8, 'devmajor') : 0,
    devMinor: isDevice ? readTarNumber(block, 337, 8, 'devminor') : 0,
    sparse:
      block[156] === 0x53
        ? { realSize: readTarNumber(block, 483, 12, 'realsize'), extended: block[482] !== 0 }
        : null,
  };
}

/** Reads a GNU long name/link payload (NUL-terminated). */
export function decodeLongName(payload: Uint8Array): string {
  return readText(payload, 0, payload.length);
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
