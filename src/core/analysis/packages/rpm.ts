/**
 * rpm's databases: `rpmdb.sqlite` (rpm ≥ 4.16: Fedora 33+, RHEL/UBI 9) and
 * the Berkeley DB `Packages` of older releases (RHEL/UBI 7 and 8), under
 * `/var/lib/rpm` or `/usr/lib/sysimage/rpm` (Fedora 36+ links one to the
 * other). The NDB `Packages.db` of SUSE is recognised and reported as not
 * read.
 */
import { InspectError, InspectErrorCode } from '../../errors';
import type { Rootfs } from '../rootfs';
import { lookupFile } from '../rootfs-files';
import type { PackageRecord } from './model';
import { recordFromHeader } from './rpm-header';
import { berkeleyHashValues } from './rpm-bdb';
import type { RpmSqliteReader } from './rpm-sqlite';

const RPM_DIRECTORIES = ['/usr/lib/sysimage/rpm', '/var/lib/rpm'];

/** An rpm database file found in a rootfs (its real path). */
export interface RpmDatabase {
  format: 'sqlite' | 'bdb' | 'ndb';
  path: string;
}

/** The rpm database of a rootfs: the first of sqlite, bdb, ndb found (each real path once). */
export function findRpmDatabase(rootfs: Rootfs): RpmDatabase | null {
  const names: [RpmDatabase['format'], string][] = [['sqlite', 'rpmdb.sqlite'], ['bdb', 'Packages'], ['ndb', 'Packages.db']];
  for (const [format, name] of names) {
    for (const directory of RPM_DIRECTORIES) {
      const node = lookupFile(rootfs, `${directory}/${name}`);
      if (node !== null && node.size > 0) return { format, path: node.path };
    }
  }
  return null;
}

/** Reads the packages of one copy of an rpm database. */
export async function parseRpmDatabase(format: RpmDatabase['format'], bytes: Uint8Array, sqlite: RpmSqliteReader | null): Promise<PackageRecord[]> {
  let blobs: Uint8Array[];
  if (format === 'sqlite') {
    if (sqlite === null) throw new InspectError(InspectErrorCode.Unsupported, 'No SQLite reader is available to read rpmdb.sqlite');
    blobs = await sqlite(bytes);
  } else if (format === 'bdb') {
    // rpm keeps a 4-byte counter under key 0 beside the headers.
    blobs = berkeleyHashValues(bytes).filter((value) => value.length >= 16);
  } else {
    throw new InspectError(InspectErrorCode.Unsupported, 'NDB rpm databases (Packages.db) are not read yet');
  }
  const records: PackageRecord[] = [];
  for (const blob of blobs) {
    const record = recordFromHeader(blob);
    if (record !== null) records.push(record);
  }
  return records;
}
