/**
 * apk's database, `lib/apk/db/installed`: one block per package, blank-line
 * separated, `X:value` lines (P name, V version, A arch, L licence, o origin,
 * I installed size, F directory, R file in the last F). Format:
 * https://wiki.alpinelinux.org/wiki/Apk_spec#Installed_Database_V2
 */
import { decodeText } from '../rootfs-files';
import type { PackageRecord } from './model';

export const APK_INSTALLED = '/lib/apk/db/installed';

/** The most packages read from one database (a hostile file could hold millions). */
const MAX_PACKAGES = 200_000;

/** Parses an installed database. */
export function parseApkInstalled(text: string): PackageRecord[] {
  const records: PackageRecord[] = [];
  let record: PackageRecord | null = null;
  let directory = '';
  const finish = (): void => {
    if (record !== null && record.name !== '' && record.version !== '' && records.length < MAX_PACKAGES) {
      records.push(record);
    }
    record = null;
    directory = '';
  };
  for (const line of text.split('\n')) {
    if (line === '') {
      finish();
      continue;
    }
    if (line.length < 2 || line[1] !== ':') continue;
    const value = line.slice(2);
    record ??= { name: '', version: '', arch: null, source: null, sourceVersion: null, license: null, size: null, files: [] };
    switch (line[0]) {
      case 'P': record.name = value; break;
      case 'V': record.version = value; break;
      case 'A': record.arch = value; break;
      case 'L': record.license = value; break;
      case 'o': record.source = value; break;
      case 'I': record.size = /^\d{1,15}$/.test(value) ? Number(value) : null; break;
      case 'F':
        directory = value;
        record.files.push(`/${value}`);
        break;
      case 'R': record.files.push(directory === '' ? `/${value}` : `/${directory}/${value}`); break;
      default: break;
    }
  }
  finish();
  return records;
}

/** Parser for databaseListings. */
export async function parseApkCopy(_path: string, bytes: Uint8Array): Promise<PackageRecord[]> {
  return parseApkInstalled(decodeText(bytes));
}
