/**
 * Reads ranges of layers' uncompressed tars for the filesystem worker:
 * uncompressed Blob layers by slicing, everything else through the kept copy
 * of decompressed layers (kept-layer-files.ts), or, where OPFS is unavailable or
 * fails, by decoding from the layer's start on each read. Registry layers
 * are fetched again with the layer's current token, renewed once per read
 * when the registry answers 401 (it expired since the image was opened), and
 * resumed where a dropped connection stopped (src/sources/registry/blob-stream.ts).
 */
import { blobChunks, readUncompressedRange, type StoredStream } from '../../src/core/content/layer-content';
import { looksLikeBomb } from '../../src/core/codec/gzip';
import { InspectError, InspectErrorCode } from '../../src/core/errors';
import type { BlobLocation } from '../../src/core/image/model';
import { registryBlobChunks, UrlAuth } from '../../src/sources/registry/blob-stream';
import type { KeepMode, LayerSource, ReadProgress, RefreshLayerHeaders } from '../filesystem-api';
import { KeptLayerFiles } from './kept-layer-files';
import { layerDirectory, pruneKeptLayers, storageKnownSlow } from './layer-store';
import { opfsAvailable } from './opfs';

/**
 * Stored bytes of a Blob or registry location; null for locations that cannot
 * be read again. `auth` holds a registry layer's current headers (default:
 * the location's, never renewed).
 */
export function storedStream(location: BlobLocation | null, auth?: UrlAuth): StoredStream | null {
  if (location === null) return null;
  if (location.kind === 'blob') return () => blobChunks(location.blob);
  if (location.kind === 'url') {
    const urlAuth = auth ?? new UrlAuth(location.headers, null);
    return () => registryBlobChunks(location, urlAuth);
  }
  return null;
}

/** A read in progress: how far its layer is decoded, against where the read ends. */
interface Waiting {
  layer: number;
  target: number;
  reached(): number;
}

/** Range reads over the layers of one image. */
export class LayerReader {
  readonly #layers: LayerSource[];
  readonly #kept: KeptLayerFiles | null;
  /** Layers whose kept copy failed once (quota, lock held by another tab): decoded per read from then on. */
  readonly #notKept = new Set<number>();
  readonly #prefetch = new AbortController();
  readonly #waiting = new Set<Waiting>();
  /** Per registry layer: its current Authorization headers (renewed after a 401). */
  readonly #auths = new Map<number, UrlAuth>();

