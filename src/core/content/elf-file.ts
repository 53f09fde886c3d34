/**
 * Random access to an ELF file's structures (System V ABI, "ELF Header",
 * "Program Header", "Sections"): the file header, the program headers, the
 * mapping of virtual addresses to file offsets through PT_LOAD, and the
 * section headers with their names, each read on demand through a range
 * reader. Layout: https://refspecs.linuxfoundation.org/elf/gabi4+/contents.html
 *
 * Bytes come from image layers, so they are hostile: every count is capped,
 * every offset checked, every read bounded; malformed input raises an
 * InspectError and nothing else.
 */
import { InspectError, InspectErrorCode } from '../errors';

/** Reads `length` bytes at `offset` of the file (fewer at its end). */
export type ElfReader = (offset: number, length: number) => Uint8Array | Promise<Uint8Array>;

export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const PT_NOTE = 4;

/** Caps that bound work on hostile input. */
const MAX_PROGRAM_HEADERS = 4096;
const MAX_SECTIONS = 8192;
const MAX_HEADER_ENTRY = 1024;
/** The longest string read from a string table. */
export const MAX_STRING = 4096;

/** The InspectError for anything unreadable. */
export function badElf(message: string): InspectError {
  return new InspectError(InspectErrorCode.UnknownFormat, `Not a readable ELF file: ${message}`);
}

/** True when the bytes start with the ELF magic `\x7fELF`. */
export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/** Field reader over one buffer, for one class and byte order. */
export class Fields {
  readonly #view: DataView;
  readonly #little: boolean;
  readonly #wide: boolean;

  constructor(bytes: Uint8Array, little: boolean, wide: boolean) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#little = little;
    this.#wide = wide;
  }

  get length(): number {
    return this.#view.byteLength;
  }

  u8(at: number): number {
    return this.#view.getUint8(at);
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
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw badElf(`offset ${value} is out of range`);
    return Number(value);
  }

  /** A signed dynamic tag; tags beyond 31 bits are not ones we read, so they map to -1. */
  tag(at: number): number {
    if (!this.#wide) return this.#view.getInt32(at, this.#little);
    const value = this.#view.getBigInt64(at, this.#little);
    return value >= 0n && value <= 0x7fffffffn ? Number(value) : -1;
  }
}

/** Reads exactly `length` bytes or throws, naming `what`. */
export async function readExactly(read: ElfReader, offset: number, length: number, what: string): Promise<Uint8Array> {
  const bytes = await read(offset, length);
  if (bytes.length < length) throw badElf(`${what} ends past the end of the file`);
  return bytes.subarray(0, length);
}

/** A NUL-terminated UTF-8 string at `start` (at most MAX_STRING bytes). */
export function cString(bytes: Uint8Array, start: number): string {
  const end = bytes.indexOf(0, start);
  const stop = Math.min(end < 0 ? bytes.length : end, start + MAX_STRING);
  return new TextDecoder('utf-8').decode(bytes.subarray(start, stop));
}

/** One program header. */
export interface Segment {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
  align: number;
}

/** One section header, with its name from the section name table. */
export interface Section {
  name: string;
  type: number;
  offset: number;
  size: number;
}

/** An opened ELF file: header fields and program headers read; sections on demand. */
export class ElfFile {
  readonly read: ElfReader;
  readonly wide: boolean;
  readonly little: boolean;
  readonly typeCode: number;
  readonly machineCode: number;
  readonly flags: number;
  readonly segments: readonly Segment[];
  readonly #shoff: number;
  readonly #shentsize: number;
  readonly #shnum: number;
  readonly #shstrndx: number;
  #sections: Promise<Section[]> | null = null;

  private constructor(read: ElfReader, header: Fields, wide: boolean, little: boolean, segments: Segment[]) {
    this.read = read;
    this.wide = wide;
    this.little = little;
    this.typeCode = header.u16(16);
    this.machineCode = header.u16(18);
    this.flags = header.u32(wide ? 48 : 36);
    this.segments = segments;
    this.#shoff = header.word(wide ? 40 : 32);
    this.#shentsize = header.u16(wide ? 58 : 46);
    this.#shnum = Math.min(header.u16(wide ? 60 : 48), MAX_SECTIONS);
    this.#shstrndx = header.u16(wide ? 62 : 50);
  }

