/**
 * Reads of decompressed layers kept in the Origin Private File System
 * (layer-store.ts names the files). Usually the first pass already wrote
 * them; otherwise the first read of a compressed layer decodes it once into
 * its file through a FileSystemSyncAccessHandle (dedicated workers only,
 * https://fs.spec.whatwg.org/#api-filesystemsyncaccesshandle), and every
 * later read is a positioned `read()` of the bytes it needs. A read waits
 * only until its range has been written, not for the whole layer.
 *
 * A file without its `<hex>.done` is a leftover of an interrupted fill and
 * is decoded again.
 */
import { decodeLayer, type StoredStream } from '../../src/core/content/layer-content';
import { InspectError, InspectErrorCode } from '../../src/core/errors';
import type { Compression } from '../../src/core/types';
import { diffIdHex, isKept, layerDirectory } from './layer-store';
import { openSyncHandle, SequentialWriter, type SyncAccessHandle } from './opfs';

/**
 * A fill gives the event loop a turn at least this often. Decoder output
 * arrives through promise microtasks, which run before any queued message:
 * without yielding, a read of an already kept layer waited behind a whole
 * 4 MiB slice of another layer's fill (measured 200–870 ms under load).
 * Yielding after every 64 KiB instead cost about a third of the fill's speed.
 */
const YIELD_INTERVAL_MS = 10;
/** Compressed bytes fed to the decoder between two checks of the clock. */
const FILL_PIECE = 64 * 1024;

/** Resolves in a new task (a MessageChannel message: not clamped like nested timers). */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** The stored stream in FILL_PIECE pieces, with a new task every YIELD_INTERVAL_MS. */
function yieldingStream(stored: StoredStream): StoredStream {
  return async function* pieces(): AsyncGenerator<Uint8Array> {
    let lastYield = performance.now();
    for await (const chunk of stored()) {
      for (let offset = 0; offset < chunk.length; offset += FILL_PIECE) {
        yield chunk.subarray(offset, offset + FILL_PIECE);
        if (performance.now() - lastYield >= YIELD_INTERVAL_MS) {
          await nextTask();
          lastYield = performance.now();
        }
      }
    }
  };
}

interface Waiter {
  end: number;
  resolve(): void;
  reject(error: unknown): void;
}

/** One layer's kept file, being filled or complete. */
class KeptLayerFile {
  written = 0;
  complete = false;
  failure: unknown = null;
  readonly waiters: Waiter[] = [];
  constructor(readonly handle: SyncAccessHandle) {}

  /** Resolves once `[0, end)` is on disk (or the layer is complete and shorter). */
  async until(signal: AbortSignal, end: number): Promise<void> {
    if (this.failure !== null) throw this.failure;
    if (this.complete || this.written >= end) return;
    signal.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(new DOMException('The operation was aborted.', 'AbortError'));
      };
      const settle = (finish: () => void): void => {
        signal.removeEventListener('abort', onAbort);
        finish();
      };
      const waiter: Waiter = {
        end,
        resolve: () => settle(resolve),
        reject: (error) => settle(() => reject(error)),
      };
      this.waiters.push(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  wake(): void {
    for (const waiter of [...this.waiters]) {
      if (this.failure !== null) waiter.reject(this.failure);
      else if (this.complete || this.written >= waiter.end) waiter.resolve();
      else continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
    }
  }

  read(start: number, end: number): Uint8Array {
    const out = new Uint8Array(Math.max(0, end - start));
    const read = this.handle.read(out, { at: start });
    if (read < out.length) {
      throw new InspectError(
        InspectErrorCode.Truncated,
        `the decompressed layer ends at byte ${start + read}, before byte ${end} (${this.complete ? 'complete' : `${this.written} bytes written so far`})`,
      );
    }
    return out;
  }
}

/** The kept layers one worker reads: each layer's file handle stays open while the image is open. */
export class KeptLayerFiles {
  /** Each layer's opening, and the layer once open (read synchronously by progress reports). */
  readonly #layers = new Map<string, { opening: Promise<KeptLayerFile>; opened: KeptLayerFile | null }>();

  /** The kept file of a layer, starting its fill (in the background) when it is not on disk yet. */
  layer(diffId: string, compression: Compression, stored: StoredStream): Promise<KeptLayerFile> {
    let entry = this.#layers.get(diffId);
    if (entry === undefined) {
      const opening = this.#open(diffId, compression, stored);
      const created = { opening, opened: null as KeptLayerFile | null };
      entry = created;
      this.#layers.set(diffId, created);
      opening.then(
        (layer) => (created.opened = layer),
        // A failed open is retried by the next read rather than remembered.
        () => this.#layers.delete(diffId),
      );
    }
    return entry.opening;
  }

  /** Reads `[start, end)` of the uncompressed layer, waiting for the fill to get there. */
  async read(signal: AbortSignal, diffId: string, compression: Compression, stored: StoredStream, start: number, end: number): Promise<Uint8Array> {
    const layer = await this.layer(diffId, compression, stored);
    await layer.until(signal, end);
    return layer.read(start, end);
  }

  /** Bytes of the layer on disk so far (its whole size once complete), or 0 before its file is open. */
  writtenSoFar(diffId: string): number {
    return this.#layers.get(diffId)?.opened?.written ?? 0;
  }

  /** Size of the whole uncompressed layer, once its fill has finished. */
  async size(signal: AbortSignal, diffId: string, compression: Compression, stored: StoredStream): Promise<number> {
    const layer = await this.layer(diffId, compression, stored);
    await layer.until(signal, Number.POSITIVE_INFINITY);
    return layer.handle.getSize();
  }

  /** Closes every handle (the files stay for the next time the image is opened). */
  async close(): Promise<void> {
    for (const entry of this.#layers.values()) {
      const layer = await entry.opening.catch(() => null);
      layer?.handle.close();
    }
    this.#layers.clear();
  }

  async #open(diffId: string, compression: Compression, stored: StoredStream): Promise<KeptLayerFile> {
    const hex = diffIdHex(diffId);
    // Not an InspectError: the reader then falls back to decoding without a kept copy.
    if (hex === null) throw new Error(`not a sha256 DiffID: ${diffId}`);
    const directory = await layerDirectory();
    const done = await isKept(directory, hex);
    const file = await directory.getFileHandle(`${hex}.tar`, { create: true });
    const handle = await openSyncHandle(file);
    const layer = new KeptLayerFile(handle);
    if (done) {
      layer.written = handle.getSize();
      layer.complete = true;
      return layer;
    }
    handle.truncate(0);
    const writer = new SequentialWriter(handle);
    void this.#fill(layer, writer, compression, stored).then(
      async () => {
        writer.finish();
        await directory.getFileHandle(`${hex}.done`, { create: true });
        layer.complete = true;
        layer.wake();
      },
      (error: unknown) => {
        layer.failure = error;
        layer.wake();
        this.#layers.delete(diffId);
        handle.close();
        // A partial file only takes space: the next read of the layer decodes it again.
        void directory.removeEntry(`${hex}.tar`).catch(() => {});
      },
    );
    return layer;
  }

  async #fill(layer: KeptLayerFile, writer: SequentialWriter, compression: Compression, stored: StoredStream): Promise<void> {
    // The fill outlives the read that started it: other reads wait on it.
    const signal = new AbortController().signal;
    await decodeLayer(signal, yieldingStream(stored), compression, (chunk, position) => {
      writer.write(chunk, position);
      layer.written = writer.written;
      layer.wake();
      return false;
    });
  }
}
