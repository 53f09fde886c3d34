/**
 * Resolves an ELF file's loader and needed libraries inside the image the
 * way ld.so would (ld.so(8), "Rpath token expansion"): a name with a slash
 * is a path; otherwise DT_RPATH (when there is no DT_RUNPATH),
 * LD_LIBRARY_PATH from the image config, DT_RUNPATH, the directories of
 * /etc/ld.so.conf, then the system directories; musl searches
 * LD_LIBRARY_PATH, RPATH/RUNPATH, then its path file. A candidate counts only
 * when it is an ELF file of the same architecture and class (ld.so skips the
 * others). The RPATH of the objects that loaded a library is not inherited
 * here: each library is resolved with its own paths.
 */
import { resolvePath } from '../../fs/file-node';
import type { Rootfs } from '../rootfs';
import { hasContent } from '../rootfs-files';
import { glibcSystemDirectories, ldSoConfDirectories, multiarchTriplet, muslDirectories } from './ld-config';
import type { ElfEntry } from './scan';

/** Where one needed library was found, or the directories searched in vain. */
export type LibraryLookup = { name: string; found: string } | { name: string; found: null; searched: string[] };

/** Loader and libraries of one ELF file. */
export interface Resolution {
  /** The loader's real path, null when it is missing, undefined when the file names none. */
  interpreter?: string | null;
  libraries: LibraryLookup[];
}

function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

const UNAME_MACHINES: Record<string, string> = { 'x86-64': 'x86_64', '386': 'i686', ppc64: 'ppc64' };

/** Expands $ORIGIN, $LIB and $PLATFORM (also in `${…}` form) in one RPATH/RUNPATH entry. */
export function expandTokens(entry: string, elf: ElfEntry): string {
  const triplet = multiarchTriplet(elf.details.architecture, elf.details.variant);
  const values: Record<string, string> = {
    ORIGIN: dirname(elf.path),
    LIB: triplet !== null ? `lib/${triplet}` : elf.details.class === 64 ? 'lib64' : 'lib',
    PLATFORM: UNAME_MACHINES[elf.details.machine] ?? elf.details.machine,
  };
  return entry.replace(/\$(?:\{(ORIGIN|LIB|PLATFORM)\}|(ORIGIN|LIB|PLATFORM)\b)/g, (_, braced: string | undefined, bare: string | undefined) => values[braced ?? bare ?? ''] ?? '');
}

function splitPath(value: string | null, elf: ElfEntry): string[] {
  if (value === null) return [];
  return value.split(':').filter((dir) => dir !== '').map((dir) => expandTokens(dir, elf));
}

/** Resolves loaders and libraries against one rootfs, caching lookups. */
export class LibraryResolver {
  readonly #rootfs: Rootfs;
  readonly #byPath: Map<string, ElfEntry>;
  readonly #libraryPath: string[];
  #conf: string[] | null = null;
  readonly #musl = new Map<string, string[]>();
  readonly #found = new Map<string, string | null>();

  /** `libraryPath`: LD_LIBRARY_PATH from the image config's Env, split. */
  constructor(rootfs: Rootfs, elves: readonly ElfEntry[], libraryPath: readonly string[] = []) {
    this.#rootfs = rootfs;
    this.#byPath = new Map(elves.map((elf) => [elf.path, elf]));
    this.#libraryPath = [...libraryPath];
  }

  /** The ELF entry at a real path, if the scan found one there. */
  entry(path: string): ElfEntry | undefined {
    return this.#byPath.get(path);
  }

  /** The real path of a file, following symlinks inside the image, or null. */
  realFile(path: string): string | null {
    const found = resolvePath(this.#rootfs.root, path);
    return found.ok && hasContent(found.node) ? found.node.path : null;
  }

  /** A library candidate that ld.so would accept for `from`: an ELF of its architecture and class. */
  #candidate(path: string, from: ElfEntry): string | null {
    const key = `${from.details.architecture}/${from.details.class}:${path}`;
    const cached = this.#found.get(key);
    if (cached !== undefined) return cached;
    const real = this.realFile(path);
    const elf = real === null ? undefined : this.#byPath.get(real);
    const ok = elf !== undefined && elf.details.architecture === from.details.architecture && elf.details.class === from.details.class;
    const result = ok ? real : null;
    this.#found.set(key, result);
    return result;
  }

  async #searchPath(elf: ElfEntry, musl: boolean, interpreter: string | null): Promise<string[]> {
    const { rpath, runpath } = elf.details;
    if (musl) {
      let dirs = this.#musl.get(interpreter ?? '');
      if (dirs === undefined) {
        dirs = await muslDirectories(this.#rootfs, interpreter ?? '');
        this.#musl.set(interpreter ?? '', dirs);
      }
      return [...this.#libraryPath, ...splitPath(rpath, elf), ...splitPath(runpath, elf), ...dirs];
    }
    this.#conf ??= await ldSoConfDirectories(this.#rootfs);
    return [
      ...(runpath === null ? splitPath(rpath, elf) : []),
      ...this.#libraryPath,
      ...splitPath(runpath, elf),
      ...this.#conf,
      ...glibcSystemDirectories(elf.details.architecture, elf.details.variant, elf.details.class === 64),
    ];
  }

  /**
   * Resolves one file's loader and needed libraries. `musl` says which
   * loader's rules apply (from its interpreter, or for a library the image's C library).
   */
  async resolve(elf: ElfEntry, musl: boolean): Promise<Resolution> {
    const resolution: Resolution = { libraries: [] };
    const interpreter = elf.details.interpreter;
    if (interpreter !== null) resolution.interpreter = this.realFile(interpreter);
    if (elf.details.needed.length === 0) return resolution;
    const dirs = [...new Set(await this.#searchPath(elf, musl, interpreter))];
    for (const name of elf.details.needed) {
      if (name.includes('/')) {
        const found = this.#candidate(name.startsWith('/') ? name : `${dirname(elf.path)}/${name}`, elf);
        resolution.libraries.push(found === null ? { name, found: null, searched: [] } : { name, found });
        continue;
      }
      let found: string | null = null;
      for (const dir of dirs) {
        found = this.#candidate(`${dir}/${name}`, elf);
        if (found !== null) break;
      }
      resolution.libraries.push(found === null ? { name, found: null, searched: dirs } : { name, found });
    }
    return resolution;
  }
}
