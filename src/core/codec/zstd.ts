/**
 * zstd (RFC 8878) through libzstd compiled to WASM, as the zstddec package
 * ships it. Measured by bench/zstd.mjs on this machine (1.05 GB tar of /usr
 * at zstd -3, Node 20):
 *
 *   zstd -dc 885 MB/s · zstddec 486 MB/s · fzstd (pure TS) 158 MB/s
 *
 * libzstd verifies frame checksums and refuses windows over 128 MiB
 * (ZSTD_WINDOWLOG_LIMIT_DEFAULT, as `zstd -d` does), where fzstd decodes
 * corrupt data without noticing and allocates any window a header asks for.
 *
 * zstddec's own streaming generator ignores libzstd's error codes (corrupt
 * input then loops forever) and frees its decompression context only when
 * the input ends normally: every stream abandoned on corrupt data kept its
 * context and window (up to 128 MiB each) in the WASM heap, until a valid
 * stream failed for want of memory. So the streaming loop is written here,
 * over the same exported libzstd functions (the ones zstddec itself calls):
 * push-style, with every error code checked and the context freed when the
 * stream ends, fails or is cancelled.
 */
import { InspectError, InspectErrorCode } from '../errors';
import type { DataHandler, StreamDecoder } from './gzip';

/** The libzstd functions of zstddec's WASM module that streaming needs (zstd.h). */
export interface ZstdExports {
  memory: WebAssembly.Memory;
  malloc(size: number): number;
  free(pointer: number): void;
  ZSTD_createDCtx(): number;
  ZSTD_freeDCtx(context: number): number;
  ZSTD_decompressStream(context: number, output: number, input: number): number;
  ZSTD_DStreamInSize(): number;
  ZSTD_DStreamOutSize(): number;
}

const REQUIRED_EXPORTS = [
  'malloc',
  'free',
  'ZSTD_createDCtx',
  'ZSTD_freeDCtx',
  'ZSTD_decompressStream',
  'ZSTD_DStreamInSize',
  'ZSTD_DStreamOutSize',
] as const;

let loading: Promise<ZstdExports> | null = null;

/**
 * Loads libzstd once per thread (Node, worker or page). zstddec keeps its
 * WASM instance to itself; its `_init` hook, which receives the instance,
 * is where the exports are taken from. zstddec initialises once per thread,
 * so nothing else may load it first (a unit test checks that nothing else
 * imports it).
 */
export function loadZstd(): Promise<ZstdExports> {
  loading ??= import('zstddec/stream').then(async ({ ZSTDDecoder }) => {
    const decoder = new ZSTDDecoder();
    const initialise = decoder._init;
    let exports: Record<string, unknown> | null = null;
    decoder._init = (result) => {
      exports = result.instance.exports;
      initialise(result);
    };
    await decoder.init();
    const found = exports as Record<string, unknown> | null;
    if (found === null || !(found.memory instanceof WebAssembly.Memory) || REQUIRED_EXPORTS.some((name) => typeof found[name] !== 'function')) {
      throw new InspectError(
        InspectErrorCode.Internal,
        'zstd: zstddec was initialised before loadZstd in this thread, or its WASM module lacks what streaming needs',
      );
    }
    return found as unknown as ZstdExports;
  });
  return loading;
}

/** Bytes of WASM memory libzstd holds (it grows, never shrinks): for tests and diagnostics. */
export async function zstdMemoryBytes(): Promise<number> {
  return (await loadZstd()).memory.buffer.byteLength;
}

/** libzstd's error codes (zstd_errors.h) that deserve their own words. */
const ERROR_MESSAGES: Record<number, string> = {
  10: 'not zstd data (unknown frame magic)',
  12: 'zstd data of an unsupported version',
  14: 'zstd frame parameters are unsupported',
  16: 'zstd window is larger than 128 MiB (zstd -d refuses it too, unless given --memory)',
  20: 'zstd data is corrupt',
  22: 'zstd data is corrupt (checksum mismatch)',
  64: 'zstd: out of memory',
};

/**
 * ZSTD_isError: results are size_t, and errors are the last 120 values
 * (`(size_t)-code`), which a 32-bit WASM export returns as -1…-120.
 */
function errorCodeOf(result: number): number | null {
  return result < 0 ? -result : null;
}

