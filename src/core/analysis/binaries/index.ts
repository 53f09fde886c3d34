/**
 * The binaries of a merged rootfs and whether they can run: every ELF file
 * inspected (scan.ts), loaders and libraries resolved inside the image
 * (resolve.ts), symbol versions checked against the libraries that would be
 * loaded, and findings against the image's platform (findings.ts).
 */
import type { Rootfs } from '../rootfs';
import type { ElfEntry } from './scan';
import { scanElves } from './scan';
import { LibraryResolver, type Resolution } from './resolve';
import { binaryFindings } from './findings';
import type { BinariesAnalysis, BinaryFile, BinaryProblem, BinarySummary } from './model';
import { glibcVersion, highest } from './versions';

export type { BinariesAnalysis, BinaryFile, BinaryProblem, BinarySummary } from './model';

/** Options of {@link analyseBinaries}. */
export interface BinaryOptions {
  /** The image's platform (config or index entry), or null when unknown. */
  platform: { architecture: string; variant?: string | null } | null;
  /** The image config's Env (for LD_LIBRARY_PATH). */
  env?: readonly string[];
  signal?: AbortSignal;
}

const isMuslLoader = (path: string | null): boolean => path !== null && path.includes('/ld-musl-');

function libraryPath(env: readonly string[] | undefined): string[] {
  const value = env?.find((line) => line.startsWith('LD_LIBRARY_PATH='))?.slice('LD_LIBRARY_PATH='.length);
  return value === undefined ? [] : value.split(':').filter((dir) => dir.startsWith('/'));
}

/** Per architecture: true when its loaders are musl's only. */
function muslArchitectures(elves: readonly ElfEntry[]): Map<string, boolean> {
  const kinds = new Map<string, { musl: boolean; glibc: boolean }>();
  for (const elf of elves) {
    const loader = elf.details.interpreter;
    if (loader === null) continue;
    const kind = kinds.get(elf.details.architecture) ?? { musl: false, glibc: false };
    if (isMuslLoader(loader)) kind.musl = true;
    else kind.glibc = true;
    kinds.set(elf.details.architecture, kind);
  }
  return new Map([...kinds].map(([arch, kind]) => [arch, kind.musl && !kind.glibc]));
}

function problemsOf(elf: ElfEntry, resolution: Resolution, resolver: LibraryResolver): BinaryProblem[] {
  const problems: BinaryProblem[] = [];
  if (resolution.interpreter === null && elf.details.interpreter !== null) {
    problems.push({ kind: 'missing-interpreter', interpreter: elf.details.interpreter });
  }
  const found = new Map<string, string>();
  for (const lookup of resolution.libraries) {
    if (lookup.found === null) problems.push({ kind: 'missing-library', library: lookup.name, searched: lookup.searched });
    else found.set(lookup.name, lookup.found);
  }
  for (const need of elf.details.versionNeeds) {
    const path = found.get(need.file);
    const library = path === undefined ? undefined : resolver.entry(path);
    if (path === undefined || library === undefined) continue;
    const defined = new Set(library.details.versionDefinitions);
    for (const version of need.versions) {
      if (!defined.has(version)) problems.push({ kind: 'missing-version', library: need.file, path, version });
    }
  }
  return problems;
}

