/**
 * Push-style decoders for the layer pipeline (fflate's push/ondata shape,
 * made async for backpressure). Every decoder hands its output to `onData`
 * in bounded pieces, so a decompression bomb streams through in flat memory.
 *
 * gzip (RFC 1952): `DecompressionStream('gzip')`, 2.6× faster than fflate on
 * this machine (docs/performance.md, "Decompression"). Browsers' DecompressionStream only accepts a
 * single gzip member (https://github.com/whatwg/compression/issues/42), so
 * fflate's Gunzip, which decodes concatenated members as `gzip -d` does, is
 * the fallback for multi-member layers (with the CRC32 and ISIZE checks it
 * lacks added: gunzip-checked.ts). zstd decoders are in zstd.ts.
 */
import { InspectError, InspectErrorCode } from '../errors';
import { CheckedGunzip } from './gunzip-checked';

/** Receives decompressed bytes; must not keep `chunk` beyond the call. */
export type DataHandler = (chunk: Uint8Array) => void;

/** A streaming decoder fed compressed bytes. */
export interface StreamDecoder {
  /** Feeds compressed bytes; resolves when the decoder can take more (backpressure). */
  push(chunk: Uint8Array): Promise<void>;
  /** Ends the input; resolves once all output was delivered, rejects with InspectError on bad data. */
  finish(): Promise<void>;
  /**
   * Abandons the stream before `finish` (enough was read, or the source
   * failed), releasing what the decoder holds: libzstd's context and window
   * live in a WASM heap that no garbage collector sees. Nothing is pushed after.
   */
  cancel?(): void;
}

/** Creates a decoder that delivers its output to `onData`. */
export type DecoderFactory = (onData: DataHandler) => StreamDecoder;

/**
 * Compressed bytes per decoder call. DecompressionStream and fflate inflate a
 * whole input chunk before yielding, and deflate expands at most ~1032×, so
 * 64 KiB of input yields at most ~66 MB at once, even for a bomb of zeros.
 */
export const MAX_INPUT_PIECE = 64 * 1024;

/** Input pieces queued in a DecompressionStream at most (8 × 64 KiB). */
const MAX_WRITES_IN_FLIGHT = 8;

/**
 * Input piece size once the data is seen to expand more than HIGH_RATIO×
 * (real layers expand 2–5×; a bomb of zeros ~1000×): 4 KiB then yields at
 * most ~4 MB per step instead of ~66 MB.
 */
const BOMB_INPUT_PIECE = 4 * 1024;
const HIGH_RATIO = 64;

/** Splits a chunk into pieces of at most `pieceSize` bytes (views, no copies). */
export function* inputPieces(chunk: Uint8Array, pieceSize = MAX_INPUT_PIECE): Generator<Uint8Array> {
  for (let offset = 0; offset < chunk.length; offset += pieceSize) {
    yield chunk.subarray(offset, offset + pieceSize);
  }
}

/**
 * Maps a zlib/DecompressionStream/fflate error to an InspectError: Truncated,
 * GzipTrailingData (DecompressionStream met bytes after the first member:
 * the one message matched, since platforms give no code), or BadCompression.
 */
export function gzipError(error: unknown): InspectError {
  if (error instanceof InspectError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/junk|trailing/i.test(message)) {
    return new InspectError(
      InspectErrorCode.GzipTrailingData,
      `gzip: data after the end of the first gzip member (${message})`,
    );
  }
  if (/unexpected (end|eof)|truncat|incomplete|premature/i.test(message)) {
    return new InspectError(InspectErrorCode.Truncated, `gzip data is truncated (${message})`);
  }
  return new InspectError(InspectErrorCode.BadCompression, `gzip data is corrupt (${message})`);
}

/**
 * Decompression bombs: DecompressionStream hands out fresh output buffers
 * whose memory lingers in the allocator, so over 2 GiB of zeros the
 * renderer's memory climbs (measured: ~290 → ~600 MB) where fflate, fed small
 * pieces, stays flat. While the compressed input is small a copy is kept; once
 * the output passes BOMB_MIN_OUTPUT at more than BOMB_RATIO× the input, fflate
 * decodes the copy again, skips what was already delivered, and takes over.
 * Real layers expand 2–5× and never switch.
 */
const BOMB_RATIO = 100;
const BOMB_MIN_OUTPUT = 256 * 1024 * 1024;
const BOMB_KEEP_INPUT = 8 * 1024 * 1024;

/**
 * Whether `outputBytes` decoded from `inputBytes` looks like a decompression
 * bomb: more than 256 MiB at over 100× the input. What is only kept for
 * convenience (decoded copies of layers) is not kept for such a stream.
 */
