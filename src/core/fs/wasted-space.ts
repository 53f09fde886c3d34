/**
 * Wasted space, as dive reports it: bytes that layers store but that the
 * final filesystem never shows, because a later layer overwrote or deleted
 * the file. A regular file's member counts as kept when some path of the
 * merged tree after the last layer still reads its bytes (a hard link keeps
 * the content of the file it linked to even after that name was replaced),
 * and as wasted otherwise. The efficiency is the kept share of every file
 * byte the layers store.
 */
import type { FileNode } from './file-node';
import type { LayeredFilesystem } from './filesystem';
import type { TarEntry } from '../types';

/** One path whose content is stored more often than the final filesystem shows it. */
export interface WastedPath {
  /** Absolute path as the members name it. */
  path: string;
  /** Members of regular files at this path, over all layers. */
  copies: number;
  /** Bytes of the copies that the final filesystem does not show. */
  wastedBytes: number;
  /** Layers with a wasted copy, in order (each once). */
  layers: number[];
  /** Whether a copy is still shown at the end (false: every copy was deleted or replaced). */
  kept: boolean;
}

/** The wasted space of an image. */
export interface WastedSpace {
  /** Bytes of every regular file member of every layer. */
  totalBytes: number;
  wastedBytes: number;
  /** (total − wasted) / total; 1 for an image without files. */
  efficiency: number;
  /** Paths with wasted bytes, most wasted first, at most `limit`. */
  paths: WastedPath[];
  /** How many paths have wasted bytes (also those beyond `limit`). */
  pathCount: number;
}

/**
 * Content offsets the tree still reads, by layer: a regular file member of
 * layer L at offset O is shown by the tree exactly when `kept[L].has(O)`.
 */
export function keptContents(root: FileNode, layerCount: number): Set<number>[] {
  const kept = Array.from({ length: layerCount }, () => new Set<number>());
  const pending: FileNode[] = [root];
  while (pending.length > 0) {
    const node = pending.pop() as FileNode;
    if (node.contentLayer >= 0 && node.contentOffset >= 0) kept[node.contentLayer]?.add(node.contentOffset);
    if (node.children) for (const child of node.children.values()) pending.push(child);
  }
  return kept;
}

const isStoredFile = (entry: TarEntry): boolean => entry.type === 'file' && entry.whiteout === null;

/** The wasted space of all layers applied to `filesystem`, with the `limit` most wasted paths. */
export function wastedSpace(filesystem: LayeredFilesystem, limit = 100): WastedSpace {
  const layerCount = filesystem.layerCount;
  const kept = keptContents(filesystem.rootAfter(layerCount - 1), layerCount);
  // Records only for paths with a wasted copy; the copies of those are counted in a second pass.
  const byPath = new Map<string, WastedPath>();
  let totalBytes = 0;
  let wastedBytes = 0;
  for (let layer = 0; layer < layerCount; layer += 1) {
    for (const entry of filesystem.layerEntries(layer)) {
      if (!isStoredFile(entry)) continue;
      totalBytes += entry.size;
      if (kept[layer].has(entry.offset) || entry.size === 0) continue;
      wastedBytes += entry.size;
      const path = `/${entry.path}`;
      const record = byPath.get(path) ?? { path, copies: 0, wastedBytes: 0, layers: [], kept: false };
      record.wastedBytes += entry.size;
      if (record.layers.at(-1) !== layer) record.layers.push(layer);
      byPath.set(path, record);
    }
  }
  for (let layer = 0; layer < layerCount; layer += 1) {
    for (const entry of filesystem.layerEntries(layer)) {
      const record = isStoredFile(entry) ? byPath.get(`/${entry.path}`) : undefined;
      if (record === undefined) continue;
      record.copies += 1;
      if (kept[layer].has(entry.offset)) record.kept = true;
    }
  }
  const wasted = [...byPath.values()];
  wasted.sort((a, b) => b.wastedBytes - a.wastedBytes || (a.path < b.path ? -1 : 1));
  return {
    totalBytes,
    wastedBytes,
    efficiency: totalBytes === 0 ? 1 : (totalBytes - wastedBytes) / totalBytes,
    paths: wasted.slice(0, limit),
    pathCount: wasted.length,
  };
}
