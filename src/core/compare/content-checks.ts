/**
 * Settles the content checks of a tree comparison: two regular files of
 * equal size from different layers hold the same bytes exactly when their
 * content hashes are equal. Hashing is injected (`ContentHasher`), so that
 * whoever already hashes file contents (duplicate detection, a cache of
 * hashes by layer and offset) can answer without reading again; a default
 * built on the Rootfs readers (`ReadLayerBytes`) streams the bytes through
 * sha256.
 *
 * Hashes are cached by content location: the DiffID of the layer that holds
 * the bytes and their offset in it, which names the same bytes on either
 * side, so a file both sides share (or a hard link's target) is hashed once.
 */

import type { ReadLayerBytes } from '../analysis/rootfs';
import { createSha256Hasher } from '../codec/digest';
import { InspectError, InspectErrorCode, isAbortError, toErrorInfo, type InspectErrorInfo } from '../errors';
import { entryFromNode } from '../fs/file-list';
import type { FileNode } from '../fs/file-node';
import type { Digest } from '../types';
import { byPath, compareTrees, type ContentCheck, type FileDifference, type TreeSide } from './files';

/** Which image of the comparison. */
export type CompareSide = 'left' | 'right';

/**
 * The content digest of a regular file (any algorithm, as long as both sides
 * use the same). A hasher that already knows the answer (hashes computed by
 * the first pass) may return it directly: settling then takes no await.
 */
export type ContentHasher = (signal: AbortSignal, side: CompareSide, node: FileNode) => string | Promise<string>;

/** Options of {@link settleContentChecks}. */
export interface SettleOptions {
  /** DiffIDs of each side's layers, by index: they key the cache. */
  diffIds: { left: readonly (Digest | null)[]; right: readonly (Digest | null)[] };
  /** Hashes running at once. Default 4. */
  concurrency?: number;
  /** Called after each settled check. */
  onProgress?: (settled: number, total: number) => void;
}

/** What the checks decided. */
export interface SettledChecks {
  /** The checks that turned out changed (content, or metadata found earlier), sorted by path. */
  differences: FileDifference[];
  /** Files whose bytes could not be read: their content is not known. */
  errors: InspectErrorInfo[];
}

/**
 * Hashes both sides of every check (each content location once) and returns
 * the ones that differ. Checks run in the order of the left side's bytes
 * (layer, then offset), the order a sequential reader serves fastest.
 */
export async function settleContentChecks(
  signal: AbortSignal,
  checks: readonly ContentCheck[],
  hasher: ContentHasher,
  options: SettleOptions,
): Promise<SettledChecks> {
  // By layer (its DiffID, which names the same bytes on both sides), then by offset.
  const cache = new Map<string, Map<number, string | Promise<string>>>();
  const hashOf = (side: CompareSide, node: FileNode): string | Promise<string> => {
    const layerKey = options.diffIds[side][node.contentLayer] ?? `${side}#${node.contentLayer}`;
    let layer = cache.get(layerKey);
    if (layer === undefined) {
      layer = new Map();
      cache.set(layerKey, layer);
    }
    const known = layer.get(node.contentOffset);
    if (known !== undefined) return known;
    const hash = hasher(signal, side, node);
    layer.set(node.contentOffset, hash);
    if (typeof hash !== 'string') {
      const settledLayer = layer;
      hash.then(
        (value) => settledLayer.set(node.contentOffset, value),
        () => undefined,
      );
    }
    return hash;
  };
  const order = [...checks].sort((a, b) => a.left.contentLayer - b.left.contentLayer || a.left.contentOffset - b.left.contentOffset);
  const differences: FileDifference[] = [];
  const errors: InspectErrorInfo[] = [];
  let next = 0;
  let settled = 0;
  const worker = async (): Promise<void> => {
    while (next < order.length) {
      const check = order[next++];
      if (signal.aborted) throw new DOMException('The operation was aborted.', 'AbortError');
      let fields = check.differences;
      try {
        const leftHash = hashOf('left', check.left);
        const rightHash = hashOf('right', check.right);
        const left = typeof leftHash === 'string' ? leftHash : await leftHash;
        const right = typeof rightHash === 'string' ? rightHash : await rightHash;
        if (left !== right) fields = [...fields, 'content'];
      } catch (error) {
        if (isAbortError(error)) throw error;
        errors.push({ ...toErrorInfo(error), path: check.path });
      }
      if (fields.length > 0) {
        differences.push({ path: check.path, change: 'changed', left: entryFromNode(check.left), right: entryFromNode(check.right), differences: fields });
      }
      settled += 1;
      options.onProgress?.(settled, order.length);
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, order.length)) }, worker);
  await Promise.all(workers);
  differences.sort(byPath);
  errors.sort((a, b) => byPath({ path: a.path ?? '' }, { path: b.path ?? '' }));
  return { differences, errors };
}

/** Bytes read per call while hashing one file. */
const HASH_CHUNK = 4 * 1024 * 1024;

/**
 * A ContentHasher that reads each file's bytes from its side's layers
 * (the Rootfs reader) and hashes them with sha256: `sha256:<hex>`.
 */
export function contentHasherFromReaders(readers: Record<CompareSide, ReadLayerBytes>): ContentHasher {
  return async (signal, side, node) => {
    const hasher = await createSha256Hasher();
    for (let done = 0; done < node.size; ) {
      if (signal.aborted) throw new DOMException('The operation was aborted.', 'AbortError');
      const length = Math.min(HASH_CHUNK, node.size - done);
      const bytes = await readers[side](node.contentLayer, node.contentOffset + done, length);
      if (bytes.length === 0) throw new InspectError(InspectErrorCode.Truncated, `${node.path}: the layer ends before the file does`, node.path);
      hasher.update(bytes);
      done += bytes.length;
    }
    return hasher.digest();
  };
}

/** The whole file comparison: the tree walk, then its content checks settled. */
export interface FileComparison {
  /** Every path that differs, sorted by path. */
  differences: FileDifference[];
  errors: InspectErrorInfo[];
  sharedLayers: number;
  /** Pairs whose bytes had to be hashed. */
  contentChecks: number;
}

/** Compares two sides' files completely (compareTrees, then settleContentChecks). */
export async function compareFiles(
  signal: AbortSignal,
  left: TreeSide,
  right: TreeSide,
  hasher: ContentHasher,
  options: Omit<SettleOptions, 'diffIds'> = {},
): Promise<FileComparison> {
  const trees = compareTrees(left, right);
  const settled = await settleContentChecks(signal, trees.checks, hasher, { ...options, diffIds: { left: left.diffIds, right: right.diffIds } });
  const differences = [...trees.differences, ...settled.differences].sort(byPath);
  return { differences, errors: settled.errors, sharedLayers: trees.sharedLayers, contentChecks: trees.checks.length };
}
