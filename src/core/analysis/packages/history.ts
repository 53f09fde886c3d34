/**
 * Which layer installed, changed or removed each package: every copy of a
 * database that a layer wrote is read and compared with the one below it.
 * A database may be one file (dpkg status, apk installed, rpmdb.sqlite) or a
 * directory of files (distroless's status.d/): the listing after a layer is
 * the union of the files' latest copies.
 */
import type { TarEntry } from '../../types';
import { parentPath } from '../../fs/whiteout';
import type { Rootfs } from '../rootfs';
import { MAX_DATABASE_BYTES, pathChanges, type StoredCopy } from '../rootfs-files';
import { type PackageEvent, type PackageRecord, type PackageType, packageKey } from './model';

/** Parses one copy of one database file (its layer path and bytes) into records. */
export type DatabaseParser = (path: string, bytes: Uint8Array) => Promise<PackageRecord[]>;

/** The listing of a database after one layer that changed it. */
export interface DatabaseListing {
  layer: number;
  records: PackageRecord[];
}

/** Layer paths of every file directly in directory `dir` that any layer up to `upTo` wrote. */
export function filesEverIn(layers: readonly (readonly TarEntry[])[], dir: string, upTo: number): string[] {
  const paths = new Set<string>();
  for (let layer = 0; layer <= Math.min(upTo, layers.length - 1); layer += 1) {
    for (const entry of layers[layer]) {
      if (entry.whiteout === null && entry.type !== 'dir' && parentPath(entry.path) === dir) paths.add(entry.path);
    }
  }
  return [...paths].sort();
}

async function readCopy(rootfs: Rootfs, copy: StoredCopy): Promise<Uint8Array> {
  return rootfs.read(copy.layer, copy.offset, Math.min(copy.size, MAX_DATABASE_BYTES));
}

/**
 * The listing after every layer (up to the rootfs's) that changed one of
 * `files` (layer paths), oldest first. A copy that fails to parse throws, so
 * a caller can name the database.
 */
export async function databaseListings(rootfs: Rootfs, files: readonly string[], parse: DatabaseParser): Promise<DatabaseListing[]> {
  const changesByLayer = new Map<number, { path: string; copy: StoredCopy | null }[]>();
  for (const path of files) {
    for (const change of pathChanges(rootfs.layers, path, rootfs.layer)) {
      const list = changesByLayer.get(change.layer) ?? [];
      list.push({ path, copy: change.kind === 'written' ? change.copy : null });
      changesByLayer.set(change.layer, list);
    }
  }
  const current = new Map<string, PackageRecord[]>();
  const listings: DatabaseListing[] = [];
  for (const layer of [...changesByLayer.keys()].sort((a, b) => a - b)) {
    for (const { path, copy } of changesByLayer.get(layer) ?? []) {
      if (copy === null) current.delete(path);
      else current.set(path, await parse(path, await readCopy(rootfs, copy)));
    }
    listings.push({ layer, records: [...current.values()].flat() });
  }
  return listings;
}

/** What the listings say about each package: its events, and the layer that first listed its current version. */
export interface Attribution {
  history: Map<string, PackageEvent[]>;
  /** `key@version` → first layer that listed that name+version+arch. */
  firstListed: Map<string, number>;
  /** The records after the last listing, by key. */
  final: Map<string, PackageRecord>;
  /** Keys removed by a listing and absent from the last one, with the layer and last version. */
  removed: Map<string, { layer: number; record: PackageRecord }>;
}

/** Compares successive listings of one database. */
export function attribute(type: PackageType, listings: readonly DatabaseListing[]): Attribution {
  const history = new Map<string, PackageEvent[]>();
  const firstListed = new Map<string, number>();
  const removed = new Map<string, { layer: number; record: PackageRecord }>();
  let previous = new Map<string, PackageRecord>();
  const push = (key: string, event: PackageEvent): void => {
    const events = history.get(key) ?? [];
    events.push(event);
    history.set(key, events);
  };
  for (const { layer, records } of listings) {
    const now = new Map<string, PackageRecord>();
    for (const record of records) now.set(packageKey(type, record.name, record.arch), record);
    for (const [key, record] of now) {
      const versionKey = `${key}@${record.version}`;
      if (!firstListed.has(versionKey)) firstListed.set(versionKey, layer);
      const before = previous.get(key);
      if (before === undefined) push(key, { layer, kind: 'installed', version: record.version });
      else if (before.version !== record.version) push(key, { layer, kind: 'changed', version: record.version });
      removed.delete(key);
    }
    for (const [key, record] of previous) {
      if (!now.has(key)) {
        push(key, { layer, kind: 'removed', version: record.version });
        removed.set(key, { layer, record });
      }
    }
    previous = now;
  }
  return { history, firstListed, final: previous, removed };
}
