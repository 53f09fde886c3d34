/**
 * Installed packages as the image's package databases record them. Plain,
 * structured-clonable data: the analyses run in the filesystem worker and in
 * the Node command line alike.
 */

/** Which package manager's database a package comes from. */
export type PackageType = 'deb' | 'apk' | 'rpm';

/** What one layer did to a package (by name and architecture). */
export interface PackageEvent {
  /** 0-based layer index. */
  layer: number;
  /** installed: first listed; changed: listed with another version; removed: no longer listed. */
  kind: 'installed' | 'changed' | 'removed';
  /** The version listed after that layer (the last one listed for `removed`). */
  version: string;
}

/** One package as its database lists it in the merged rootfs. */
export interface InstalledPackage {
  type: PackageType;
  name: string;
  /** deb: Version as written; apk: V; rpm: [EPOCH:]VERSION-RELEASE. */
  version: string;
  /** Architecture as the database writes it (`amd64`, `all`, `x86_64`, `noarch`), or null. */
  arch: string | null;
  /** Source package (deb Source, apk origin, rpm SOURCERPM's name), or null. */
  source: string | null;
  /** The source package's version when it differs from `version`, or null. */
  sourceVersion: string | null;
  /** Licence expression as the database writes it (apk L, rpm LICENSE), or null (dpkg has none). */
  license: string | null;
  /** Installed size in bytes, or null. */
  size: number | null;
  /** Package URL (https://github.com/package-url/purl-spec). */
  purl: string;
  /** Absolute path of the database that lists it. */
  database: string;
  /** The first layer whose copy of the database lists this name+version+arch. */
  layer: number;
  /** Absolute paths of the package's files (directories included where the database lists them). */
  files: string[];
}

/** A package that a layer removed and no later layer brought back. */
export interface RemovedPackage {
  type: PackageType;
  name: string;
  version: string;
  arch: string | null;
  database: string;
  /** The layer whose copy of the database no longer lists it. */
  layer: number;
}

/** A database that could not be read, and why. */
export interface PackageDatabaseProblem {
  database: string;
  message: string;
}

/** Every package database of a merged rootfs. */
export interface PackageInventory {
  packages: InstalledPackage[];
  /** Per package (`type/name/arch`), what each layer did, in layer order. */
  history: Record<string, PackageEvent[]>;
  removed: RemovedPackage[];
  /** Databases found (absolute paths), with their type. */
  databases: { type: PackageType; path: string }[];
  problems: PackageDatabaseProblem[];
}

/** A package record as one copy of a database lists it, before layers are attributed. */
export interface PackageRecord {
  name: string;
  version: string;
  arch: string | null;
  source: string | null;
  sourceVersion: string | null;
  license: string | null;
  size: number | null;
  files: string[];
}

/** The key that identifies a package across a database's copies: name and architecture. */
export function packageKey(type: PackageType, name: string, arch: string | null): string {
  return `${type}/${name}/${arch ?? ''}`;
}
