/**
 * A summary of an ELF executable or library, read the way `readelf -h -l -d`
 * does: the file header, the program headers, PT_INTERP and the PT_DYNAMIC
 * entries (DT_NEEDED, DT_SONAME, DT_RUNPATH) with their strings from
 * DT_STRTAB. The structures are read by elf-file.ts and elf-dynamic.ts; the
 * fuller inspection (architecture, symbol versions, ABI tag, Go build info)
 * is elf-inspect.ts.
 */
import { readDynamic } from './elf-dynamic';
import { ElfFile, type ElfReader, MAX_STRING, PT_INTERP, cString, readExactly } from './elf-file';

export { isElf, type ElfReader } from './elf-file';

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

/** e_type as readelf names it. */
export function elfTypeName(code: number): string {
  return ELF_TYPES[code] ?? `0x${code.toString(16)}`;
}

/** e_machine as a short name. */
export function elfMachineName(code: number): string {
  return ELF_MACHINES[code] ?? `0x${code.toString(16)}`;
}

/** PT_INTERP's path, or null. */
export async function readInterpreter(elf: ElfFile): Promise<string | null> {
  const interp = elf.segment(PT_INTERP);
  if (interp === undefined) return null;
  const bytes = await readExactly(elf.read, interp.offset, Math.min(interp.filesz, MAX_STRING), 'PT_INTERP');
  return cString(bytes, 0);
}

/**
 * Summarises an ELF file given its bytes (at least the headers) or a reader
 * for ranges of it. Throws InspectError for anything that is not a readable
 * ELF file.
 */
export async function parseElf(source: Uint8Array | ElfReader): Promise<ElfSummary> {
  const read: ElfReader =
    typeof source === 'function' ? source : (offset, length) => source.subarray(offset, offset + length);
  const elf = await ElfFile.open(read);
  const dynamic = await readDynamic(elf);
  return {
    class: elf.wide ? 64 : 32,
    endianness: elf.little ? 'little' : 'big',
    type: elfTypeName(elf.typeCode),
    machine: elfMachineName(elf.machineCode),
    interpreter: await readInterpreter(elf),
    needed: dynamic?.needed ?? [],
    soname: dynamic?.soname ?? null,
    runpath: dynamic?.runpath ?? dynamic?.rpath ?? null,
  };
}
