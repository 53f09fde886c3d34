/**
 * Reads ranges of layers' uncompressed tars for the filesystem worker:
 * uncompressed Blob layers by slicing, everything else through the OPFS cache
 * of decompressed layers (layer-cache.ts), or, where OPFS is unavailable or
 * fails, by decoding from the layer's start on each read.
 */
import { blobChunks, readUncompressedRange, type StoredStream } from '../src/core/layer-content';
import { InspectError, InspectErrorCode } from '../src/core/errors';
import type { BlobLocation } from '../src/core/model';
import type { CacheMode, LayerSource } from './filesystem-api';
import { LayerCache, pruneCache } from './layer-cache';
import { opfsAvailable } from './opfs';

/** Stored bytes of a Blob or registry location; null for locations that cannot be read again. */
export function storedStream(location: BlobLocation | null): StoredStream | null {
  if (location === null) return null;
  if (location.kind === 'blob') return () => blobChunks(location.blob);
  if (location.kind === 'url') {
    return async function* fetchChunks(): AsyncGenerator<Uint8Array> {
      const response = await fetch(location.url, { headers: location.headers });
      if (!response.ok || response.body === null) {
        throw new InspectError(InspectErrorCode.Registry, `${location.path}: the registry answered ${response.status}`, location.path);
      }
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    };
  }
  return null;
}

/** Range reads over the layers of one image. */
export class LayerReader {
  readonly #layers: LayerSource[];
  readonly #cache: LayerCache | null;
  /** Layers whose cache failed once (quota, lock held by another tab): decoded per read from then on. */
  readonly #uncached = new Set<number>();
  readonly #prefetch = new AbortController();

  constructor(layers: LayerSource[], mode: CacheMode = 'on-demand') {
    this.#layers = layers;
    this.#cache = mode !== 'off' && opfsAvailable() ? new LayerCache() : null;
    if (this.#cache === null) return;
    const keep = new Set(layers.flatMap((layer) => (layer.diffId === null ? [] : [layer.diffId])));
    // Pruning first keeps the disk use bounded; a failure only means nothing was pruned.
    const pruned = pruneCache(keep).catch(() => {});
    if (mode === 'prefetch') void pruned.then(() => this.#prefetchAll());
  }

  /** Whether layer `layer` is read through the OPFS cache. */
  #cacheable(layer: number): boolean {
    const source = this.#layers[layer];
    if (this.#cache === null || source?.diffId == null || this.#uncached.has(layer)) return false;
    return !(source.location?.kind === 'blob' && (source.compression ?? 'none') === 'none');
  }

  /**
   * Decodes every cacheable local layer into the cache, one at a time (two cores:
   * one for this, one for the page), the layers with the most content first.
   */
  async #prefetchAll(): Promise<void> {
    const order = this.#layers
      .map((source, layer) => ({ layer, extent: source.entries.reduce((most, entry) => Math.max(most, entry.offset + entry.size), 0) }))
      // Registry layers are not fetched again unasked: only local files are prefetched.
      .filter(({ layer }) => this.#cacheable(layer) && this.#layers[layer].location?.kind === 'blob')
      .sort((a, b) => b.extent - a.extent);
    for (const { layer, extent } of order) {
      if (this.#prefetch.signal.aborted) return;
      // Never fill the disk unasked (a decompression bomb expands ~1000×): leave half the free quota.
      const { quota = 0, usage = 0 } = await navigator.storage.estimate();
      if (extent > (quota - usage) / 2) continue;
      await this.uncompressedSize(this.#prefetch.signal, layer).catch(() => this.#uncached.add(layer));
    }
  }

  /** Path of the layer blob, for messages. */
  name(layer: number): string {
    const location = this.#layers[layer]?.location;
    return location?.path ?? `layer ${layer}`;
  }

  /** Stored bytes of layer `layer` from its start, or throws when they cannot be read again. */
  stored(layer: number): StoredStream {
    const stream = storedStream(this.#layers[layer]?.location ?? null);
    if (stream === null) {
      throw new InspectError(InspectErrorCode.Unsupported, `${this.name(layer)}: the layer's bytes cannot be read again (open the file uncompressed)`, this.name(layer));
    }
    return stream;
  }

  /** `[start, end)` of layer `layer`'s uncompressed tar. */
  async read(signal: AbortSignal, layer: number, start: number, end: number): Promise<Uint8Array> {
    const source = this.#layers[layer];
    const location = source?.location ?? null;
    const compression = source?.compression ?? 'none';
    if (location?.kind === 'blob' && compression === 'none') {
      return new Uint8Array(await location.blob.slice(start, end).arrayBuffer());
    }
    const stored = this.stored(layer);
    const diffId = source?.diffId ?? null;
    try {
      if (this.#cache !== null && diffId !== null && this.#cacheable(layer)) {
        try {
          return await this.#cache.read(signal, diffId, compression, stored, start, end);
        } catch (error) {
          if (signal.aborted || error instanceof InspectError) throw error;
          this.#uncached.add(layer);
        }
      }
      return await readUncompressedRange(signal, stored, compression, start, end);
    } catch (error) {
      // Messages name the layer blob (DESIGN.md: "a clear message that names the file").
      if (error instanceof InspectError && error.path === null) {
        throw new InspectError(error.code, `${this.name(layer)}: ${error.message}`, this.name(layer));
      }
      throw error;
    }
  }

  /**
   * Size of layer `layer`'s uncompressed tar. Compressed layers are decoded
   * into the cache first; without a cache they cannot be copied in pieces.
   */
  async uncompressedSize(signal: AbortSignal, layer: number): Promise<number> {
    const source = this.#layers[layer];
    const location = source?.location ?? null;
    if (location?.kind === 'blob' && (source?.compression ?? 'none') === 'none') return location.blob.size;
    const diffId = source?.diffId ?? null;
    if (this.#cache === null || diffId === null) {
      throw new InspectError(InspectErrorCode.Unsupported, `${this.name(layer)}: saving a decompressed layer needs the Origin Private File System`, this.name(layer));
    }
    return this.#cache.size(signal, diffId, source?.compression ?? 'none', this.stored(layer));
  }

  async close(): Promise<void> {
    this.#prefetch.abort();
    await this.#cache?.close();
  }
}