/** Inspects every ELF file of the rootfs and checks what each needs against the image and its platform. */
export async function analyseBinaries(rootfs: Rootfs, options: BinaryOptions): Promise<BinariesAnalysis> {
  const scan = await scanElves(rootfs, options.signal);
  const resolver = new LibraryResolver(rootfs, scan.elves, libraryPath(options.env));
  const musl = muslArchitectures(scan.elves);
  const files: BinaryFile[] = [];
  const byPath = new Map<string, BinaryFile>();
  for (const elf of scan.elves) {
    const d = elf.details;
    const resolution = d.kind === 'object' ? { libraries: [] } : await resolver.resolve(elf, isMuslLoader(d.interpreter) || (musl.get(d.architecture) ?? false));
    const file: BinaryFile = {
      path: elf.path, layer: elf.layer, size: elf.size, class: d.class, endianness: d.endianness,
      architecture: d.architecture, variant: d.variant, kind: d.kind, linkage: d.linkage,
      interpreter: d.interpreter, needed: d.needed, resolved: resolution.libraries.map((lookup) => lookup.found),
      soname: d.soname, rpath: d.rpath, runpath: d.runpath,
      glibc: highest(d.versionNeeds.flatMap((need) => need.versions.map(glibcVersion))),
      versionNeeds: d.versionNeeds, definesGlibc: highest(d.versionDefinitions.map(glibcVersion)), minKernel: d.abiTag?.kernel ?? null, go: d.go,
      problems: problemsOf(elf, resolution, resolver), satisfied: true,
    };
    files.push(file);
    byPath.set(file.path, file);
  }
  markSatisfied(files, byPath);
  const platformArch = options.platform?.architecture ?? mostCommon(files);
  return {
    summary: summarise(files, platformArch, musl.get(platformArch ?? '') ?? false),
    files,
    findings: binaryFindings(files, options.platform),
    unreadable: scan.unreadable,
  };
}

/** A file is satisfied when it has no problem and every library it loads is satisfied (cycles allowed). */
function markSatisfied(files: BinaryFile[], byPath: ReadonlyMap<string, BinaryFile>): void {
  const state = new Map<string, boolean>();
  const visit = (file: BinaryFile, active: Set<string>): boolean => {
    const known = state.get(file.path);
    if (known !== undefined) return known;
    if (active.has(file.path)) return true;
    active.add(file.path);
    let ok = file.problems.length === 0;
    for (const path of file.resolved) {
      const library = path === null ? undefined : byPath.get(path);
      if (library !== undefined && !visit(library, active)) ok = false;
    }
    active.delete(file.path);
    state.set(file.path, ok);
    return ok;
  };
  for (const file of files) file.satisfied = visit(file, new Set());
}

function mostCommon(files: readonly BinaryFile[]): string | null {
  const counts = new Map<string, number>();
  for (const file of files) counts.set(file.architecture, (counts.get(file.architecture) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

function summarise(files: readonly BinaryFile[], architecture: string | null, musl: boolean): BinarySummary {
  const summary: BinarySummary = {
    elf: files.length, byArchitecture: {}, static: 0, interpreters: {}, minGlibc: null, minKernel: null,
    dynamic: 0, libc: null, unsatisfied: 0,
  };
  for (const file of files) {
    summary.byArchitecture[file.architecture] = (summary.byArchitecture[file.architecture] ?? 0) + 1;
    if (file.kind === 'executable' && file.linkage === 'static') summary.static += 1;
    if (file.kind === 'executable' && file.linkage === 'dynamic') {
      summary.dynamic += 1;
      if (!file.satisfied) summary.unsatisfied += 1;
    }
    if (file.interpreter !== null) summary.interpreters[file.interpreter] = (summary.interpreters[file.interpreter] ?? 0) + 1;
  }
  summary.minGlibc = highest(files.map((file) => file.glibc));
  summary.minKernel = highest(files.map((file) => file.minKernel));
  summary.libc = findLibc(files, architecture, musl);
  return summary;
}

/** The C library that the platform's binaries load (the one most of them resolve libc.so.6 / the musl loader to). */
function findLibc(files: readonly BinaryFile[], architecture: string | null, musl: boolean): BinarySummary['libc'] {
  const votes = new Map<string, number>();
  for (const file of files) {
    if (file.architecture !== architecture) continue;
    file.needed.forEach((name, i) => {
      const path = file.resolved[i];
      if (path !== null && (name === 'libc.so.6' || /^libc\.musl-/.test(name) || name === 'libc.so')) votes.set(path, (votes.get(path) ?? 0) + 1);
    });
  }
  const path = [...votes].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (path === undefined) return null;
  if (musl) return { flavour: 'musl', path, version: null };
  return { flavour: 'glibc', path, version: files.find((file) => file.path === path)?.definesGlibc ?? null };
}
