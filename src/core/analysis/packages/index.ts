/**
 * Every installed package of every package database in a merged rootfs
 * (dpkg, distroless status.d, apk, rpm), with the layer that first listed
 * each one and what later layers changed. Reads only the database files
 * (every copy a layer wrote) and dpkg's file lists.
 */
import { toErrorInfo } from '../../errors';
import type { Rootfs } from '../rootfs';
import { lookupFile } from '../rootfs-files';
import { APK_INSTALLED, parseApkCopy } from './apk';
import { addDpkgFiles, findDpkgDatabases, isStatusDControl, parseDpkgCopy } from './dpkg';
import { attribute, databaseListings, filesEverIn, type DatabaseParser } from './history';
import {
  type InstalledPackage,
  type PackageInventory,
  type PackageRecord,
  type PackageType,
  packageKey,
} from './model';
import { distroNamespace, packageUrl } from './purl';
import { findRpmDatabase, parseRpmDatabase } from './rpm';
import type { RpmSqliteReader } from './rpm-sqlite';

export type { InstalledPackage, PackageInventory } from './model';

/** Options of {@link analysePackages}. */
export interface PackageOptions {
  /** os-release ID (purl namespace: `debian`, `ubuntu`, `alpine`, `fedora`…), or null. */
  osId: string | null;
  /** Reads rpmdb.sqlite; null where none is available (then such a database is reported unread). */
  sqlite: RpmSqliteReader | null;
  /** Fill in dpkg's per-package file lists (one small read per package). Default true. */
  dpkgFiles?: boolean;
}

/** The purl of a record of a database of `type`. */
export function purlOf(type: PackageType, record: PackageRecord, osId: string | null): string {
  const namespace = distroNamespace(type, osId);
  if (type === 'rpm') {
    const epoch = /^(\d+):(.*)$/.exec(record.version);
    return packageUrl('rpm', namespace, record.name, epoch === null ? record.version : epoch[2], {
      arch: record.arch,
      epoch: epoch?.[1] ?? null,
    });
  }
  return packageUrl(type, namespace, record.name, record.version, { arch: record.arch });
}

interface Database {
  type: PackageType;
  /** Absolute real path shown to people (a file, or status.d's directory). */
  path: string;
  /** Layer paths of the files whose copies make up the database. */
  files: string[];
  parse: DatabaseParser;
}

function findDatabases(rootfs: Rootfs, options: PackageOptions): Database[] {
  const databases: Database[] = [];
  const dpkg = findDpkgDatabases(rootfs);
  if (dpkg.status !== null) {
    databases.push({ type: 'deb', path: dpkg.status, files: [dpkg.status.slice(1)], parse: parseDpkgCopy });
  }
  if (dpkg.statusD !== null) {
    const files = filesEverIn(rootfs.layers, dpkg.statusD.slice(1), rootfs.layer).filter(isStatusDControl);
    if (files.length > 0) databases.push({ type: 'deb', path: dpkg.statusD, files, parse: parseDpkgCopy });
  }
  const apk = lookupFile(rootfs, APK_INSTALLED);
  if (apk !== null) databases.push({ type: 'apk', path: apk.path, files: [apk.path.slice(1)], parse: parseApkCopy });
  const rpm = findRpmDatabase(rootfs);
  if (rpm !== null) {
    databases.push({
      type: 'rpm',
      path: rpm.path,
      files: [rpm.path.slice(1)],
      parse: (_path, bytes) => parseRpmDatabase(rpm.format, bytes, options.sqlite),
    });
  }
  return databases;
}

/** Reads every package database of the rootfs. Problems with one database are listed, not thrown. */
export async function analysePackages(rootfs: Rootfs, options: PackageOptions): Promise<PackageInventory> {
  const inventory: PackageInventory = { packages: [], history: {}, removed: [], databases: [], problems: [] };
  for (const database of findDatabases(rootfs, options)) {
    inventory.databases.push({ type: database.type, path: database.path });
    try {
      const listings = await databaseListings(rootfs, database.files, database.parse);
      const { history, firstListed, final, removed } = attribute(database.type, listings);
      const records = [...final.values()];
      if (database.type === 'deb' && options.dpkgFiles !== false) {
        await addDpkgFiles(rootfs, records, database.path.endsWith('/status.d') ? database.path : null);
      }
      for (const record of records) {
        const key = packageKey(database.type, record.name, record.arch);
        inventory.packages.push(toPackage(database, record, firstListed.get(`${key}@${record.version}`) ?? 0, options.osId));
      }
      for (const [key, events] of history) inventory.history[key] = events;
      for (const { layer, record } of removed.values()) {
        inventory.removed.push({ type: database.type, name: record.name, version: record.version, arch: record.arch, database: database.path, layer });
      }
    } catch (error) {
      inventory.problems.push({ database: database.path, message: toErrorInfo(error, database.path).message });
    }
  }
  inventory.packages.sort((a, b) => compare(a.type, b.type) || compare(a.name, b.name) || compare(a.arch ?? '', b.arch ?? ''));
  return inventory;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function toPackage(database: Database, record: PackageRecord, layer: number, osId: string | null): InstalledPackage {
  return {
    type: database.type,
    name: record.name,
    version: record.version,
    arch: record.arch,
    source: record.source,
    sourceVersion: record.sourceVersion,
    license: record.license,
    size: record.size,
    purl: purlOf(database.type, record, osId),
    database: database.path,
    layer,
    files: record.files,
  };
}
