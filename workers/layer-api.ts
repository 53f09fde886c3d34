/**
 * The layer worker's API and its message DTOs. The main thread imports this
 * file with `import type` only, so no worker code ends up in the page bundle.
 * Everything that crosses the boundary is structured-clonable: a Blob, plain
 * objects, numbers and strings; never class instances.
 */
import type { BlobLocation } from '../src/core/image/model';
import type { BlobResult } from '../src/core/types';
import type { KeepRequest } from './storage/layer-store';

export type { KeepRequest };

/** Progress of one blob, in the units of the estimator (src/state/progress-estimate.ts). */
export interface LayerProgress {
  /** Stored bytes decoded so far. */
  stored: number;
  /** Uncompressed bytes produced so far. */
  uncompressed: number;
  /** Tar members walked so far. */
  entries: number;
}

/** What workers/layer.worker.ts exposes through comlink. */
export interface LayerWorkerApi {
  /**
   * One streaming pass over the blob at `location` (digest, DiffID, tar
   * walk; see src/core/blob-inspector.ts). Bad data does not reject: it is
   * reported in `BlobResult.error`. Rejects with an `InspectErrorInfo`
   * (`{code, message, path}`, a plain object so that comlink keeps its code)
   * when the bytes cannot be read at all (network, HTTP status).
   * `onProgress` is called at most every ~50 ms, and once at the end.
   * `refreshHeaders`, for registry URLs, returns fresh Authorization headers;
   * the worker calls it once when the blob GET answers 401 (expired token).
   * `keep`: write the decompressed layer to OPFS as it goes by (see
   * workers/storage/layer-store.ts), so that its files open without decoding it again.
   */
  inspect(
    location: BlobLocation,
    onProgress: (progress: LayerProgress) => void,
    refreshHeaders?: () => Promise<Record<string, string>>,
    keep?: KeepRequest | null,
  ): Promise<BlobResult>;
}
