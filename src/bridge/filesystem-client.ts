/**
 * Main-thread side of the filesystem worker (workers/filesystem.worker.ts):
 * one dedicated worker per opened image, so building the merged filesystem
 * of 300k members, listing, searching and reading content never block the
 * page. Slow calls take an AbortSignal first (ARCHITECTURE.md, "Conventions"); aborting rejects
 * with an AbortError and stops the work in the worker.
 */
import { proxy, transfer, wrap, type Remote } from 'comlink';
import type { FileListEntry, FileListView } from '../core/fs/file-list';
import type { BlobLocation } from '../core/image/model';
import type { SearchMode } from '../core/fs/search';
import type {
  KeepMode,
  FileInfo,
  FilesystemWorkerApi,
  LayerSource,
  ReadProgress,
  ResolveResponse,
  SaveRequest,
  SearchHitRow,
  SearchResponse,
  TreeRow,
  TreeSort,
  TreeView,
  WastedSpace,
} from '../../workers/filesystem-api';
import { InspectError, isAbortError, toErrorInfo } from '../core/errors';
import { baseName } from '../core/fs/whiteout';
import { offerFile, pickSaveTarget } from '../lib/save-stream';
import { layerHeaderRefresher } from './blob-auth';

export type { KeepMode, FileInfo, LayerSource, ReadProgress, ResolveResponse, SearchHitRow, SearchResponse, TreeRow, TreeSort, TreeView, WastedSpace };

/**
 * The worker rejects with plain InspectErrorInfo objects (comlink keeps their
 * code that way); callers get an InspectError, with a message and the code.
 */
function fromWorker(error: unknown): unknown {
  if (error instanceof Error || isAbortError(error)) return error;
  const info = toErrorInfo(error);
  return new InspectError(info.code, info.message, info.path);
}

function abortError(): DOMException {
  return new DOMException('The operation was aborted.', 'AbortError');
}

/** What a save wrote: to a file the user picked, or offered as a download. */
export type SaveOutcome = 'picked' | 'downloaded';

/** The filesystem of one opened image, explored through a worker. */
export class FilesystemClient {
  readonly #worker: Worker;
  readonly #api: Remote<FilesystemWorkerApi>;
  #nextRequest = 1;
  /** Compression of each loaded layer, to name saved layer blobs. */
  #compressions: (string | null)[] = [];

