/**
 * zstd (RFC 8878) through zstddec, libzstd compiled to WASM. Measured by
 * bench/zstd.mjs on this machine (1.05 GB tar of /usr at zstd -3, Node 20):
 *
 *   zstd -dc 885 MB/s · zstddec 486 MB/s · fzstd (pure TS) 158 MB/s
 *
 * zstddec is 3× faster, and it is libzstd: it verifies the frame checksum and
 * refuses windows over 128 MiB (ZSTD_WINDOWLOG_LIMIT_DEFAULT, as `zstd -d`
 * does), where fzstd decodes corrupt data without noticing and allocates any
 * window a header asks for (up to 2 GiB). Its streaming API pulls input from a
 * synchronous iterable; `createZstdDecoder` turns that into a push decoder
 * for network streams as well as files.
 */
import { InspectError, InspectErrorCode } from '../errors';
import type { DataHandler, StreamDecoder } from './gzip';

/** The part of zstddec's `ZSTDDecoder` (from `zstddec/stream`) used here. */
export interface ZstdStreamingDecoder {
  decodeStreaming(arrays: Iterable<Uint8Array>): Generator<Uint8Array>;
}

/**
 * zstddec yields once per ZSTD_decompressStream call; on corrupt input that
 * call returns an error code that zstddec ignores, consuming nothing, so it
 * would loop forever. Valid data always makes progress: this many empty
 * results in a row on one input chunk means the data is bad.
 */
const MAX_IDLE_CALLS = 4096;

let loading: Promise<ZstdStreamingDecoder> | null = null;

/** Loads zstddec's WASM decoder once per thread (Node, worker or page). */
export function loadZstdDecoder(): Promise<ZstdStreamingDecoder> {
  loading ??= import('zstddec/stream').then(async ({ ZSTDDecoder }) => {
    const decoder = new ZSTDDecoder();
    await decoder.init();
    return decoder;
  });
  return loading;
}

/**
 * A zstd block holds at most 128 KiB (RFC 8878 §3.1.1.2.4), so valid data
 * yields output at least every two blocks' worth of input. zstddec drops
 * libzstd's error codes, and a frame corrupted in the middle surfaces only as
 * "incomplete" at the end; input that went on this long without output tells
 * corruption apart from a stream that was merely cut short.
 */
const MAX_INPUT_WITHOUT_OUTPUT = 2 * 128 * 1024 + 64 * 1024;

function zstdError(error: unknown, inputWithoutOutput: number): InspectError {
  if (error instanceof InspectError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return /incomplete|more data/i.test(message) && inputWithoutOutput <= MAX_INPUT_WITHOUT_OUTPUT
    ? new InspectError(InspectErrorCode.Truncated, `zstd data is truncated (${message})`)
    : new InspectError(InspectErrorCode.BadCompression, `zstd data is corrupt (${message})`);
}

/**
 * Push-style decoder over zstddec's pull-style generator. The generator asks
 * its input iterator for the next chunk only after it has consumed the
 * current one, and each `next()` on it takes at most one chunk; so pumping it
 * only while a pushed chunk is waiting never lets it find the input empty
 * before `finish`. Output is at most ZSTD_DStreamOutSize (128 KiB) per step.
 */
export function zstdDecoderFrom(decoder: ZstdStreamingDecoder, onData: DataHandler): StreamDecoder {
  const waiting: Uint8Array[] = [];
  let finished = false;
  let idleCalls = 0;
  let inputWithoutOutput = 0;
  function* input(): Generator<Uint8Array> {
    for (;;) {
      const chunk = waiting.shift();
      if (chunk === undefined) {
        if (finished) return;
        throw new InspectError(InspectErrorCode.Internal, 'zstd decoder ran out of input');
      }
      idleCalls = 0;
      inputWithoutOutput += chunk.length;
      yield chunk;
    }
  }
  const output = decoder.decodeStreaming(input());
  let failure: InspectError | null = null;

  /** Steps the generator while input is waiting (or to the end once finished). */
  const pump = (): void => {
    if (failure !== null) throw failure;
    try {
      while (waiting.length > 0 || finished) {
        const step = output.next();
        if (step.done) return;
        if (step.value.length > 0) {
          idleCalls = 0;
          inputWithoutOutput = 0;
          onData(step.value);
        } else if (++idleCalls > MAX_IDLE_CALLS) {
          throw new InspectError(InspectErrorCode.BadCompression, 'zstd data is corrupt');
        }
      }
    } catch (error) {
      failure = zstdError(error, inputWithoutOutput);
      throw failure;
    }
  };

  return {
    async push(chunk) {
      if (chunk.length === 0) return;
      waiting.push(chunk);
      pump();
    },
    async finish() {
      finished = true;
      pump();
    },
  };
}

/** DecoderFactory for zstd: loads zstddec on first use, then decodes as zstdDecoderFrom. */
export function createZstdDecoder(onData: DataHandler): StreamDecoder {
  let decoder: StreamDecoder | null = null;
  const ready = async (): Promise<StreamDecoder> => {
    decoder ??= zstdDecoderFrom(await loadZstdDecoder(), onData);
    return decoder;
  };
  return {
    async push(chunk) {
      await (await ready()).push(chunk);
    },
    async finish() {
      await (await ready()).finish();
    },
  };
}
