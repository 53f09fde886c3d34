/**
 * A worker thread of `tarsier report`: the page's layer worker for Node. It
 * runs the same one-pass pipeline (src/core/blob-inspector.ts) over a byte
 * range of a file, and writes the decompressed stream of a compressed layer
 * to the file it is given, for the analyses to read afterwards (the page
 * keeps it in OPFS). Thin: the rules live in src/core.
 */
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { BlobInspector, type BlobInspectorOptions } from '../core/blob-inspector';
import { createFflateGunzip, looksLikeBomb } from '../core/codec/gzip';
import { InspectErrorCode, toErrorInfo } from '../core/errors';
import { packEntries } from '../core/tar/entry-codec';
import type { BlobResult } from '../core/types';
import { readRange } from './disk-file';
import type { LayerJob, LayerJobReply } from './layer-pass';

/** Bytes read per step, as the page's layer worker reads Blob slices. */
const SLICE_SIZE = 4 * 1024 * 1024;

/** Writes the decompressed stream to a file, until it turns out to be a bomb (then nothing is kept). */
class Keeper {
  readonly #path: string;
  #fd: number | null;
  #kept = true;

  constructor(path: string) {
    this.#path = path;
    this.#fd = openSync(path, 'w');
  }

  /** True while the copy is (being) kept. */
  get kept(): boolean {
    return this.#kept;
  }

  readonly write = (chunk: Uint8Array, position: number, storedBytesRead: number): void => {
    if (this.#fd === null) return;
    try {
      if (looksLikeBomb(storedBytesRead, position + chunk.length)) throw new Error('not kept: a decompression bomb');
      writeSync(this.#fd, chunk, 0, chunk.length, position);
    } catch {
      this.discard();
    }
  };

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }

  discard(): void {
    this.close();
    if (this.#kept) unlinkSync(this.#path);
    this.#kept = false;
  }
}

async function inspectOnce(job: LayerJob, options: BlobInspectorOptions, keeper: Keeper | null): Promise<BlobResult> {
  const inspector = new BlobInspector({ ...options, keepEntries: true, onUncompressed: keeper?.write });
  try {
    let next = readRange(job.path, job.start, Math.min(job.end, job.start + SLICE_SIZE));
    for (let offset = job.start; offset < job.end; offset += SLICE_SIZE) {
      const bytes = await next;
      // One slice of read-ahead: the disk reads the next slice while this thread hashes and inflates.
      if (offset + SLICE_SIZE < job.end) next = readRange(job.path, offset + SLICE_SIZE, Math.min(job.end, offset + 2 * SLICE_SIZE));
      await inspector.write(bytes);
    }
  } catch (error) {
    inspector.cancel();
    throw error;
  }
  return inspector.close();
}

async function inspect(job: LayerJob): Promise<LayerJobReply> {
  let keeper = job.keepPath === null ? null : new Keeper(job.keepPath);
  try {
    let result = await inspectOnce(job, {}, keeper);
    // As in the page: DecompressionStream stops after the first gzip member; fflate reads them all.
    if (result.compression === 'gzip' && result.error?.code === InspectErrorCode.GzipTrailingData) {
      keeper?.discard();
      keeper = job.keepPath === null ? null : new Keeper(job.keepPath);
      result = await inspectOnce(job, { gzip: createFflateGunzip }, keeper);
    }
    keeper?.close();
    if (result.compression === 'none') keeper?.discard();
    // Messages name the file they concern, as the page's layer worker writes them.
    if (result.error !== null) result.error = { ...result.error, message: `${job.name}: ${result.error.message}` };
    return { id: job.id, result: packEntries(result), kept: keeper?.kept ?? false };
  } catch (error) {
    keeper?.discard();
    return { id: job.id, error: toErrorInfo(error, job.name) };
  }
}

parentPort?.on('message', (job: LayerJob) => {
  void inspect(job).then((reply) => {
    const buffer = reply.result?.encodedEntries?.buffer;
    parentPort?.postMessage(reply, buffer ? [buffer] : []);
  });
});
