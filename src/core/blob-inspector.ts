/**
 * One streaming pass over a blob (ARCHITECTURE.md, "From a drop to the report"): the stored
 * bytes are hashed (Digest), their compression sniffed from the magic,
 * decompressed, hashed again (DiffID, OCI image-spec config.md § layer
 * DiffID) and walked as a tar, all as the bytes go by. Nothing scales with
 * the blob's size but the optional entry list.
 *
 * Problems do not throw away what was learned: a corrupt or truncated stream
 * still yields the stored digest and the members read before the problem,
 * with `BlobResult.error` saying what went wrong. A blob whose content is not
 * a tar (a config JSON, an artifact) has `isTar: false` and no error.
 */
import { sniffCompression, COMPRESSION_SNIFF_BYTES } from './codec/compression';
import { createNativeGunzip, type DecoderFactory, type StreamDecoder } from './codec/gzip';
import { createSha256Hasher, type Sha256Hasher } from './codec/digest';
import { InspectError, InspectErrorCode, toErrorInfo } from './errors';
import { TarWalker } from './tar/walker';
import type { BlobResult, Compression } from './types';
import { createZstdDecoder } from './codec/zstd';

/** Options of a BlobInspector. */
export interface BlobInspectorOptions {
  /**
   * Called as the work goes (after every piece of at most PROGRESS_PIECE
   * stored bytes, and after every chunk the decoder produces) with the stored
   * bytes decoded, the uncompressed bytes produced and the tar members walked
   * so far. Called often: throttle it.
   */
  onProgress?(storedBytesRead: number, uncompressedBytes: number, entries: number): void;
  /** Keep every tar entry in `BlobResult.entries` (otherwise it is empty). */
  keepEntries?: boolean;
  /** gzip decoder (default: DecompressionStream; fflate's decodes multi-member gzip). */
  gzip?: DecoderFactory;
  /** zstd decoder (default: zstddec, see codec/zstd.ts). */
  zstd?: DecoderFactory;
  /**
   * Sees every decompressed chunk of a compressed blob, at its offset in the
   * uncompressed stream (not called for uncompressed blobs: their stored
   * bytes are the stream). Must not throw.
   */
  onUncompressed?(chunk: Uint8Array, position: number, storedBytesRead: number): void;
}

type BlobError = { code: string; message: string };

/**
 * Stored bytes decoded between two progress reports. A layer that expands
 * 1000× (a decompression bomb) turns 64 KiB into 64 MB, a fraction of a
 * second here; a whole 4 MiB read would hold the count still for seconds.
 */
export const PROGRESS_PIECE = 64 * 1024;

function errorOf(error: unknown): BlobError {
  const info = toErrorInfo(error);
  return { code: info.code, message: info.message };
}

/** The uncompressed side: DiffID hash, size, tar walk. Never throws. */
class UncompressedSink {
  size = 0;
  readonly walker: TarWalker;
  readonly #hasher: Sha256Hasher | null;
  #walking = true;
  #notTar = false;
  #tarError: BlobError | null = null;

  readonly #tap: ((chunk: Uint8Array, position: number) => void) | null;
  readonly #onChunk: (() => void) | null;

  /**
   * `hasher` is null when the stream is the stored bytes themselves (already
   * hashed); `tap` sees each chunk at its offset; `onChunk` runs after each.
   */
  constructor(
    hasher: Sha256Hasher | null,
    keepEntries: boolean,
    tap: ((chunk: Uint8Array, position: number) => void) | null,
    onChunk: (() => void) | null,
  ) {
    this.#hasher = hasher;
    this.#tap = tap;
    this.#onChunk = onChunk;
    this.walker = new TarWalker({ keepEntries });
  }

  readonly push = (chunk: Uint8Array): void => {
    this.#hasher?.update(chunk);
    this.#tap?.(chunk, this.size);
    this.size += chunk.length;
    if (this.#walking) {
      try {
        this.walker.push(chunk);
      } catch (error) {
        this.#stopWalking(error);
      }
    }
    this.#onChunk?.();
  };

  /** Ends the tar walk (after a complete stream only). */
  finish(): void {
    if (!this.#walking) return;
    try {
      this.walker.finish();
    } catch (error) {
      this.#stopWalking(error);
    }
  }

  get isTar(): boolean {
    return this.walker.recognised && !this.#notTar;
  }

  get tarError(): BlobError | null {
    return this.#tarError;
  }

  #stopWalking(error: unknown): void {
    this.#walking = false;
    // A bad first header means the content is simply not a tar: no error.
    if (
      error instanceof InspectError &&
      error.code === InspectErrorCode.BadTar &&
      !this.walker.recognised
    ) {
      this.#notTar = true;
      return;
    }
    this.#tarError = errorOf(error);
  }
}

