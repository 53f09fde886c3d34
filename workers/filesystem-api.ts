/**
 * The filesystem worker's API and its message DTOs. The main thread imports
 * this file with `import type` only. Everything that crosses the boundary is
 * structured-clonable (Blobs, Files, plain objects, WritableStreams as
 * transferables).
 */
import type { FileAttribute } from '../src/core/content/capabilities';
import type { ElfSummary } from '../src/core/content/elf';
import type { FileKind } from '../src/core/content/file-kind';
import type { FileListEntry, FileListView } from '../src/core/fs/file-list';
import type { BlobLocation } from '../src/core/image/model';
import type { SearchHit, SearchQuery } from '../src/core/fs/search';
import type { TreeRow, TreeSort, TreeView } from '../src/core/fs/tree-rows';
import type { Compression, TarEntry } from '../src/core/types';
import type { WastedSpace } from '../src/core/fs/wasted-space';

export type { WastedSpace };

export type { TreeRow, TreeSort, TreeView };

/** One layer of the opened image (index = layer index), as the layer pipeline saw it. */
export interface LayerSource {
  /** Every member (BlobResult.entries, kept by the layer workers)… */
  entries: TarEntry[];
  /** …or, as the layer workers send them, packed (src/core/tar/entry-codec.ts). */
  encodedEntries?: Uint8Array<ArrayBuffer>;
  /** Where the stored bytes are, or null when they cannot be read again. */
  location: BlobLocation | null;
  /** Compression found by the pipeline, or null when unknown. */
  compression: Compression | null;
  /** DiffID computed by the pipeline (names the layer's kept copy), or null. */
  diffId: string | null;
}

/**
 * How compressed layers are kept for file reads: `on-demand` decodes a layer
 * into OPFS (a kept layer) on its first read; `prefetch` also starts decoding every
 * compressed layer of a local file (largest first; registry layers are not
 * fetched again unasked) right after load; `off` decodes from the
 * layer's start on every read (no disk use; for comparison and as fallback).
 */
export type KeepMode = 'on-demand' | 'prefetch' | 'off';

/**
 * Fresh Authorization headers for registry layer `layer`, asked of the page
 * (src/bridge/blob-auth.ts) when a read meets a 401 because the token the
 * image was opened with expired; null when that layer's cannot be renewed.
 * Rejects with a plain InspectErrorInfo when the registry refuses.
 */
export type RefreshLayerHeaders = (layer: number) => Promise<Record<string, string> | null>;

/** Options of {@link FilesystemWorkerApi.load}. */
export interface LoadOptions {
  keep?: KeepMode;
}

/** Result of resolving a path with symlinks followed inside the image. */
export type ResolveResponse = { path: string; row: TreeRow } | { error: string };

/** One search hit, as it crosses to the page (without the worker-side entry index). */
export type SearchHitRow = Omit<SearchHit, 'entryIndex'>;

/** The hits of one search, and whether the limit cut them short. */
export interface SearchResponse {
  hits: SearchHitRow[];
  capped: boolean;
}

/** What the viewer needs to pick a renderer. */
export interface FileInfo {
  /** Content size of the resolved regular file. */
  size: number;
  kind: FileKind;
  elf: ElfSummary | null;
  /** Its extended attributes (file capabilities decoded as getcap prints them). */
  attributes: FileAttribute[];
}

/** What to save, for {@link FilesystemWorkerApi.save}. */
export type SaveRequest =
  | { kind: 'file'; layer: number; path: string }
  | { kind: 'directory'; layer: number; path: string }
  | { kind: 'layer'; layer: number; form: 'stored' | 'uncompressed' }
  | { kind: 'rootfs'; layer: number };

/** A file read waiting for its layer to be decoded: bytes of the layer decoded so far, and where the read ends. */
export interface ReadProgress {
  layer: number;
  reached: number;
  target: number;
}

/** What workers/filesystem.worker.ts exposes through comlink. */
export interface FilesystemWorkerApi {
  /**
   * Builds the merged filesystem of every layer; replaces what a previous call
   * loaded. `refreshHeaders` (a comlink proxy) renews registry layers' tokens.
   */
  load(layers: LayerSource[], options?: LoadOptions, refreshHeaders?: RefreshLayerHeaders): Promise<void>;
  children(layer: number, view: TreeView, directory: string, sort: TreeSort): Promise<TreeRow[]>;
  stat(layer: number, view: TreeView, path: string): Promise<TreeRow | null>;
  resolve(layer: number, path: string): Promise<ResolveResponse>;
  /** Rejects with an InspectErrorInfo for an invalid pattern. */
  search(query: SearchQuery, layer: number): Promise<SearchResponse>;
  fileList(view: FileListView, layer: number): Promise<FileListEntry[]>;
  /** Bytes the layers store that the final filesystem does not show (src/core/fs/wasted-space.ts). */
  wastedSpace(): Promise<WastedSpace>;
  /** At most 64 MiB per call (clamped to the file). `requestId` lets {@link cancel} abort the call. */
  readFile(requestId: number, layer: number, path: string, offset: number, length: number): Promise<Uint8Array>;
  fileInfo(requestId: number, layer: number, path: string): Promise<FileInfo>;
  /** Reads in flight that wait for a layer to be decoded (polled by the viewer while it waits). */
  readProgress(): Promise<ReadProgress[]>;
  /**
   * Writes the request's bytes into `target` (a transferred stream of a file
   * the user picked), or, when `target` is null, into a file in the Origin
   * Private File System and resolves with that File for a download.
   */
  save(requestId: number, request: SaveRequest, target: WritableStream<Uint8Array> | null): Promise<File | null>;
  /** Aborts the call started with `requestId` (it rejects with an AbortError). */
  cancel(requestId: number): void;
  /** Closes kept layers' file handles and deletes temporary download files. */
  dispose(): Promise<void>;
}
