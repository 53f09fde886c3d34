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

/** One path whose content is stored more often than the final filesystem shows it. */
export interface WastedPath {
  /** Absolute path as the members name it. */
  path: string;
  /** Members of regular files at this path, over all layers. */
  copies: number;
  /** Bytes of the copies that the final filesystem does not show. */
  wastedBytes: number;
  /** Layers whose copy is wasted, in order. */
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

/** `layer:offset` of every content the tree still reads. */
function keptContents(root: FileNode): Set<string> {
  const kept = new Set<string>();
  const pending: FileNode[] = [root];
  while (pending.length > 0) {
    const node = pending.pop() as FileNode;
    if (node.contentLayer >= 0 && node.contentOffset >= 0) kept.add(`${node.contentLayer}:${node.contentOffset}`);
    if (node.children) for (const child of node.children.values()) pending.push(child);
  }
  return kept;
}

/** The wasted space of all layers applied to `filesystem`, with the `limit` most wasted paths. */
export function wastedSpace(filesystem: LayeredFilesystem, limit = 100): WastedSpace {
  const last = filesystem.layerCount - 1;
  const kept = keptContents(filesystem.rootAfter(last));
  const byPath = new Map<string, WastedPath>();
  let totalBytes = 0;
  let wastedBytes = 0;
  for (let layer = 0; layer <= last; layer += 1) {
    for (const entry of filesystem.layerEntries(layer)) {
      if (entry.type !== 'file' || entry.whiteout !== null) continue;
      totalBytes += entry.size;
      const path = `/${entry.path}`;
      const record = byPath.get(path) ?? { path, copies: 0, wastedBytes: 0, layers: [], kept: false };
      record.copies += 1;
      if (kept.has(`${layer}:${entry.offset}`)) {
        record.kept = true;
      } else {
        record.wastedBytes += entry.size;
        record.layers.push(layer);
        wastedBytes += entry.size;
      }
      byPath.set(path, record);
    }
  }
  const wasted = [...byPath.values()].filter((record) => record.wastedBytes > 0);
  wasted.sort((a, b) => b.wastedBytes - a.wastedBytes || (a.path < b.path ? -1 : 1));
  return {
    totalBytes,
    wastedBytes,
    efficiency: totalBytes === 0 ? 1 : (totalBytes - wastedBytes) / totalBytes,
    paths: wasted.slice(0, limit),
    pathCount: wasted.length,
  };
}
