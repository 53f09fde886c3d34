/**
 * dpkg's database: `var/lib/dpkg/status` (dpkg(1), deb-control(5)) with the
 * file lists in `var/lib/dpkg/info/<package>[:<arch>].list`, and the
 * `var/lib/dpkg/status.d/` directory that distroless images write instead
 * (one control file per package, no Status field, `<package>.md5sums`
 * beside it holding the file list).
 */
import { childPath } from '../../fs/file-node';
import type { Rootfs } from '../rootfs';
import { decodeText, lookupDirectory, lookupFile, readText } from '../rootfs-files';
import type { PackageRecord } from './model';
import { parseStanzas } from './stanzas';

export const DPKG_STATUS = '/var/lib/dpkg/status';
export const DPKG_STATUS_D = '/var/lib/dpkg/status.d';
const DPKG_INFO = '/var/lib/dpkg/info';

/** True when a Status field says the package is installed (its last word; `half-installed` is not). */
export function isInstalledStatus(status: string): boolean {
  return status.trim().split(/\s+/).pop() === 'installed';
}

function parseSize(kibibytes: string | undefined): number | null {
  if (kibibytes === undefined || !/^\d{1,12}$/.test(kibibytes.trim())) return null;
  return Number(kibibytes.trim()) * 1024;
}

/**
 * The installed packages of a status file (or one status.d file). With
 * `statusRequired` false (status.d), a stanza without a Status field counts
 * as installed.
 */
export function parseDpkgStatus(text: string, statusRequired = true): PackageRecord[] {
  const records: PackageRecord[] = [];
  for (const stanza of parseStanzas(text)) {
    const name = stanza.get('package');
    const version = stanza.get('version');
    if (name === undefined || version === undefined || name === '') continue;
    const status = stanza.get('status');
    if (status === undefined ? statusRequired : !isInstalledStatus(status)) continue;
    const source = /^(\S+)(?:\s+\((.+)\))?$/.exec(stanza.get('source')?.trim() ?? '');
    records.push({
      name,
      version,
      arch: stanza.get('architecture') ?? null,
      source: source?.[1] ?? null,
      sourceVersion: source?.[2] ?? null,
      license: null,
      size: parseSize(stanza.get('installed-size')),
      files: [],
    });
  }
  return records;
}

/** Paths of a `.list` file (one absolute path a line; dpkg's `/.` for the root left out). */
export function parseDpkgList(text: string): string[] {
  return text.split('\n').filter((line) => line.startsWith('/') && line !== '/.');
}

/** Paths of a distroless `.md5sums` file (`<md5>  <relative path>` lines). */
export function parseMd5sums(text: string): string[] {
  const paths: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^[0-9a-f]{32}\s+(.+)$/.exec(line);
    if (match !== null) paths.push(`/${match[1].replace(/^\.?\//, '')}`);
  }
  return paths;
}

/** Where the dpkg databases of a rootfs are (real paths, symlinks resolved), if any. */
export function findDpkgDatabases(rootfs: Rootfs): { status: string | null; statusD: string | null } {
  return {
    status: lookupFile(rootfs, DPKG_STATUS)?.path ?? null,
    statusD: lookupDirectory(rootfs, DPKG_STATUS_D)?.path ?? null,
  };
}

/** True for the files of status.d that hold control stanzas (not the `.md5sums` beside them). */
export function isStatusDControl(path: string): boolean {
  return !path.endsWith('.md5sums') && !path.slice(path.lastIndexOf('/') + 1).startsWith('.');
}

/** Fills in each record's file list from the merged tree (info/*.list, or status.d's .md5sums). */
export async function addDpkgFiles(rootfs: Rootfs, records: PackageRecord[], statusD: string | null): Promise<void> {
  for (const record of records) {
    const candidates =
      statusD !== null
        ? [childPath(statusD, `${record.name}.md5sums`)]
        : [childPath(DPKG_INFO, `${record.name}:${record.arch}.list`), childPath(DPKG_INFO, `${record.name}.list`)];
    for (const path of candidates) {
      const text = await readText(rootfs, path);
      if (text === null) continue;
      record.files = statusD !== null ? parseMd5sums(text) : parseDpkgList(text);
      break;
    }
  }
}

/** Parser for databaseListings: a status file, or one status.d control file. */
export async function parseDpkgCopy(path: string, bytes: Uint8Array): Promise<PackageRecord[]> {
  return parseDpkgStatus(decodeText(bytes), !path.includes('/status.d/'));
}
