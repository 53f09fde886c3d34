/**
 * The OCI architecture (and variant) an ELF file runs on, as image configs
 * and indexes name platforms (`amd64`, `arm64`, `arm` + `v5`/`v6`/`v7`,
 * `386`, `ppc64le`, `s390x`, `riscv64`, `mips64le`, `loong64`…: Go's GOARCH
 * values, https://github.com/opencontainers/image-spec/blob/main/image-index.md).
 * The ARM variant comes from the build attributes (`.ARM.attributes`,
 * Tag_CPU_arch: "Addenda to, and Errata in, the ABI for the Arm Architecture",
 * section "Build Attributes").
 */
import type { ElfFile } from './elf-file';

const EM_SPARC = 2;
const EM_386 = 3;
const EM_MIPS = 8;
const EM_PPC = 20;
const EM_PPC64 = 21;
const EM_S390 = 22;
const EM_ARM = 40;
const EM_SPARCV9 = 43;
const EM_IA_64 = 50;
const EM_X86_64 = 62;
const EM_AARCH64 = 183;
const EM_RISCV = 243;
const EM_LOONGARCH = 258;

const SHT_ARM_ATTRIBUTES = 0x70000003;
const TAG_FILE = 1;
const TAG_CPU_RAW_NAME = 4;
const TAG_CPU_NAME = 5;
const TAG_CPU_ARCH = 6;
const TAG_COMPATIBILITY = 32;
const MAX_ATTRIBUTES = 64 * 1024;

/** The OCI architecture name for an ELF machine, class and byte order (`0x…` when unknown). */
export function ociArchitecture(machine: number, wide: boolean, little: boolean): string {
  switch (machine) {
    case EM_X86_64: return 'amd64';
    case EM_386: return '386';
    case EM_AARCH64: return little ? 'arm64' : 'arm64be';
    case EM_ARM: return little ? 'arm' : 'armbe';
    case EM_PPC64: return little ? 'ppc64le' : 'ppc64';
    case EM_PPC: return little ? 'ppcle' : 'ppc';
    case EM_S390: return wide ? 's390x' : 's390';
    case EM_RISCV: return wide ? 'riscv64' : 'riscv';
    case EM_MIPS: return wide ? (little ? 'mips64le' : 'mips64') : little ? 'mipsle' : 'mips';
    case EM_LOONGARCH: return wide ? 'loong64' : 'loong32';
    case EM_SPARCV9: return 'sparc64';
    case EM_SPARC: return 'sparc';
    case EM_IA_64: return 'ia64';
    default: return `0x${machine.toString(16)}`;
  }
}

/** Tag_CPU_arch values as readelf -A prints them. */
const CPU_ARCH_NAMES = [
  'Pre-v4', 'v4', 'v4T', 'v5T', 'v5TE', 'v5TEJ', 'v6', 'v6KZ', 'v6T2', 'v6K', 'v7', 'v6-M', 'v6S-M', 'v7E-M', 'v8',
  'v8-R', 'v8-M.baseline', 'v8-M.mainline', 'v8.1-A', 'v8.2-A', 'v8.3-A', 'v8.1-M.mainline', 'v9',
];

/** The OCI variant of an ARM CPU architecture name: v5 (v4–v5TEJ), v6 (v6…), v7 (v7…), v8 (v8…). */
export function armVariant(cpuArch: string): string | null {
  const match = /^v(\d)/.exec(cpuArch);
  if (match === null) return null;
  const major = Number(match[1]);
  if (major <= 5) return 'v5';
  return `v${Math.min(major, 8)}`;
}

function uleb(bytes: Uint8Array, start: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let at = start;
  while (at < bytes.length && shift < 35) {
    const byte = bytes[at];
    value += (byte & 0x7f) * 2 ** shift;
    at += 1;
    if ((byte & 0x80) === 0) break;
    shift += 7;
  }
  return { value, next: at };
}

/** Tag_CPU_arch of an ARM file's `aeabi` attributes as readelf names it (`v7`), or null. */
export async function armCpuArch(elf: ElfFile): Promise<string | null> {
  const section = (await elf.sections()).find((s) => s.type === SHT_ARM_ATTRIBUTES);
  if (section === undefined) return null;
  const bytes = await elf.read(section.offset, Math.min(section.size, MAX_ATTRIBUTES));
  if (bytes[0] !== 0x41) return null;
  const fields = elf.fields(bytes);
  let at = 1;
  while (at + 4 <= bytes.length) {
    const length = fields.u32(at);
    const end = Math.min(at + length, bytes.length);
    if (length < 5) return null;
    const vendorEnd = bytes.indexOf(0, at + 4);
    const vendor = new TextDecoder().decode(bytes.subarray(at + 4, vendorEnd < 0 ? end : vendorEnd));
    if (vendor === 'aeabi' && vendorEnd > 0) {
      let sub = vendorEnd + 1;
      while (sub + 5 <= end) {
        const tag = bytes[sub];
        const size = fields.u32(sub + 1);
        const subEnd = Math.min(sub + size, end);
        if (size < 5) return null;
        if (tag === TAG_FILE) {
          const found = cpuArchAttribute(bytes, sub + 5, subEnd);
          if (found !== null) return found;
        }
        sub = subEnd;
      }
    }
    at = end;
  }
  return null;
}

function cpuArchAttribute(bytes: Uint8Array, start: number, end: number): string | null {
  let at = start;
  while (at < end) {
    const tag = uleb(bytes, at);
    at = tag.next;
    const isString = tag.value === TAG_CPU_RAW_NAME || tag.value === TAG_CPU_NAME || (tag.value > TAG_COMPATIBILITY && tag.value % 2 === 1);
    if (tag.value === TAG_COMPATIBILITY) at = uleb(bytes, at).next;
    if (isString || tag.value === TAG_COMPATIBILITY) {
      const stop = bytes.indexOf(0, at);
      at = stop < 0 ? end : stop + 1;
      continue;
    }
    const value = uleb(bytes, at);
    at = value.next;
    if (tag.value === TAG_CPU_ARCH) return CPU_ARCH_NAMES[value.value] ?? `arch ${value.value}`;
  }
  return null;
}
