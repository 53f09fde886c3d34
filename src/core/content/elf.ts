/**
 * A summary of an ELF executable or library, read the way `readelf -h -l -d`
 * does: the file header, the program headers, PT_INTERP and the PT_DYNAMIC
 * entries (DT_NEEDED, DT_SONAME, DT_RUNPATH) with their strings from DT_STRTAB.
 * Layout: System V ABI, "ELF Header", "Program Header", "Dynamic Section"
 * (https://refspecs.linuxfoundation.org/elf/gabi4+/contents.html).
 *
 * Bytes come from image layers, so they are hostile: every count is capped,
 * every offset checked, every read bounded; malformed input raises an
 * InspectError and nothing else, and nothing loops on input-controlled values
 * beyond the caps.
 */

import { InspectError, InspectErrorCode } from '../errors';

/** Reads `length` bytes at `offset` of the file (fewer at its end). */
export type ElfReader = (offset: number, length: number) => Uint8Array | Promise<Uint8Array>;

/** What `readelf -h -l -d` would tell about a binary, in short. */
export interface ElfSummary {
  class: 32 | 64;
  endianness: 'little' | 'big';
  /** e_type: EXEC, DYN (shared object or PIE), REL (object file), CORE, NONE, or `0x…`. */
  type: string;
  /** e_machine as `uname -m`-style name (`x86-64`, `aarch64`, …), or `0x…`. */
  machine: string;
  /** PT_INTERP: the dynamic loader, or null for static binaries and libraries. */
  interpreter: string | null;
  /** DT_NEEDED libraries, in order. */
  needed: string[];
  /** DT_SONAME, or null. */
  soname: string | null;
  /** DT_RUNPATH (or the older DT_RPATH), or null. */
  runpath: string | null;
}

const ELF_TYPES: Record<number, string> = { 0: 'NONE', 1: 'REL', 2: 'EXEC', 3: 'DYN', 4: 'CORE' };

const ELF_MACHINES: Record<number, string> = {
  2: 'sparc',
  3: '386',
  8: 'mips',
  20: 'ppc',
  21: 'ppc64',
  22: 's390',
  40: 'arm',
  43: 'sparcv9',
  50: 'ia64',
  62: 'x86-64',
  183: 'aarch64',
  243: 'riscv',
  258: 'loongarch',
};

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_STRSZ = 10;
const DT_SONAME = 14;
const DT_RPATH = 15;
const DT_RUNPATH = 29;

/** Caps that bound work on hostile input. */
const MAX_PROGRAM_HEADERS = 4096;
const MAX_DYNAMIC_ENTRIES = 8192;
const MAX_NEEDED = 1024;
const MAX_STRING = 4096;
const MAX_PROGRAM_HEADER_SIZE = 1024;
const MAX_STRING_TABLE = 16 * 1024 * 1024;

/** True when the bytes start with the ELF magic `\x7fELF`. */
export function isElf(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    bytes[0] === 0x7f &&
    bytes[1] === 0x45 &&
    bytes[2] === 0x4c &&
    bytes[3] === 0x46
  );
}

function bad(message: string): InspectError {
  return new InspectError(InspectErrorCode.UnknownFormat, `Not a readable ELF file: ${message}`);
}

/** Field reader over one buffer, for one class and byte order. */
class Fields {
  readonly #view: DataView;
  readonly #little: boolean;
  readonly #wide: boolean;

