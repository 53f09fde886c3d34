/**
 * Where the dynamic loader looks for libraries inside an image, besides
 * RPATH/RUNPATH: glibc's `/etc/ld.so.conf` with its `include` lines
 * (ldconfig(8); what ld.so.cache would hold) and its built-in system
 * directories (`ld.so --help`: the multiarch directories on Debian and
 * Ubuntu, `/lib64` and `/usr/lib64` on 64-bit Red Hat-style systems, then
 * `/lib` and `/usr/lib`); musl's `/etc/ld-musl-<arch>.path`, else `/lib`,
 * `/usr/local/lib`, `/usr/lib` (https://musl.libc.org/doc/1.1.24/manual.html).
 */
import { childPath } from '../../fs/file-node';
import type { Rootfs } from '../rootfs';
import { lookupDirectory, readText } from '../rootfs-files';

const MAX_INCLUDE_DEPTH = 8;
const MAX_CONFIG_BYTES = 256 * 1024;
const MAX_DIRECTORIES = 1024;

/** Debian's multiarch triplets by OCI architecture (and ARM variant for armel). */
export function multiarchTriplet(architecture: string, variant: string | null): string | null {
  switch (architecture) {
    case 'amd64': return 'x86_64-linux-gnu';
    case 'arm64': return 'aarch64-linux-gnu';
    case 'arm': return variant === 'v5' ? 'arm-linux-gnueabi' : 'arm-linux-gnueabihf';
    case '386': return 'i386-linux-gnu';
    case 'ppc64le': return 'powerpc64le-linux-gnu';
    case 'ppc64': return 'powerpc64-linux-gnu';
    case 's390x': return 's390x-linux-gnu';
    case 'mips64le': return 'mips64el-linux-gnuabi64';
    case 'riscv64': return 'riscv64-linux-gnu';
    case 'loong64': return 'loongarch64-linux-gnu';
    default: return null;
  }
}

/** glibc's system directories for a binary of this architecture and class. */
export function glibcSystemDirectories(architecture: string, variant: string | null, wide: boolean): string[] {
  const triplet = multiarchTriplet(architecture, variant);
  const dirs = triplet === null ? [] : [`/lib/${triplet}`, `/usr/lib/${triplet}`];
  if (wide) dirs.push('/lib64', '/usr/lib64');
  else dirs.push('/lib32', '/usr/lib32');
  dirs.push('/lib', '/usr/lib');
  return dirs;
}

function globToRegExp(glob: string): RegExp {
  let pattern = '';
  for (const char of glob) {
    if (char === '*') pattern += '[^/]*';
    else if (char === '?') pattern += '[^/]';
    else pattern += char.replace(/[\\^$.|+(){}[\]]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`);
}

/** Files matching an include pattern (wildcards in the last component), sorted as glob(3) sorts. */
function expandInclude(rootfs: Rootfs, pattern: string): string[] {
  const slash = pattern.lastIndexOf('/');
  const dir = slash <= 0 ? '/' : pattern.slice(0, slash);
  const name = pattern.slice(slash + 1);
  if (!/[*?]/.test(name)) return [pattern];
  const directory = lookupDirectory(rootfs, dir);
  if (directory?.children === undefined) return [];
  const regex = globToRegExp(name);
  return [...directory.children.keys()].filter((child) => regex.test(child)).sort().map((child) => childPath(dir, child));
}

/** The directories `/etc/ld.so.conf` lists, includes followed, in order, each once. */
export async function ldSoConfDirectories(rootfs: Rootfs): Promise<string[]> {
  const dirs: string[] = [];
  const seen = new Set<string>();
  const visit = async (path: string, depth: number): Promise<void> => {
    if (depth > MAX_INCLUDE_DEPTH || seen.has(`file:${path}`)) return;
    seen.add(`file:${path}`);
    const text = await readText(rootfs, path, MAX_CONFIG_BYTES);
    if (text === null) return;
    const base = path.slice(0, path.lastIndexOf('/')) || '/';
    for (const raw of text.split('\n')) {
      const line = raw.replace(/#.*/, '').trim();
      if (line === '') continue;
      const include = /^include\s+(.+)$/.exec(line);
      if (include !== null) {
        for (const word of include[1].split(/\s+/)) {
          const pattern = word.startsWith('/') ? word : childPath(base, word);
          for (const file of expandInclude(rootfs, pattern)) await visit(file, depth + 1);
        }
        continue;
      }
      if (line.startsWith('hwcap ')) continue;
      for (const entry of line.split(/[\s:,]+/)) {
        const dir = entry.replace(/=.*$/, '').replace(/\/+$/, '');
        if (dir.startsWith('/') && !seen.has(dir) && dirs.length < MAX_DIRECTORIES) {
          seen.add(dir);
          dirs.push(dir);
        }
      }
    }
  };
  await visit('/etc/ld.so.conf', 0);
  return dirs;
}

/** musl's search path: `/etc/ld-musl-<arch>.path` (from the loader's name), else its defaults. */
export async function muslDirectories(rootfs: Rootfs, interpreter: string): Promise<string[]> {
  const arch = /ld-musl-([^./]+)\.so/.exec(interpreter)?.[1];
  if (arch !== undefined) {
    const text = await readText(rootfs, `/etc/ld-musl-${arch}.path`, MAX_CONFIG_BYTES);
    if (text !== null) return text.split(/[\n:]+/).map((dir) => dir.trim()).filter((dir) => dir.startsWith('/'));
  }
  return ['/lib', '/usr/local/lib', '/usr/lib'];
}