/** Push-style one-pass inspector: `write` the stored bytes in order, then `close`. */
export class BlobInspector {
  readonly #options: BlobInspectorOptions;
  readonly #ready: Promise<[Sha256Hasher, Sha256Hasher]>;
  #storedSize = 0;
  #head: Uint8Array[] = [];
  #headSize = 0;
  #compression: Compression | null = null;
  #decoder: StreamDecoder | null = null;
  #sink: UncompressedSink | null = null;
  #decodeError: BlobError | null = null;

  constructor(options: BlobInspectorOptions = {}) {
    this.#options = options;
    this.#ready = Promise.all([createSha256Hasher(), createSha256Hasher()]);
  }

  /** Feeds the next stored bytes. Never rejects for bad data (see BlobResult.error). */
  async write(chunk: Uint8Array): Promise<void> {
    const [storedHasher] = await this.#ready;
    storedHasher.update(chunk);
    if (this.#compression !== null) {
      await this.#decodeInPieces(chunk);
      return;
    }
    this.#head.push(chunk);
    this.#headSize += chunk.length;
    if (this.#headSize >= COMPRESSION_SNIFF_BYTES) await this.#decodeInPieces(await this.#start());
  }

  /** Decodes stored bytes a piece at a time, reporting progress after each. */
  async #decodeInPieces(chunk: Uint8Array): Promise<void> {
    for (let offset = 0; offset < chunk.length; offset += PROGRESS_PIECE) {
      const piece = chunk.subarray(offset, offset + PROGRESS_PIECE);
      this.#storedSize += piece.length;
      await this.#decode(piece);
      this.#report();
    }
  }

  #report(): void {
    this.#options.onProgress?.(this.#storedSize, this.#sink?.size ?? 0, this.#sink?.walker.entryCount ?? 0);
  }

  /** Ends the stream and returns what was learned. */
  async close(): Promise<BlobResult> {
    const [storedHasher, diffHasher] = await this.#ready;
    if (this.#compression === null) await this.#decodeInPieces(await this.#start());
    const sink = this.#sink as UncompressedSink;
    if (this.#decodeError === null && this.#decoder !== null) {
      try {
        await this.#decoder.finish();
      } catch (error) {
        this.#decodeError = errorOf(error);
      }
    }
    if (this.#decodeError === null) sink.finish();
    this.#report();
    const digest = storedHasher.digest();
    const compression = this.#compression as Compression;
    const complete = this.#decodeError === null;
    return {
      digest,
      size: this.#storedSize,
      compression,
      diffId: complete ? (compression === 'none' ? digest : diffHasher.digest()) : null,
      uncompressedSize: complete ? sink.size : null,
      isTar: sink.isTar,
      entryCount: sink.walker.entryCount,
      whiteoutCount: sink.walker.whiteoutCount,
      entries: sink.walker.entries,
      error: this.#decodeError ?? sink.tarError,
    };
  }

  /** Abandons the stream (the source failed or the job was cancelled), releasing the decoder. */
  cancel(): void {
    this.#decoder?.cancel?.();
    this.#decodeError ??= { code: InspectErrorCode.Aborted, message: 'cancelled' };
  }

  /** Sniffs the buffered head and sets up the decoder; returns the head, to be decoded. */
  async #start(): Promise<Uint8Array> {
    const [, diffHasher] = await this.#ready;
    const head = concat(this.#head, this.#headSize);
    this.#head = [];
    const compression = sniffCompression(head);
    this.#compression = compression;
    // Uncompressed: the DiffID is the digest, so the bytes are hashed once.
    const onUncompressed = this.#options.onUncompressed;
    const tap = compression === 'none' || onUncompressed === undefined
      ? null
      : (chunk: Uint8Array, position: number) => onUncompressed(chunk, position, this.#storedSize);
    const sink = new UncompressedSink(
      compression === 'none' ? null : diffHasher,
      this.#options.keepEntries ?? false,
      tap,
      // An uncompressed blob's pieces are reported as they are fed; a decoder's output between them.
      compression === 'none' ? null : () => this.#report(),
    );
    this.#sink = sink;
    const decoderFactory: Record<Compression, DecoderFactory | null> = {
      gzip: this.#options.gzip ?? createNativeGunzip,
      zstd: this.#options.zstd ?? createZstdDecoder,
      none: null,
    };
    this.#decoder = decoderFactory[compression]?.(sink.push) ?? null;
    return head;
  }

  async #decode(chunk: Uint8Array): Promise<void> {
    if (this.#decoder === null) {
      this.#sink?.push(chunk);
      return;
    }
    if (this.#decodeError !== null) return;
    try {
      await this.#decoder.push(chunk);
    } catch (error) {
      this.#decodeError = errorOf(error);
    }
  }
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Inspects a whole stream of stored bytes. */
export async function inspectBlobStream(
  stream: ReadableStream<Uint8Array>,
  options: BlobInspectorOptions = {},
): Promise<BlobResult> {
  const inspector = new BlobInspector(options);
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    await inspector.write(value);
  }
  return inspector.close();
}
