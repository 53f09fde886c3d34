/**
 * Where decompressed layers live in the Origin Private File System:
 * `tarsier-layers/<hex>.tar`, named by DiffID (the sha256 of exactly those
 * bytes, so a file can never stand for another layer), and `<hex>.done`,
 * written once the `.tar` is complete and flushed. The filesystem worker
 * reads them (kept-layer-files.ts); the layer worker writes them during the first
 * pass (LayerKeeper below), so that files open at once after the scan.
 */
import { ByteBatcher } from '../../src/core/codec/byte-batcher';
import { looksLikeBomb } from '../../src/core/codec/gzip';
import type { BlobResult } from '../../src/core/types';
import { directoryEntries, openSyncHandle, opfsAvailable, opfsDirectoriesAvailable, SequentialWriter } from './opfs';

const DIRECTORY = 'tarsier-layers';
/** A layer being written by the first pass: renamed to `<hex>.tar` once its DiffID is known. */
const PENDING_PREFIX = 'pending-';
/** A pending file untouched for this long is the leftover of a cancelled pass. */
const PENDING_MAX_AGE_MS = 10 * 60 * 1000;

/** The directory of decompressed layers (created when missing). */
export async function layerDirectory(): Promise<FileSystemDirectoryHandle> {
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle(DIRECTORY, { create: true });
}

/** The hex of a sha256 DiffID, or null for anything else (never a file name from elsewhere). */
export function diffIdHex(diffId: string): string | null {
  const hex = diffId.replace(/^sha256:/, '');
  return /^[0-9a-f]{64}$/.test(hex) ? hex : null;
}

/** Whether the layer with this DiffID is complete on disk (its data file and its `.done` mark). */
export async function isKept(directory: FileSystemDirectoryHandle, hex: string): Promise<boolean> {
  const exists = (name: string): Promise<boolean> => directory.getFileHandle(name).then(() => true, () => false);
  const [data, done] = await Promise.all([exists(`${hex}.tar`), exists(`${hex}.done`)]);
  return data && done;
}

/**
 * Decompressed layers of other images are kept up to this many bytes
 * (most recently written first); older ones are deleted when an image loads.
 */
export const OTHER_IMAGES_BUDGET = 2 * 1024 ** 3;

/**
 * Deletes kept layers whose DiffID is not in `keep`, oldest first, until
 * those left take at most `budget` bytes, and the leftovers of first passes
 * that were cancelled. Files open in another worker or tab are locked and skipped.
 */
export async function pruneKeptLayers(keep: ReadonlySet<string>, budget = OTHER_IMAGES_BUDGET): Promise<void> {
  const directory = await layerDirectory();
  const others: { hex: string; size: number; modified: number }[] = [];
  for await (const [name, handle] of directoryEntries(directory)) {
    if (handle.kind !== 'file') continue;
    const fileOf = (): Promise<File | null> => (handle as FileSystemFileHandle).getFile().catch(() => null);
    if (name.startsWith(PENDING_PREFIX)) {
      // A pass still writing holds the file's lock, but not between creating it and
      // locking it, nor between closing and renaming it: recent files are left alone.
      const file = await fileOf();
      if (file !== null && Date.now() - file.lastModified > PENDING_MAX_AGE_MS) await directory.removeEntry(name).catch(() => {});
      continue;
    }
    const match = /^([0-9a-f]{64})\.tar$/.exec(name);
    if (match === null || keep.has(`sha256:${match[1]}`)) continue;
    const file = await fileOf();
    if (file !== null) others.push({ hex: match[1], size: file.size, modified: file.lastModified });
  }
  others.sort((a, b) => b.modified - a.modified);
  let kept = 0;
  for (const other of others) {
    kept += other.size;
    if (kept <= budget) continue;
    await directory.removeEntry(`${other.hex}.done`).catch(() => {});
    await directory.removeEntry(`${other.hex}.tar`).catch(() => {});
  }
}