  constructor(bytes: Uint8Array, little: boolean, wide: boolean) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#little = little;
    this.#wide = wide;
  }

  u16(at: number): number {
    return this.#view.getUint16(at, this.#little);
  }

  u32(at: number): number {
    return this.#view.getUint32(at, this.#little);
  }

  /** An address or offset: 4 bytes in ELF32, 8 in ELF64 (beyond 2^53 is treated as garbage). */
  word(at: number): number {
    if (!this.#wide) return this.u32(at);
    const value = this.#view.getBigUint64(at, this.#little);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw bad(`offset ${value} is out of range`);
    return Number(value);
  }

  /** A signed dynamic tag; tags beyond 32 bits are not ones we read, so they map to -1. */
  tag(at: number): number {
    if (!this.#wide) return this.#view.getInt32(at, this.#little);
    const value = this.#view.getBigInt64(at, this.#little);
    return value >= 0n && value <= 0x7fffffffn ? Number(value) : -1;
  }
}

async function readExactly(
  read: ElfReader,
  offset: number,
  length: number,
  what: string,
): Promise<Uint8Array> {
  const bytes = await read(offset, length);
  if (bytes.length < length) throw bad(`${what} ends past the end of the file`);
  return bytes.subarray(0, length);
}

function cString(bytes: Uint8Array, start: number): string {
  const end = bytes.indexOf(0, start);
  const stop = Math.min(end < 0 ? bytes.length : end, start + MAX_STRING);
  return new TextDecoder('utf-8').decode(bytes.subarray(start, stop));
}

interface Segment {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

/**
 * Summarises an ELF file given its bytes (at least the headers) or a reader
 * for ranges of it. Throws InspectError for anything that is not a readable
 * ELF file.
 */
export async function parseElf(source: Uint8Array | ElfReader): Promise<ElfSummary> {
  const read: ElfReader =
    typeof source === 'function'
      ? source
      : (offset, length) => source.subarray(offset, offset + length);
  const ident = await read(0, 64);
  if (!isElf(ident)) throw bad('no ELF magic');
  if (ident[4] !== 1 && ident[4] !== 2) throw bad(`unknown class ${ident[4]}`);
  if (ident[5] !== 1 && ident[5] !== 2) throw bad(`unknown byte order ${ident[5]}`);
  const wide = ident[4] === 2;
  const little = ident[5] === 1;
  const header = await readExactly(read, 0, wide ? 64 : 52, 'the ELF header');
  const fields = new Fields(header, little, wide);
  const typeCode = fields.u16(16);
  const machineCode = fields.u16(18);
  const phoff = fields.word(wide ? 32 : 28);
  const phentsize = fields.u16(wide ? 54 : 42);
  const phnum = Math.min(fields.u16(wide ? 56 : 44), MAX_PROGRAM_HEADERS);
  const summary: ElfSummary = {
    class: wide ? 64 : 32,
    endianness: little ? 'little' : 'big',
    type: ELF_TYPES[typeCode] ?? `0x${typeCode.toString(16)}`,
    machine: ELF_MACHINES[machineCode] ?? `0x${machineCode.toString(16)}`,
    interpreter: null,
    needed: [],
    soname: null,
    runpath: null,
  };
  if (phnum === 0 || phoff === 0) return summary;
  if (phentsize < (wide ? 56 : 32) || phentsize > MAX_PROGRAM_HEADER_SIZE) {
    throw bad(`program header size ${phentsize} is implausible`);
  }
  const table = await readExactly(read, phoff, phnum * phentsize, 'the program header table');
  const segments = readSegments(new Fields(table, little, wide), phnum, phentsize, wide);
  const interp = segments.find((segment) => segment.type === PT_INTERP);
  if (interp !== undefined) {
    const bytes = await readExactly(
      read,
      interp.offset,
      Math.min(interp.filesz, MAX_STRING),
      'PT_INTERP',
    );
    summary.interpreter = cString(bytes, 0);
  }
  const dynamic = segments.find((segment) => segment.type === PT_DYNAMIC);
  if (dynamic !== undefined) await readDynamic(read, dynamic, segments, little, wide, summary);
  return summary;
}

function readSegments(table: Fields, count: number, size: number, wide: boolean): Segment[] {
  const segments: Segment[] = [];
  for (let i = 0; i < count; i += 1) {
    const at = i * size;
    segments.push({
      type: table.u32(at),
      offset: table.word(at + (wide ? 8 : 4)),
      vaddr: table.word(at + (wide ? 16 : 8)),
      filesz: table.word(at + (wide ? 32 : 16)),
    });
  }
  return segments;
}

/** Maps a virtual address to a file offset through the PT_LOAD segments, as the loader would. */
function fileOffset(segments: readonly Segment[], address: number): number | null {
  for (const segment of segments) {
    if (
      segment.type === PT_LOAD &&
      address >= segment.vaddr &&
      address < segment.vaddr + segment.filesz
    ) {
      return segment.offset + (address - segment.vaddr);
    }
  }
  return null;
}

async function readDynamic(
  read: ElfReader,
  dynamic: Segment,
  segments: readonly Segment[],
  little: boolean,
  wide: boolean,
  summary: ElfSummary,
): Promise<void> {
  const entrySize = wide ? 16 : 8;
  const count = Math.min(Math.floor(dynamic.filesz / entrySize), MAX_DYNAMIC_ENTRIES);
  const table = await readExactly(read, dynamic.offset, count * entrySize, 'PT_DYNAMIC');
  const fields = new Fields(table, little, wide);
  const needed: number[] = [];
  let strtab: number | null = null;
  let strsz = MAX_STRING;
  let soname: number | null = null;
  let runpath: number | null = null;
  for (let i = 0; i < count; i += 1) {
    const tag = fields.tag(i * entrySize);
    if (tag === DT_NULL) break;
    const value = fields.word(i * entrySize + (wide ? 8 : 4));
    if (tag === DT_NEEDED && needed.length < MAX_NEEDED) needed.push(value);
    else if (tag === DT_STRTAB) strtab = value;
    else if (tag === DT_STRSZ) strsz = value;
    else if (tag === DT_SONAME) soname = value;
    else if (tag === DT_RUNPATH || (tag === DT_RPATH && runpath === null)) runpath = value;
  }
  if (strtab === null) return;
  const strtabOffset = fileOffset(segments, strtab);
  if (strtabOffset === null) throw bad('DT_STRTAB is outside every loaded segment');
  const maxIndex = Math.max(...needed, soname ?? 0, runpath ?? 0);
  const length = Math.min(strsz, maxIndex + MAX_STRING, MAX_STRING_TABLE);
  const strings = await read(strtabOffset, length);
  const at = (index: number): string => {
    if (index >= strings.length) throw bad(`string ${index} is outside DT_STRTAB`);
    return cString(strings, index);
  };
  summary.needed = needed.map(at);
  if (soname !== null) summary.soname = at(soname);
  if (runpath !== null) summary.runpath = at(runpath);
}
