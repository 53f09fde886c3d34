/**
 * Tar entries packed for a trip between threads. A big layer has 100,000+
 * entries; as objects, the main thread would deserialize every one of them
 * when a worker's result arrives (measured: ~28 ms for 30k entries, a long
 * task that grows with the layer). Packed as UTF-8 JSON in one transferable
 * buffer, they cross for free and are decoded only where they are used: in
 * the filesystem worker. Binary xattr values (TarEntry.xattrs: one char
 * per byte, 0–255) survive the trip exactly: UTF-8 encodes every such char.
 */
import type { BlobResult, TarEntry } from '../types';

/** Encodes entries as UTF-8 JSON. */
export function encodeEntries(entries: readonly TarEntry[]): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(JSON.stringify(entries));
}

/** Decodes what encodeEntries produced. */
export function decodeEntries(bytes: Uint8Array): TarEntry[] {
  return JSON.parse(new TextDecoder().decode(bytes)) as TarEntry[];
}

/** The result with its entries moved into `encodedEntries` (and `entries` left empty). */
export function packEntries(result: BlobResult): BlobResult {
  if (result.entries.length === 0) return result;
  return { ...result, entries: [], encodedEntries: encodeEntries(result.entries) };
}

/** The entries of a result, packed or not. */
export function entriesOf(result: Pick<BlobResult, 'entries' | 'encodedEntries'>): TarEntry[] {
  return result.encodedEntries ? decodeEntries(result.encodedEntries) : result.entries;
}