  constructor() {
    // Vite bundles the worker from this exact `new Worker(new URL(…), { type: 'module' })` form.
    this.#worker = new Worker(new URL('../../workers/filesystem.worker.ts', import.meta.url), {
      type: 'module',
      name: 'tarsier-filesystem',
    });
    this.#api = wrap<FilesystemWorkerApi>(this.#worker);
  }

  /**
   * Builds the merged filesystem (index in `layers` = layer index). Scanned
   * results are sent as the copy the scan kept on disk, or not at all (they
   * would copy every entry twice). `keep`: see KeepMode
   * (default `prefetch`). Registry layers' tokens are renewed through the
   * refreshers registered for the model's locations (blob-auth.ts), so
   * `layers` must carry the model's own location objects.
   */
  load(signal: AbortSignal, layers: LayerSource[], keep: KeepMode = 'prefetch'): Promise<void> {
    this.#compressions = layers.map((layer) => layer.compression);
    // Looked up before rereadableLocation copies the locations: refreshers are keyed by identity.
    const refresher = layerHeaderRefresher(layers.map((layer) => layer.location));
    const sendable = layers.map((layer) => ({
      ...layer,
      location: rereadableLocation(layer.location),
    }));
    const call = refresher === null ? this.#api.load(sendable, { keep }) : this.#api.load(sendable, { keep }, proxy(refresher));
    return this.#abortable(signal, null, call);
  }

  /** Direct children of `directory` in the merged tree after `layer`, or in that layer's change tree. */
  children(layer: number, view: TreeView, directory: string, sort: TreeSort): Promise<TreeRow[]> {
    return this.#api.children(layer, view, directory, sort).catch((error: unknown) => Promise.reject(fromWorker(error)));
  }

  /** One path's row without following symlinks (`view` defaults to merged), or null. */
  stat(layer: number, path: string, view: TreeView = 'merged'): Promise<TreeRow | null> {
    return this.#api.stat(layer, view, path).catch((error: unknown) => Promise.reject(fromWorker(error)));
  }

  /** Follows symlinks inside the image (never outside it). */
  resolve(layer: number, path: string): Promise<ResolveResponse> {
    return this.#api.resolve(layer, path).catch((error: unknown) => Promise.reject(fromWorker(error)));
  }

  /** Members of layers 0..`layer` whose path matches; rejects with a message for a bad pattern. */
  search(query: { text: string; mode: SearchMode; caseSensitive?: boolean }, layer: number): Promise<SearchResponse> {
    return this.#api.search(query, layer).catch((error: unknown) => Promise.reject(fromWorker(error)));
  }

  /** The files.json entries of the view (docs/contracts.md, "files.json"). */
  fileList(view: FileListView, layer: number): Promise<FileListEntry[]> {
    return this.#api.fileList(view, layer).catch((error: unknown) => Promise.reject(fromWorker(error)));
  }

  /**
   * Up to `length` bytes from `offset` of the regular file at `path`
   * (symlinks followed; hard links read their target's content); shorter at
   * the end of the file, and at most 64 MiB per call: page through big files.
   */
  readFile(signal: AbortSignal, layer: number, path: string, offset: number, length: number): Promise<Uint8Array> {
    const id = this.#nextRequest++;
    return this.#abortable(signal, id, this.#api.readFile(id, layer, path, offset, length));
  }

  /** Size, kind (from the first 4 KiB and the name) and, for ELF, a summary. */
  fileInfo(signal: AbortSignal, layer: number, path: string): Promise<FileInfo> {
    const id = this.#nextRequest++;
    return this.#abortable(signal, id, this.#api.fileInfo(id, layer, path));
  }

  /** Bytes the layers store that the final filesystem does not show, and where. */
  wastedSpace(): Promise<WastedSpace> {
    return this.#api.wastedSpace().catch((error: unknown) => Promise.reject(fromWorker(error)));
  }

  /** Reads in flight that wait for their layer to be decoded (empty when none waits). */
  readProgress(): Promise<ReadProgress[]> {
    return this.#api.readProgress();
  }

  /** Saves one file's content. */
  saveFile(signal: AbortSignal, layer: number, path: string): Promise<SaveOutcome> {
    return this.#save(signal, { kind: 'file', layer, path }, baseName(path) || 'file');
  }

  /** Saves a directory of the merged tree after `layer` as a tar. */
  saveDirectoryTar(signal: AbortSignal, layer: number, path: string): Promise<SaveOutcome> {
    return this.#save(signal, { kind: 'directory', layer, path }, `${baseName(path) || 'rootfs'}.tar`);
  }

  /** Saves a layer blob as stored, or its uncompressed tar. */
  saveLayer(signal: AbortSignal, layer: number, form: 'stored' | 'uncompressed'): Promise<SaveOutcome> {
    const suffix = { gzip: '.tar.gz', zstd: '.tar.zst', none: '.tar' }[this.#compressions[layer] ?? ''] ?? '.blob';
    const name = form === 'stored' ? `layer-${layer}${suffix}` : `layer-${layer}.tar`;
    return this.#save(signal, { kind: 'layer', layer, form }, name);
  }

  /** Saves the merged root filesystem after `layer` as a tar. */
  saveRootfsTar(signal: AbortSignal, layer: number): Promise<SaveOutcome> {
    return this.#save(signal, { kind: 'rootfs', layer }, `rootfs-layer-${layer}.tar`);
  }

  /** Stops the worker; pending calls never settle. */
  dispose(): void {
    void this.#api.dispose().finally(() => this.#worker.terminate());
  }

  async #save(signal: AbortSignal, request: SaveRequest, suggestedName: string): Promise<SaveOutcome> {
    // The picker needs the click's user activation: ask before any other await.
    const target = await pickSaveTarget(suggestedName);
    if (signal.aborted) {
      // Aborting a picked file's stream discards what the picker created.
      await target?.abort();
      throw abortError();
    }
    const id = this.#nextRequest++;
    const sent = target === null ? null : transfer(target, [target as unknown as Transferable]);
    const file = await this.#abortable(signal, id, this.#api.save(id, request, sent));
    if (file !== null) offerFile(file, suggestedName);
    return target === null ? 'downloaded' : 'picked';
  }

  #abortable<T>(signal: AbortSignal, requestId: number | null, call: Promise<T>): Promise<T> {
    if (signal.aborted) {
      if (requestId !== null) void this.#api.cancel(requestId);
      call.catch(() => {});
      return Promise.reject(abortError());
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        if (requestId !== null) void this.#api.cancel(requestId);
        reject(abortError());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      call.then(resolve, (error: unknown) => reject(fromWorker(error))).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }
}

/**
 * Where the filesystem worker can read a layer's stored bytes again: a scanned
 * member only when the scan kept a copy on disk.
 */
function rereadableLocation(location: BlobLocation | null): BlobLocation | null {
  if (location?.kind !== 'scanned') return location;
  return location.blob ? { kind: 'blob', blob: location.blob, path: location.path } : null;
}