/** Decoders hand out 32–64 KiB chunks and each write is a system call: written 1 MiB at a time. */
const WRITE_SIZE = 1024 * 1024;

/**
 * Keeping may take at most this share of the pass. Measured on a 1.08 GB
 * image (6 gzip layers): writes took 3–26% of each layer's pass to disk, but
 * 36–47% in a private window, where Chromium keeps OPFS in memory (and the
 * copy would take as much RAM as the layer): there the layers are left to be
 * decoded when a file is opened.
 */
const MAX_WRITING_SHARE = 1 / 3;
/** The share is judged once this many bytes were written. */
const COST_PROBE_BYTES = 32 * 1024 * 1024;
/**
 * Left in the directory when keeping cost too much, so that the other workers
 * (and the prefetch of the filesystem worker) do not try either. In a private
 * window it lives in memory and goes with the window; on disk it expires.
 */
const SLOW_STORAGE_MARK = 'slow-storage';
const SLOW_STORAGE_MARK_LIFETIME_MS = 60 * 60 * 1000;

/** Whether writing to OPFS was found too slow to keep layers (recently, in this browser profile). */
export async function storageKnownSlow(directory: FileSystemDirectoryHandle): Promise<boolean> {
  try {
    const mark = await (await directory.getFileHandle(SLOW_STORAGE_MARK)).getFile();
    return Date.now() - mark.lastModified < SLOW_STORAGE_MARK_LIFETIME_MS;
  } catch {
    return false;
  }
}

async function markStorageSlow(directory: FileSystemDirectoryHandle): Promise<void> {
  await directory.removeEntry(SLOW_STORAGE_MARK).catch(() => {});
  await directory.getFileHandle(SLOW_STORAGE_MARK, { create: true });
}

/** What the first pass should keep. */
export interface KeepRequest {
  /** The DiffID the config expects (a layer already stored is not written again), or null. */
  expectedDiffId: string | null;
  /** Every DiffID of the open source, spared when older layers are pruned; null: do not prune (the source is not known yet). */
  sourceDiffIds: string[] | null;
}

/**
 * Writes the decompressed stream of one layer to OPFS while the first pass
 * decodes it anyway: the bytes cost one more write instead of a second
 * decode when a file of the layer is opened. Keeping is a convenience, never
 * a failure: a full disk, a bomb-like ratio (looksLikeBomb), half of the
 * free quota or writes that cost too much (MAX_WRITING_SHARE) stop it, and
 * the partial file is deleted.
 */
export class LayerKeeper {
  #writer: SequentialWriter | null;
  readonly #name: string;
  readonly #buffer = new ByteBatcher(WRITE_SIZE);
  #startedAt: number | null = null;
  /** Time spent in writes, against the time of the whole pass (see MAX_WRITING_SHARE). */
  #writingMs = 0;

  private constructor(
    writer: SequentialWriter,
    name: string,
    readonly directory: FileSystemDirectoryHandle,
    readonly file: FileSystemFileHandle,
    readonly budget: number,
    readonly request: KeepRequest,
  ) {
    this.#writer = writer;
    this.#name = name;
  }

  /** A keeper, or null when there is nothing to do (no OPFS, already stored, no room). */
  static async start(request: KeepRequest): Promise<LayerKeeper | null> {
    if (!opfsAvailable()) return null;
    try {
      const directory = await layerDirectory();
      if (await storageKnownSlow(directory)) return null;
      const expected = request.expectedDiffId === null ? null : diffIdHex(request.expectedDiffId);
      if (expected !== null && (await isKept(directory, expected))) return null;
      const { quota = 0, usage = 0 } = await navigator.storage.estimate();
      const budget = (quota - usage) / 2;
      if (budget <= 0) return null;
      const name = `${PENDING_PREFIX}${crypto.randomUUID()}.tar`;
      const file = await directory.getFileHandle(name, { create: true });
      const writer = new SequentialWriter(await openSyncHandle(file));
      return new LayerKeeper(writer, name, directory, file, budget, request);
    } catch {
      return null;
    }
  }

