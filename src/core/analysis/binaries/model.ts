/** The binaries of an image, as analyseBinaries reports them. Plain data. */
import type { Finding } from '../finding';
import type { GoBuildInfo } from '../../content/elf-inspect';

/** report.json `binaries`. */
export interface BinarySummary {
  /** ELF files in the merged rootfs. */
  elf: number;
  /** ELF files per OCI architecture (`amd64`, `arm64`, `arm`, …). */
  byArchitecture: Record<string, number>;
  /** Statically linked executables. */
  static: number;
  /** Files per loader path (PT_INTERP as written). */
  interpreters: Record<string, number>;
  /** The highest GLIBC_x.y any file needs (`2.34`), or null. */
  minGlibc: string | null;
  /** The highest NT_GNU_ABI_TAG kernel version (`3.2.0`), or null. */
  minKernel: string | null;
  /** Executables that name a loader or libraries. */
  dynamic: number;
  /**
   * The image's C library for its platform (the one its binaries load), or
   * null. `version`: for glibc, the newest GLIBC_x.y symbol version it
   * defines, which is what binaries ask for (a release that added none, such
   * as 2.31, shows the one before: 2.30); null for musl.
   */
  libc: { flavour: 'glibc' | 'musl'; path: string; version: string | null } | null;
  /** Dynamic executables whose loader, libraries or versions are not all in the image (transitively). */
  unsatisfied: number;
}

/** Something one binary lacks inside the image. */
export type BinaryProblem =
  | { kind: 'missing-interpreter'; interpreter: string }
  | { kind: 'missing-library'; library: string; searched: string[] }
  | { kind: 'missing-version'; library: string; path: string; version: string };

/** One ELF file, as the binaries view lists it. */
export interface BinaryFile {
  path: string;
  layer: number;
  size: number;
  class: 32 | 64;
  endianness: 'little' | 'big';
  architecture: string;
  variant: string | null;
  kind: 'executable' | 'library' | 'object' | 'other';
  linkage: 'static' | 'dynamic';
  interpreter: string | null;
  needed: string[];
  /** Where each needed library was found (real path), or null. */
  resolved: (string | null)[];
  soname: string | null;
  rpath: string | null;
  runpath: string | null;
  /** The highest GLIBC_x.y it needs, or null. */
  glibc: string | null;
  /** Every version it needs, per library. */
  versionNeeds: { file: string; versions: string[] }[];
  /** The highest GLIBC_x.y it defines (a C library), or null. */
  definesGlibc: string | null;
  /** NT_GNU_ABI_TAG minimum kernel, or null. */
  minKernel: string | null;
  go: GoBuildInfo | null;
  /** Its own problems (not those of the libraries it loads). */
  problems: BinaryProblem[];
  /** True when it and every library it loads (transitively) have what they need inside the image. */
  satisfied: boolean;
}

/** What analyseBinaries returns. */
export interface BinariesAnalysis {
  summary: BinarySummary;
  files: BinaryFile[];
  findings: Finding[];
  /** ELF-looking files that could not be read. */
  unreadable: { path: string; message: string }[];
}
