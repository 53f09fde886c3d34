/**
 * The dynamic section of an ELF file, as `readelf -d -V` shows it: DT_NEEDED,
 * DT_SONAME, DT_RPATH, DT_RUNPATH, DT_FLAGS_1, and the symbol versions the
 * file needs (DT_VERNEED, `.gnu.version_r`) and defines (DT_VERDEF,
 * `.gnu.version_d`), found through the dynamic table as the loader finds
 * them (section headers may be stripped). Layouts: System V ABI "Dynamic
 * Section"; LSB "Symbol Versioning"
 * (https://refspecs.linuxfoundation.org/LSB_5.0.0/LSB-Core-generic/LSB-Core-generic/symversion.html).
 */
import { type ElfFile, MAX_STRING, PT_DYNAMIC, badElf, cString, readExactly } from './elf-file';

const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_STRSZ = 10;
const DT_SONAME = 14;
const DT_RPATH = 15;
const DT_RUNPATH = 29;
const DT_FLAGS_1 = 0x6ffffffb;
const DT_VERDEF = 0x6ffffffc;
const DT_VERDEFNUM = 0x6ffffffd;
const DT_VERNEED = 0x6ffffffe;
const DT_VERNEEDNUM = 0x6fffffff;
/** DF_1_PIE: a position-independent executable (static-pie has it and no interpreter). */
export const DF_1_PIE = 0x08000000;
const VER_FLG_BASE = 1;

const MAX_DYNAMIC_ENTRIES = 8192;
const MAX_NEEDED = 1024;
const MAX_VERSION_ENTRIES = 4096;
const MAX_STRING_TABLE = 16 * 1024 * 1024;
const VERSION_RECORD = 20;

/** Symbol versions needed from one library (one Verneed entry). */
export interface VersionNeed {
  /** The library (`libc.so.6`). */
  file: string;
  /** Version names (`GLIBC_2.34`), in file order. */
  versions: string[];
}

/** What the dynamic section says. */
export interface DynamicInfo {
  needed: string[];
  soname: string | null;
  rpath: string | null;
  runpath: string | null;
  flags1: number;
  versionNeeds: VersionNeed[];
  /** Versions defined (the base entry, the file's own name, left out). */
  versionDefinitions: string[];
}

interface Tags {
  needed: number[];
  values: Map<number, number>;
}

async function readTags(elf: ElfFile): Promise<Tags | null> {
  const dynamic = elf.segment(PT_DYNAMIC);
  if (dynamic === undefined) return null;
  const entrySize = elf.wide ? 16 : 8;
  const count = Math.min(Math.floor(dynamic.filesz / entrySize), MAX_DYNAMIC_ENTRIES);
  const table = elf.fields(await readExactly(elf.read, dynamic.offset, count * entrySize, 'PT_DYNAMIC'));
  const tags: Tags = { needed: [], values: new Map() };
  for (let i = 0; i < count; i += 1) {
    const tag = table.tag(i * entrySize);
    if (tag === DT_NULL) break;
    const value = table.word(i * entrySize + (elf.wide ? 8 : 4));
    if (tag === DT_NEEDED) {
      if (tags.needed.length < MAX_NEEDED) tags.needed.push(value);
    } else if (!tags.values.has(tag)) {
      tags.values.set(tag, value);
    }
  }
  return tags;
}

/** Reads the dynamic section, or null for a file without PT_DYNAMIC. */
export async function readDynamic(elf: ElfFile): Promise<DynamicInfo | null> {
  const tags = await readTags(elf);
  if (tags === null) return null;
  const info: DynamicInfo = {
    needed: [],
    soname: null,
    rpath: null,
    runpath: null,
    flags1: tags.values.get(DT_FLAGS_1) ?? 0,
    versionNeeds: [],
    versionDefinitions: [],
  };
  const strtab = tags.values.get(DT_STRTAB);
  if (strtab === undefined) return info;
  const strtabOffset = elf.fileOffset(strtab);
  if (strtabOffset === null) throw badElf('DT_STRTAB is outside every loaded segment');
  const strsz = tags.values.get(DT_STRSZ) ?? MAX_STRING;
  const strings = await elf.read(strtabOffset, Math.min(strsz, MAX_STRING_TABLE));
  const at = (index: number): string => {
    if (index >= strings.length) throw badElf(`string ${index} is outside DT_STRTAB`);
    return cString(strings, index);
  };
  info.needed = tags.needed.map(at);
  const optional = (tag: number): string | null => {
    const index = tags.values.get(tag);
    return index === undefined ? null : at(index);
  };
  info.soname = optional(DT_SONAME);
  info.rpath = optional(DT_RPATH);
  info.runpath = optional(DT_RUNPATH);
  info.versionNeeds = await readVersionNeeds(elf, tags, at);
  info.versionDefinitions = await readVersionDefinitions(elf, tags, at);
  return info;
}

/** The records of a version table: `count` entries, at most MAX_VERSION_ENTRIES, each read with its auxiliaries. */
async function versionTable(elf: ElfFile, address: number | undefined, count: number | undefined, what: string) {
  if (address === undefined || count === undefined || count === 0) return null;
  const offset = elf.fileOffset(address);
  if (offset === null) throw badElf(`${what} is outside every loaded segment`);
  const entries = Math.min(count, MAX_VERSION_ENTRIES);
  // Records are linked by relative offsets; a generous window holds them all in practice.
  const bytes = await elf.read(offset, Math.min(entries * VERSION_RECORD * 8 + 4096, 1 << 20));
  return { fields: elf.fields(bytes), size: bytes.length, entries };
}

async function readVersionNeeds(elf: ElfFile, tags: Tags, at: (index: number) => string): Promise<VersionNeed[]> {
  const table = await versionTable(elf, tags.values.get(DT_VERNEED), tags.values.get(DT_VERNEEDNUM), 'DT_VERNEED');
  if (table === null) return [];
  const { fields, size } = table;
  const needs: VersionNeed[] = [];
  let position = 0;
  for (let i = 0; i < table.entries && position + 16 <= size; i += 1) {
    const count = Math.min(fields.u16(position + 2), MAX_VERSION_ENTRIES);
    const need: VersionNeed = { file: at(fields.u32(position + 4)), versions: [] };
    let aux = position + fields.u32(position + 8);
    for (let j = 0; j < count && aux + 16 <= size && aux >= 0; j += 1) {
      need.versions.push(at(fields.u32(aux + 8)));
      const next = fields.u32(aux + 12);
      if (next === 0) break;
      aux += next;
    }
    needs.push(need);
    const next = fields.u32(position + 12);
    if (next === 0) break;
    position += next;
  }
  return needs;
}

async function readVersionDefinitions(elf: ElfFile, tags: Tags, at: (index: number) => string): Promise<string[]> {
  const table = await versionTable(elf, tags.values.get(DT_VERDEF), tags.values.get(DT_VERDEFNUM), 'DT_VERDEF');
  if (table === null) return [];
  const { fields, size } = table;
  const names: string[] = [];
  let position = 0;
  for (let i = 0; i < table.entries && position + VERSION_RECORD <= size; i += 1) {
    const flags = fields.u16(position + 2);
    const aux = position + fields.u32(position + 12);
    if ((flags & VER_FLG_BASE) === 0 && aux + 8 <= size) names.push(at(fields.u32(aux)));
    const next = fields.u32(position + 16);
    if (next === 0) break;
    position += next;
  }
  return names;
}