  /** Reads the file header and program headers; throws InspectError for anything that is not ELF. */
  static async open(read: ElfReader): Promise<ElfFile> {
    const ident = await read(0, 64);
    if (!isElf(ident)) throw badElf('no ELF magic');
    if (ident[4] !== 1 && ident[4] !== 2) throw badElf(`unknown class ${ident[4]}`);
    if (ident[5] !== 1 && ident[5] !== 2) throw badElf(`unknown byte order ${ident[5]}`);
    const wide = ident[4] === 2;
    const little = ident[5] === 1;
    const header = new Fields(await readExactly(read, 0, wide ? 64 : 52, 'the ELF header'), little, wide);
    const phoff = header.word(wide ? 32 : 28);
    const phentsize = header.u16(wide ? 54 : 42);
    const phnum = Math.min(header.u16(wide ? 56 : 44), MAX_PROGRAM_HEADERS);
    const segments: Segment[] = [];
    if (phnum > 0 && phoff !== 0) {
      if (phentsize < (wide ? 56 : 32) || phentsize > MAX_HEADER_ENTRY) throw badElf(`program header size ${phentsize} is implausible`);
      const table = new Fields(await readExactly(read, phoff, phnum * phentsize, 'the program header table'), little, wide);
      for (let i = 0; i < phnum; i += 1) {
        const at = i * phentsize;
        segments.push({
          type: table.u32(at),
          offset: table.word(at + (wide ? 8 : 4)),
          vaddr: table.word(at + (wide ? 16 : 8)),
          filesz: table.word(at + (wide ? 32 : 16)),
          align: table.word(at + (wide ? 48 : 28)),
        });
      }
    }
    return new ElfFile(read, header, wide, little, segments);
  }

  /** A field reader over `bytes` in this file's class and byte order. */
  fields(bytes: Uint8Array): Fields {
    return new Fields(bytes, this.little, this.wide);
  }

  /** The first segment of a type, or undefined. */
  segment(type: number): Segment | undefined {
    return this.segments.find((segment) => segment.type === type);
  }

  /** Maps a virtual address to a file offset through the PT_LOAD segments, as the loader would. */
  fileOffset(address: number): number | null {
    for (const segment of this.segments) {
      if (segment.type === PT_LOAD && address >= segment.vaddr && address < segment.vaddr + segment.filesz) {
        return segment.offset + (address - segment.vaddr);
      }
    }
    return null;
  }

  /** The section headers with their names (empty when the file has none), read once. */
  sections(): Promise<Section[]> {
    this.#sections ??= this.#readSections();
    return this.#sections;
  }

  async #readSections(): Promise<Section[]> {
    if (this.#shnum === 0 || this.#shoff === 0) return [];
    if (this.#shentsize < (this.wide ? 64 : 40) || this.#shentsize > MAX_HEADER_ENTRY) {
      throw badElf(`section header size ${this.#shentsize} is implausible`);
    }
    const table = this.fields(await readExactly(this.read, this.#shoff, this.#shnum * this.#shentsize, 'the section header table'));
    const raw = [];
    for (let i = 0; i < this.#shnum; i += 1) {
      const at = i * this.#shentsize;
      raw.push({
        nameIndex: table.u32(at),
        type: table.u32(at + 4),
        offset: table.word(at + (this.wide ? 24 : 16)),
        size: table.word(at + (this.wide ? 32 : 20)),
      });
    }
    const names = raw[this.#shstrndx];
    const strings = names === undefined ? new Uint8Array(0) : await this.read(names.offset, Math.min(names.size, 1 << 20));
    return raw.map((section) => ({
      name: section.nameIndex < strings.length ? cString(strings, section.nameIndex) : '',
      type: section.type,
      offset: section.offset,
      size: section.size,
    }));
  }
}
