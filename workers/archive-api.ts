/**
 * The archive worker's API (workers/archive.worker.ts): compressed outer
 * archives (`docker save | gzip`, `| zstd`) read in one streaming pass. The
 * main thread imports this file with `import type` only. Everything that
 * crosses the boundary is structured-clonable: Blobs, plain objects, numbers.
 */
import type { ScanOptions, ScanOutcome } from '../src/sources/archive/compressed-archive';

export type { ScanOptions, ScanOutcome };

/** Progress of the pass: compressed bytes read, decompressed bytes produced. */
export interface ArchiveScanProgress {
  read: number;
  uncompressed: number;
}

/** What workers/archive.worker.ts exposes through comlink. */
export interface ArchiveWorkerApi {
  /** The first `length` decompressed bytes of `blob` (to tell what the archive holds). */
  peekDecompressed(blob: Blob, length: number): Promise<Uint8Array>;
  /**
   * Scans a compressed tar: small members are kept, large ones (layers) are
   * inspected as they stream by (src/sources/archive/compressed-archive.ts).
   * Errors with no path of their own are named after `name`. `onProgress`
   * (a comlink proxy) is called at most every 100 ms, and once at the end.
   * `options` chooses which members are inspected (see ScanOptions).
   */
  scanCompressedArchive(
    blob: Blob,
    name: string,
    onProgress: (progress: ArchiveScanProgress) => void,
    options?: ScanOptions,
  ): Promise<ScanOutcome>;
}
