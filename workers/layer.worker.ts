/**
 * Layer worker: runs the one-pass blob pipeline (src/core/blob-inspector.ts)
 * off the main thread, one blob at a time. Thin: it only reads bytes from a
 * Blob or a URL and forwards them. The bridge (src/bridge/layer-pool.ts)
 * terminates the worker to cancel a job.
 */
import { expose, transfer } from 'comlink';
import { BlobInspector, type BlobInspectorOptions } from '../src/core/blob-inspector';
import { createFflateGunzip } from '../src/core/codec/gzip';
import { packEntries } from '../src/core/tar/entry-codec';
import { InspectErrorCode, toErrorInfo } from '../src/core/errors';
import type { BlobLocation } from '../src/core/image/model';
import type { BlobResult } from '../src/core/types';
import { registryBlobChunks, UrlAuth } from '../src/sources/registry/blob-stream';
import type { LayerProgress, LayerWorkerApi } from './layer-api';
import { LayerKeeper, type KeepRequest } from './storage/layer-store';
import { throttle } from './throttle';

/** Blob slices read per step: 4–8 MiB slices peak lower in memory than blob.stream(), at the same speed (docs/performance.md, "Reading blobs"). */
const SLICE_SIZE = 4 * 1024 * 1024;
/** Progress posts every 50 ms cause no long task on the main thread (docs/performance.md, "The main thread"). */
const PROGRESS_INTERVAL_MS = 50;

/** Feeds the stored bytes at `location` to `inspector`. */
async function readInto(
  location: BlobLocation,
  inspector: BlobInspector,
  auth: UrlAuth,
): Promise<void> {
  if (location.kind === 'blob') {
    const { blob } = location;
    const read = async (offset: number): Promise<Uint8Array> =>
      new Uint8Array(await blob.slice(offset, offset + SLICE_SIZE).arrayBuffer());
    // One slice of read-ahead: the browser process reads the next slice while this thread hashes and inflates.
    let next = read(0);
    for (let offset = 0; offset < blob.size; offset += SLICE_SIZE) {
      const bytes = await next;
      if (offset + SLICE_SIZE < blob.size) next = read(offset + SLICE_SIZE);
      await inspector.write(bytes);
    }
    return;
  }
  if (location.kind !== 'url') return;
  for await (const chunk of registryBlobChunks(location, auth)) await inspector.write(chunk);
}

async function inspectOnce(
  location: BlobLocation,
  report: (progress: LayerProgress) => void,
  options: BlobInspectorOptions,
  auth: UrlAuth,
  keep: KeepRequest | null,
): Promise<BlobResult> {
  const keeper = keep === null ? null : await LayerKeeper.start(keep);
  const inspector = new BlobInspector({
    ...options,
    onProgress: (stored, uncompressed, entries) => report({ stored, uncompressed, entries }),
    onUncompressed: keeper?.write,
  });
  try {
    await readInto(location, inspector, auth);
  } catch (error) {
    keeper?.discard();
    inspector.cancel();
    throw error;
  }
  const result = await inspector.close();
  // Before the result goes out: a file opened right after the scan finds the layer stored.
  await keeper?.finish(result);
  return result;
}

const layerWorkerApi: LayerWorkerApi = {
  async inspect(location, onProgress, refreshHeaders, keep = null) {
    if (location.kind === 'scanned') return location.result;
    const report = throttle(onProgress, PROGRESS_INTERVAL_MS);
    // One renewal per job: registryBlobChunks asks again only after a 401.
    const auth = new UrlAuth(location.kind === 'url' ? location.headers : {}, refreshHeaders ?? null);
    try {
      let result = await inspectOnce(location, report, { keepEntries: true }, auth, keep);
      // Browsers' DecompressionStream stops after the first gzip member; fflate reads them all.
      if (result.compression === 'gzip' && result.error?.code === InspectErrorCode.GzipTrailingData) {
        result = await inspectOnce(
          location,
          report,
          { keepEntries: true, gzip: createFflateGunzip },
          auth,
          keep,
        );
      }
      report.flush();
      // Messages name the file they concern (docs/contracts.md, "Messages and errors").
      if (result.error !== null) {
        result.error = { ...result.error, message: `${location.path}: ${result.error.message}` };
      }
      const packed = packEntries(result);
      return packed.encodedEntries ? transfer(packed, [packed.encodedEntries.buffer]) : packed;
    } catch (error) {
      // A plain object survives comlink with its code; an Error would arrive as a bare message.
      throw toErrorInfo(error, location.path);
    }
  },
};

expose(layerWorkerApi);