/** The buffers one stream needs in the WASM heap. */
interface StreamHandles {
  context: number;
  input: number;
  inputSize: number;
  output: number;
  outputSize: number;
  /** ZSTD_inBuffer and ZSTD_outBuffer: {pointer, size, pos}, 4 bytes each. */
  inBuffer: number;
  outBuffer: number;
}

function allocate(zstd: ZstdExports): StreamHandles {
  const inputSize = zstd.ZSTD_DStreamInSize();
  const outputSize = zstd.ZSTD_DStreamOutSize();
  return {
    context: zstd.ZSTD_createDCtx(),
    input: zstd.malloc(inputSize),
    inputSize,
    output: zstd.malloc(outputSize),
    outputSize,
    inBuffer: zstd.malloc(12),
    outBuffer: zstd.malloc(12),
  };
}

function release(zstd: ZstdExports, handles: StreamHandles): void {
  zstd.ZSTD_freeDCtx(handles.context);
  for (const pointer of [handles.input, handles.output, handles.inBuffer, handles.outBuffer]) zstd.free(pointer);
}

/**
 * A push decoder over libzstd (ZSTD_decompressStream, as zstd's
 * streaming_decompression.c example drives it). Output reaches `onData` in
 * copies of at most ZSTD_DStreamOutSize (128 KiB).
 */
export function zstdDecoderFrom(zstd: ZstdExports, onData: DataHandler): StreamDecoder {
  let handles: StreamHandles | null = allocate(zstd);
  let failure: InspectError | null = null;
  /** 0 once the last frame was decoded and flushed (zstd.h: a hint of the input still needed, else). */
  let lastResult = 0;

  const close = (): void => {
    if (handles !== null) release(zstd, handles);
    handles = null;
  };

  const decodePiece = (open: StreamHandles, piece: Uint8Array): void => {
    new Uint8Array(zstd.memory.buffer).set(piece, open.input);
    const setBuffer = (at: number, pointer: number, size: number): void => {
      const view = new DataView(zstd.memory.buffer);
      view.setUint32(at, pointer, true);
      view.setUint32(at + 4, size, true);
      view.setUint32(at + 8, 0, true);
    };
    const position = (at: number): number => new DataView(zstd.memory.buffer).getUint32(at + 8, true);
    setBuffer(open.inBuffer, open.input, piece.length);
    // libzstd consumes the last byte of a frame only once all its output is flushed.
    while (position(open.inBuffer) < piece.length) {
      setBuffer(open.outBuffer, open.output, open.outputSize);
      const result = zstd.ZSTD_decompressStream(open.context, open.outBuffer, open.inBuffer);
      const code = errorCodeOf(result);
      if (code !== null) {
        throw new InspectError(InspectErrorCode.BadCompression, ERROR_MESSAGES[code] ?? `zstd data is corrupt (libzstd error ${code})`);
      }
      lastResult = result;
      const produced = position(open.outBuffer);
      if (produced > 0) onData(new Uint8Array(zstd.memory.buffer).slice(open.output, open.output + produced));
    }
  };

  return {
    async push(chunk) {
      if (failure !== null) throw failure;
      const open = handles;
      if (open === null) throw new InspectError(InspectErrorCode.Internal, 'zstd decoder used after it ended');
      try {
        for (let at = 0; at < chunk.length; at += open.inputSize) decodePiece(open, chunk.subarray(at, at + open.inputSize));
      } catch (error) {
        close();
        failure = error instanceof InspectError ? error : new InspectError(InspectErrorCode.BadCompression, `zstd: ${String(error)}`);
        throw failure;
      }
    },
    async finish() {
      if (failure !== null) throw failure;
      close();
      if (lastResult !== 0) {
        failure = new InspectError(InspectErrorCode.Truncated, 'zstd data is truncated (the last frame is incomplete)');
        throw failure;
      }
    },
    cancel: close,
  };
}

/** DecoderFactory for zstd: loads libzstd on first use, then decodes as zstdDecoderFrom. */
export function createZstdDecoder(onData: DataHandler): StreamDecoder {
  let decoder: StreamDecoder | null = null;
  let cancelled = false;
  const ready = async (): Promise<StreamDecoder> => {
    decoder ??= zstdDecoderFrom(await loadZstd(), onData);
    if (cancelled) decoder.cancel?.();
    return decoder;
  };
  return {
    async push(chunk) {
      await (await ready()).push(chunk);
    },
    async finish() {
      await (await ready()).finish();
    },
    cancel() {
      cancelled = true;
      decoder?.cancel?.();
    },
  };
}
