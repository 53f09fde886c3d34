/**
 * File content inside layers: which bytes of which layer's uncompressed tar
 * hold a file, and reading a range of an uncompressed layer stream from its
 * stored (possibly compressed) bytes.
 *
 * A tar member's content is contiguous in the uncompressed stream (POSIX
 * ustar: header block, then the data, padded to 512), so the merged tree's
 * `contentLayer`/`contentOffset` plus the size locate every regular file.
 */

import { createFflateGunzip, createNativeGunzip, type DecoderFactory } from '../codec/gzip';
import { InspectError, InspectErrorCode } from '../errors';
import { type FileNode, resolvePath } from '../fs/file-node';
import type { Compression } from '../types';
import { createZstdDecoder } from '../codec/zstd';

/** Where a regular file's bytes are. */
export interface ContentLocation {
  /** The node after following symlinks (a file or a hard link). */
  node: FileNode;
  /** Layer whose uncompressed tar holds the bytes. */
  layer: number;
  /** Offset of the content in that layer's uncompressed tar. */
  offset: number;
  size: number;
}

/**
 * Locates the content of the regular file at `path` in the merged tree
 * `root`, following symlinks inside the image (never outside it, see
 * resolvePath). Throws InspectError naming the path when there is none.
 */
export function locateContent(root: FileNode, path: string): ContentLocation {
  const found = resolvePath(root, path);
  if (!found.ok) {
    throw new InspectError(InspectErrorCode.Unsupported, `${path}: ${found.reason} at ${found.path}`, path);
  }
  const node = found.node;
  if ((node.type !== 'file' && node.type !== 'hardlink' && node.type !== 'other') || node.contentLayer < 0) {
    throw new InspectError(InspectErrorCode.Unsupported, `${path}: not a regular file (${node.type})`, path);
  }
  return { node, layer: node.contentLayer, offset: node.contentOffset, size: node.size };
}

/** Clamps a requested window to a file's size: `[start, end)` within `[0, size]`. */
export function clampRange(size: number, offset: number, length: number): { start: number; end: number } {
  const start = Math.min(Math.max(0, Math.floor(offset)), size);
  const end = Math.min(size, start + Math.max(0, Math.floor(length)));
  return { start, end };
}

/** The decoder for a layer's compression, or null for an uncompressed layer. */
export function decoderFor(compression: Compression, multiMemberGzip = false): DecoderFactory | null {
  if (compression === 'gzip') return multiMemberGzip ? createFflateGunzip : createNativeGunzip;
  if (compression === 'zstd') return createZstdDecoder;
  return null;
}

/** Stored bytes of a layer, from its start, in chunks. */
export type StoredStream = () => AsyncIterable<Uint8Array>;

/** Receives the uncompressed stream in order; `position` is the offset of `chunk`. */
export type UncompressedSink = (chunk: Uint8Array, position: number) => void;

/** Thrown inside a pass to stop decoding once a caller has what it needs. */
class EnoughData extends Error {}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new DOMException('The operation was aborted.', 'AbortError');
}

/**
 * Decodes the stored stream and hands the uncompressed bytes to `sink`, until
 * the end, or until `sink` returns true ("enough"). An uncompressed layer
 * passes through as is. Browsers' gzip stops after the first member, so a
 * multi-member gzip is retried with fflate (the sink sees the stream again
 * from position 0 in that case).
 */
export async function decodeLayer(
  signal: AbortSignal,
  stored: StoredStream,
  compression: Compression,
  sink: (chunk: Uint8Array, position: number) => boolean,
): Promise<void> {
  try {
    await decodeOnce(signal, stored, decoderFor(compression), sink);
  } catch (error) {
    const retry = compression === 'gzip' && error instanceof InspectError && error.code === InspectErrorCode.GzipTrailingData;
    if (!retry) throw error;
    await decodeOnce(signal, stored, decoderFor(compression, true), sink);
  }
}

async function decodeOnce(
  signal: AbortSignal,
  stored: StoredStream,
  factory: DecoderFactory | null,
  sink: (chunk: Uint8Array, position: number) => boolean,
): Promise<void> {
  let position = 0;
  let enough = false;
  const deliver = (chunk: Uint8Array): void => {
    if (enough) return;
    enough = sink(chunk, position);
    position += chunk.length;
  };
  const decoder = factory === null ? null : factory(deliver);
  try {
    for await (const chunk of stored()) {
      throwIfAborted(signal);
      if (decoder === null) deliver(chunk);
      else await decoder.push(chunk);
      if (enough) throw new EnoughData();
    }
    await decoder?.finish();
  } catch (error) {
    // Stopped before the end: the decoder would otherwise keep its buffers (zstd's are outside the JS heap).
    decoder?.cancel?.();
    if (error instanceof EnoughData) return;
    throw error;
  }
}

/**
 * Reads `[start, end)` of a layer's uncompressed stream by decoding it from
 * its start (no cache): the fallback when the decompressed layer cannot be
 * kept on disk. Stops decoding as soon as the range is complete.
 */
export async function readUncompressedRange(
  signal: AbortSignal,
  stored: StoredStream,
  compression: Compression,
  start: number,
  end: number,
  onReached?: (position: number) => void,
): Promise<Uint8Array> {
  const out = new Uint8Array(Math.max(0, end - start));
  if (out.length === 0) return out;
  let filled = 0;
  await decodeLayer(signal, stored, compression, (chunk, position) => {
    const chunkEnd = position + chunk.length;
    onReached?.(chunkEnd);
    if (chunkEnd <= start) return false;
    const from = Math.max(start, position);
    const to = Math.min(end, chunkEnd);
    if (to > from) {
      out.set(chunk.subarray(from - position, to - position), from - start);
      filled = Math.max(filled, to - start);
    }
    return chunkEnd >= end;
  });
  if (filled < out.length) {
    throw new InspectError(InspectErrorCode.Truncated, `the layer ends before byte ${end}`);
  }
  return out;
}

/** Chunks of a Blob read by slices (4–8 MiB: docs/performance.md, "Reading blobs"). */
export async function* blobChunks(blob: Blob, sliceSize = 4 * 1024 * 1024): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < blob.size; offset += sliceSize) {
    yield new Uint8Array(await blob.slice(offset, offset + sliceSize).arrayBuffer());
  }
}