export function looksLikeBomb(inputBytes: number, outputBytes: number): boolean {
  return outputBytes > BOMB_MIN_OUTPUT && outputBytes > BOMB_RATIO * inputBytes;
}

/** gzip through the platform's DecompressionStream (Node 18+, every current browser). */
export function createNativeGunzip(onData: DataHandler): StreamDecoder {
  const stream = new DecompressionStream('gzip');
  const writer = stream.writable.getWriter();
  let failure: InspectError | null = null;
  const reader = stream.readable.getReader();
  let inputBytes = 0;
  let outputBytes = 0;
  /** Every input piece so far, while the input is small enough to keep. */
  let kept: Uint8Array[] | null = [];
  /** fflate, once the data turned out to be a bomb. */
  let bombDecoder: CheckedGunzip | null = null;
  const drained = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || bombDecoder !== null) return;
      outputBytes += value.length;
      onData(value);
    }
  })().catch((error: unknown) => {
    if (bombDecoder === null) failure ??= gzipError(error);
  });
  // Write errors resurface through the reader; this only keeps them from going unhandled.
  const ignore = (): void => {};
  // Backpressure by pending writes, not `writer.ready`: Node's DecompressionStream
  // resolves `ready` at once and would queue the whole input (measured: +470 MB for
  // a 426 MB layer). A few writes in flight keep the inflater busy in bounded memory.
  const pending: Promise<void>[] = [];

  const pushToBombDecoder = (gunzip: CheckedGunzip, chunk: Uint8Array, final: boolean): void => {
    try {
      for (const piece of inputPieces(chunk, BOMB_INPUT_PIECE)) gunzip.push(piece);
      if (final) gunzip.finish();
    } catch (error) {
      throw gzipError(error);
    }
  };

  const switchToFflate = async (): Promise<void> => {
    let skip = 0;
    const gunzip = await CheckedGunzip.create((data) => {
      if (skip >= data.length) {
        skip -= data.length;
        return;
      }
      onData(skip > 0 ? data.subarray(skip) : data);
      skip = 0;
    });
    // Set together, after the await: output the native decoder delivered meanwhile is skipped too.
    skip = outputBytes;
    bombDecoder = gunzip;
    writer.abort().catch(ignore);
    for (const piece of (kept ?? []).splice(0)) pushToBombDecoder(gunzip, piece, false);
    kept = null;
  };

  return {
    async push(chunk) {
      const pieceSize = outputBytes > HIGH_RATIO * inputBytes ? BOMB_INPUT_PIECE : MAX_INPUT_PIECE;
      for (const piece of inputPieces(chunk, pieceSize)) {
        if (bombDecoder !== null) {
          pushToBombDecoder(bombDecoder, piece, false);
          continue;
        }
        if (failure !== null) throw failure;
        inputBytes += piece.length;
        if (kept !== null) {
          if (inputBytes <= BOMB_KEEP_INPUT) kept.push(piece.slice());
          else kept = null;
        }
        pending.push(writer.write(piece as Uint8Array<ArrayBuffer>).catch(ignore));
        if (pending.length > MAX_WRITES_IN_FLIGHT) await pending.shift();
        if (kept !== null && looksLikeBomb(inputBytes, outputBytes)) await switchToFflate();
      }
      if (failure !== null) throw failure;
    },
    async finish() {
      if (bombDecoder !== null) {
        pushToBombDecoder(bombDecoder, new Uint8Array(0), true);
        return;
      }
      await Promise.all(pending);
      await writer.close().catch(ignore);
      await drained;
      if (failure !== null) throw failure;
    },
    cancel() {
      writer.abort().catch(ignore);
    },
  };
}

/** gzip through fflate: slower, but decodes concatenated members (each one's CRC32 and ISIZE checked). */
export function createFflateGunzip(onData: DataHandler): StreamDecoder {
  let gunzip: Promise<CheckedGunzip> | null = null;
  let failure: InspectError | null = null;
  const run = async (chunk: Uint8Array, final: boolean): Promise<void> => {
    if (failure !== null) throw failure;
    gunzip ??= CheckedGunzip.create(onData);
    const decoder = await gunzip;
    try {
      for (const piece of inputPieces(chunk)) decoder.push(piece);
      if (final) decoder.finish();
    } catch (error) {
      failure = gzipError(error);
      throw failure;
    }
  };
  return {
    push: (chunk) => run(chunk, false),
    finish: () => run(new Uint8Array(0), true),
  };
}