  /** `refreshHeaders` renews a registry layer's expired token (through the page, which knows the credentials). */
  constructor(layers: LayerSource[], mode: KeepMode = 'on-demand', refreshHeaders: RefreshLayerHeaders | null = null) {
    this.#layers = layers;
    layers.forEach(({ location }, layer) => {
      if (location?.kind !== 'url') return;
      this.#auths.set(layer, new UrlAuth(location.headers, refreshHeaders && (() => refreshHeaders(layer))));
    });
    this.#kept = mode !== 'off' && opfsAvailable() ? new KeptLayerFiles() : null;
    if (this.#kept === null) return;
    const keep = new Set(layers.flatMap((layer) => (layer.diffId === null ? [] : [layer.diffId])));
    // Pruning first keeps the disk use bounded; a failure only means nothing was pruned.
    const pruned = pruneKeptLayers(keep).catch(() => {});
    if (mode === 'prefetch') void pruned.then(() => this.#prefetchAll());
  }

  /** Whether layer `layer` is read through its kept copy in OPFS. */
  #keepable(layer: number): boolean {
    const source = this.#layers[layer];
    if (this.#kept === null || source?.diffId == null || this.#notKept.has(layer)) return false;
    return !(source.location?.kind === 'blob' && (source.compression ?? 'none') === 'none');
  }

  /**
   * Decodes every local layer that can be kept into OPFS, one at a time (two cores:
   * one for this, one for the page), the layers with the most content first.
   * Usually the first pass kept them already and this finds them stored; where
   * it found writing too slow to keep them (a private window's storage is
   * memory), nothing is decoded unasked either.
   */
  async #prefetchAll(): Promise<void> {
    if (await storageKnownSlow(await layerDirectory())) return;
    const order = this.#layers
      .map((source, layer) => ({ layer, extent: source.entries.reduce((most, entry) => Math.max(most, entry.offset + entry.size), 0) }))
      // Registry layers are not fetched again unasked: only local files are prefetched.
      .filter(({ layer }) => this.#keepable(layer) && this.#layers[layer].location?.kind === 'blob')
      .sort((a, b) => b.extent - a.extent);
    for (const { layer, extent } of order) {
      if (this.#prefetch.signal.aborted) return;
      const location = this.#layers[layer].location;
      // Never fill the disk unasked with a decompression bomb, nor past half the free quota.
      if (location?.kind === 'blob' && looksLikeBomb(location.blob.size, extent)) continue;
      const { quota = 0, usage = 0 } = await navigator.storage.estimate();
      if (extent > (quota - usage) / 2) continue;
      await this.uncompressedSize(this.#prefetch.signal, layer).catch(() => this.#notKept.add(layer));
    }
  }

  /** Path of the layer blob, for messages. */
  name(layer: number): string {
    const location = this.#layers[layer]?.location;
    return location?.path ?? `layer ${layer}`;
  }

  /** Stored bytes of layer `layer` from its start, or throws when they cannot be read again. */
  stored(layer: number): StoredStream {
    const stream = storedStream(this.#layers[layer]?.location ?? null, this.#auths.get(layer));
    if (stream === null) {
      throw new InspectError(InspectErrorCode.Unsupported, `${this.name(layer)}: the layer's bytes cannot be read again (open the file uncompressed)`, this.name(layer));
    }
    return stream;
  }

  /** Reads waiting for a layer to be decoded far enough, for the viewer's progress bar. */
  progress(): ReadProgress[] {
    return [...this.#waiting].map(({ layer, target, reached }) => ({ layer, target, reached: Math.min(target, reached()) }));
  }

  /** `[start, end)` of layer `layer`'s uncompressed tar. */
  async read(signal: AbortSignal, layer: number, start: number, end: number): Promise<Uint8Array> {
    const source = this.#layers[layer];
    if (source?.location?.kind === 'blob' && (source.compression ?? 'none') === 'none') return this.#read(signal, layer, start, end, null);
    let decoded = 0;
    const diffId = source?.diffId ?? null;
    const kept = this.#kept;
    const waiting: Waiting = {
      layer,
      target: end,
      reached: () => Math.max(decoded, kept !== null && diffId !== null ? kept.writtenSoFar(diffId) : 0),
    };
    this.#waiting.add(waiting);
    try {
      return await this.#read(signal, layer, start, end, (position) => (decoded = position));
    } finally {
      this.#waiting.delete(waiting);
    }
  }

  async #read(signal: AbortSignal, layer: number, start: number, end: number, onReached: ((position: number) => void) | null): Promise<Uint8Array> {
    const source = this.#layers[layer];
    const location = source?.location ?? null;
    const compression = source?.compression ?? 'none';
    if (location?.kind === 'blob' && compression === 'none') {
      return new Uint8Array(await location.blob.slice(start, end).arrayBuffer());
    }
    const stored = this.stored(layer);
    const diffId = source?.diffId ?? null;
    try {
      if (this.#kept !== null && diffId !== null && this.#keepable(layer)) {
        try {
          return await this.#kept.read(signal, diffId, compression, stored, start, end);
        } catch (error) {
          if (signal.aborted || error instanceof InspectError) throw error;
          this.#notKept.add(layer);
        }
      }
      return await readUncompressedRange(signal, stored, compression, start, end, onReached ?? undefined);
    } catch (error) {
      // Messages name the layer blob (docs/contracts.md, "Messages and errors").
      if (error instanceof InspectError && error.path === null) {
        throw new InspectError(error.code, `${this.name(layer)}: ${error.message}`, this.name(layer));
      }
      throw error;
    }
  }

  /**
   * Size of layer `layer`'s uncompressed tar. Compressed layers are decoded
   * into OPFS first; without a kept copy they cannot be copied in pieces.
   */
  async uncompressedSize(signal: AbortSignal, layer: number): Promise<number> {
    const source = this.#layers[layer];
    const location = source?.location ?? null;
    if (location?.kind === 'blob' && (source?.compression ?? 'none') === 'none') return location.blob.size;
    const diffId = source?.diffId ?? null;
    if (this.#kept === null || diffId === null) {
      throw new InspectError(InspectErrorCode.Unsupported, `${this.name(layer)}: saving a decompressed layer needs the Origin Private File System`, this.name(layer));
    }
    return this.#kept.size(signal, diffId, source?.compression ?? 'none', this.stored(layer));
  }

  async close(): Promise<void> {
    this.#prefetch.abort();
    await this.#kept?.close();
  }
}