  /** For BlobInspectorOptions.onUncompressed. */
  readonly write = (chunk: Uint8Array, position: number, storedBytesRead: number): void => {
    const writer = this.#writer;
    if (writer === null) return;
    const end = position + chunk.length;
    if (end > this.budget || looksLikeBomb(storedBytesRead, end)) {
      this.discard();
      return;
    }
    const started = performance.now();
    this.#startedAt ??= started;
    try {
      this.#buffer.push(chunk, position, (bytes, at) => writer.write(bytes, at));
    } catch {
      this.discard();
      return;
    }
    const now = performance.now();
    this.#writingMs += now - started;
    if (end >= COST_PROBE_BYTES && this.#writingMs > (now - this.#startedAt) * MAX_WRITING_SHARE) {
      this.discard();
      void markStorageSlow(this.directory).catch(() => {});
    }
  };

  /** Stops keeping and deletes what was written. */
  discard(): void {
    const writer = this.#writer;
    if (writer === null) return;
    this.#writer = null;
    writer.handle.close();
    void this.directory.removeEntry(this.#name).catch(() => {});
  }

  /** Names the file by the DiffID the pass computed, when the pass read the whole layer without error. */
  async finish(result: BlobResult): Promise<void> {
    const writer = this.#writer;
    const hex = result.diffId === null ? null : diffIdHex(result.diffId);
    if (writer === null || hex === null || result.error !== null || !result.isTar || result.compression === 'none') {
      this.discard();
      return;
    }
    this.#writer = null;
    try {
      this.#buffer.flush((bytes, at) => writer.write(bytes, at));
      writer.finish();
      writer.handle.close();
      const movable = this.file as FileSystemFileHandle & { move(name: string): Promise<void> };
      // Another pass of the same layer (a second tab, say) got there first.
      if (await isKept(this.directory, hex)) throw new Error('already kept');
      await movable.move(`${hex}.tar`);
      await this.directory.getFileHandle(`${hex}.done`, { create: true });
    } catch {
      // The layer is open in another worker or tab (locked), or OPFS failed: it is decoded again when needed.
      await this.directory.removeEntry(this.#name).catch(() => {});
      return;
    }
    const sourceDiffIds = this.request.sourceDiffIds;
    if (sourceDiffIds !== null) await pruneKeptLayers(new Set([...sourceDiffIds, `sha256:${hex}`])).catch(() => {});
  }
}

/** Decompressed layers on disk: how many, and their bytes. */
export interface KeptLayersUsage {
  layers: number;
  bytes: number;
}

/** What the decompressed layers take in this browser profile (null without OPFS). */
export async function keptLayersUsage(): Promise<KeptLayersUsage | null> {
  if (!opfsDirectoriesAvailable()) return null;
  const directory = await layerDirectory();
  const usage: KeptLayersUsage = { layers: 0, bytes: 0 };
  for await (const [name, handle] of directoryEntries(directory)) {
    if (handle.kind !== 'file' || !name.endsWith('.tar')) continue;
    const file = await (handle as FileSystemFileHandle).getFile().catch(() => null);
    if (file === null) continue;
    usage.bytes += file.size;
    if (!name.startsWith(PENDING_PREFIX)) usage.layers += 1;
  }
  return usage;
}

/** Deletes every decompressed layer not in use (files open in a worker are locked and stay); returns what is left. */
export async function clearKeptLayers(): Promise<KeptLayersUsage | null> {
  if (!opfsDirectoriesAvailable()) return null;
  const directory = await layerDirectory();
  const names: string[] = [];
  for await (const [name] of directoryEntries(directory)) names.push(name);
  // Data files first: a `.done` mark must never outlive its data.
  for (const name of names.filter((entry) => entry.endsWith('.tar'))) {
    const removed = await directory.removeEntry(name).then(() => true, () => false);
    if (removed) await directory.removeEntry(name.replace(/\.tar$/, '.done')).catch(() => {});
  }
  return keptLayersUsage();
}
