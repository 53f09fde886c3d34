/**
 * Everything Tarsier reads about one ELF file to tell whether it can run:
 * its architecture (OCI name and ARM variant), kind and linkage, loader,
 * needed libraries and search paths, symbol versions needed and defined, the
 * ABI tag's minimum kernel and Go build info. Reads only headers, the
 * dynamic section and its string and version tables, notes, and (for ARM and
 * Go files) the section headers.
 */
import { armCpuArch, armVariant, ociArchitecture } from './elf-arch';
import { DF_1_PIE, readDynamic, type VersionNeed } from './elf-dynamic';
import { ElfFile, type ElfReader } from './elf-file';
import { readGoBuildInfo, type GoBuildInfo } from './elf-go';
import { type AbiTag, readNotes } from './elf-notes';
import { elfMachineName, elfTypeName, readInterpreter } from './elf';

export type { AbiTag, GoBuildInfo, VersionNeed };

const EM_ARM = 40;
const ET_REL = 1;
const ET_EXEC = 2;
const ET_DYN = 3;

/** One ELF file, in full. Plain data. */
export interface ElfDetails {
  class: 32 | 64;
  endianness: 'little' | 'big';
  /** e_type as readelf names it. */
  type: string;
  /** e_machine short name (`x86-64`, `aarch64`). */
  machine: string;
  /** OCI architecture (`amd64`, `arm64`, `arm`, `ppc64le`…). */
  architecture: string;
  /** OCI variant where the file says (ARM: `v5`, `v6`, `v7`, `v8`), else null. */
  variant: string | null;
  /** ARM Tag_CPU_arch as readelf -A prints it (`v7`, `v5TE`), else null. */
  cpuArch: string | null;
  /** executable (incl. PIE and static-pie), library (a shared object), object (ET_REL), other. */
  kind: 'executable' | 'library' | 'object' | 'other';
  /** static: an executable without a loader; dynamic: anything that names a loader or libraries. */
  linkage: 'static' | 'dynamic';
  interpreter: string | null;
  needed: string[];
  soname: string | null;
  rpath: string | null;
  runpath: string | null;
  versionNeeds: VersionNeed[];
  versionDefinitions: string[];
  abiTag: AbiTag | null;
  go: GoBuildInfo | null;
}

/** Inspects an ELF file through a range reader. Throws InspectError when it is not a readable ELF file. */
export async function inspectElf(read: ElfReader): Promise<ElfDetails> {
  const elf = await ElfFile.open(read);
  const interpreter = await readInterpreter(elf);
  const dynamic = await readDynamic(elf);
  const notes = await readNotes(elf);
  const cpuArch = elf.machineCode === EM_ARM ? await armCpuArch(elf).catch(() => null) : null;
  const go = notes.goBuildId ? await readGoBuildInfo(elf).catch(() => null) : null;
  const pie = ((dynamic?.flags1 ?? 0) & DF_1_PIE) !== 0;
  let kind: ElfDetails['kind'] = 'other';
  if (elf.typeCode === ET_EXEC) kind = 'executable';
  else if (elf.typeCode === ET_REL) kind = 'object';
  else if (elf.typeCode === ET_DYN) {
    kind = dynamic?.soname == null && (interpreter !== null || pie) ? 'executable' : 'library';
  }
  const needed = dynamic?.needed ?? [];
  return {
    class: elf.wide ? 64 : 32,
    endianness: elf.little ? 'little' : 'big',
    type: elfTypeName(elf.typeCode),
    machine: elfMachineName(elf.machineCode),
    architecture: ociArchitecture(elf.machineCode, elf.wide, elf.little),
    variant: cpuArch === null ? null : armVariant(cpuArch),
    cpuArch,
    kind,
    linkage: kind === 'executable' && interpreter === null && needed.length === 0 ? 'static' : 'dynamic',
    interpreter,
    needed,
    soname: dynamic?.soname ?? null,
    rpath: dynamic?.rpath ?? null,
    runpath: dynamic?.runpath ?? null,
    versionNeeds: dynamic?.versionNeeds ?? [],
    versionDefinitions: dynamic?.versionDefinitions ?? [],
    abiTag: notes.abiTag,
    go,
  };
}
