/**
 * Compression sniffing from a blob's first bytes. The magic decides, not the
 * media type: registries and `docker save` mislabel layers often enough.
 * No trial decoding: a sniffer must be cheap and never throw.
 *
 * gzip: RFC 1952 § 2.3.1, ID1 ID2 = 1f 8b.
 * zstd: RFC 8878 § 3.1.1, frame magic 28 b5 2f fd (0xFD2FB528 little-endian),
 * and § 3.1.2 skippable frames 0x184D2A50–0x184D2A5F, which may precede it.
 */
import type { Compression } from '../types';

/** Bytes needed for a confident answer. */
export const COMPRESSION_SNIFF_BYTES = 4;

/** Returns the compression the bytes start with; 'none' for anything else (or too few bytes). */
export function sniffCompression(bytes: Uint8Array): Compression {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return 'gzip';
  if (bytes.length < 4) return 'none';
  if (bytes[0] === 0x28 && bytes[1] === 0xb5 && bytes[2] === 0x2f && bytes[3] === 0xfd)
    return 'zstd';
  if ((bytes[0] & 0xf0) === 0x50 && bytes[1] === 0x2a && bytes[2] === 0x4d && bytes[3] === 0x18) {
    return 'zstd';
  }
  return 'none';
}
