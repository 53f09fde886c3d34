/**
 * Reading files of a Rootfs: by path in the merged tree (symlinks followed
 * inside the image, never outside it), and the successive copies of one path
 * through the layers (for package databases, whose history says which layer
 * installed what). Every read is bounded: image bytes are hostile.
 */
import { type FileNode, resolvePath } from '../fs/file-node';
import { whiteoutTarget } from '../fs/whiteout';
import type { TarEntry } from '../types';
import type { Rootfs } from './rootfs';

/** The most bytes any analysis reads of one configuration or database file. */
export const MAX_DATABASE_BYTES = 256 * 1024 * 1024;

/** True for nodes whose bytes can be read (regular files and hard links with content). */
export function hasContent(node: FileNode): boolean {
  return (node.type === 'file' || node.type === 'hardlink') && node.contentLayer >= 0;
}

/** The regular file at `path` in the merged tree (symlinks followed), or null. */
export function lookupFile(rootfs: Rootfs, path: string): FileNode | null {
  const found = resolvePath(rootfs.root, path);
  return found.ok && hasContent(found.node) ? found.node : null;
}

/** The directory at `path` (symlinks followed), or null. */
export function lookupDirectory(rootfs: Rootfs, path: string): FileNode | null {
  const found = resolvePath(rootfs.root, path);
  return found.ok && found.node.type === 'dir' ? found.node : null;
}

/** Reads `[offset, offset + length)` of a node's content, clamped to its size. */
export async function readNode(rootfs: Rootfs, node: FileNode, offset = 0, length = node.size): Promise<Uint8Array> {
  const start = Math.min(Math.max(0, offset), node.size);
  const end = Math.min(node.size, start + Math.max(0, length));
  if (end <= start) return new Uint8Array(0);
  return rootfs.read(node.contentLayer, node.contentOffset + start, end - start);
}

/** Reads a whole file (at most `limit` bytes) by path, or null when there is no such file. */
export async function readFile(rootfs: Rootfs, path: string, limit = MAX_DATABASE_BYTES): Promise<Uint8Array | null> {
  const node = lookupFile(rootfs, path);
  return node === null ? null : readNode(rootfs, node, 0, Math.min(node.size, limit));
}

/** Decodes UTF-8 text (invalid sequences become U+FFFD). */
export function decodeText(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}

/** Reads a text file by path, or null. */
export async function readText(rootfs: Rootfs, path: string, limit = MAX_DATABASE_BYTES): Promise<string | null> {
  const bytes = await readFile(rootfs, path, limit);
  return bytes === null ? null : decodeText(bytes);
}

/** Where one copy of a file is: a layer and an offset in its uncompressed tar. */
export interface StoredCopy {
  layer: number;
  offset: number;
  size: number;
}

/** One layer's effect on a path: it wrote a new copy, or removed the path. */
export type PathChange = { layer: number; kind: 'written'; copy: StoredCopy } | { layer: number; kind: 'removed' };

function isAtOrBelow(path: string, dir: string): boolean {
  return dir === '' || path === dir || path.startsWith(`${dir}/`);
}

/**
 * How the layers up to `upTo` changed the file at layer path `path` (relative,
 * as TarEntry paths are): each layer that wrote it (its last member with that
 * path; a hard link gives its target's bytes) or removed it (a whiteout of it
 * or of an ancestor, an opaque ancestor, or a non-directory over an
 * ancestor), the layer's own copy winning over its whiteouts as the merge
 * rules say. Members are matched by their stored path, so `path` should be
 * the file's real location (its directories' symlinks resolved), the way
 * build tools store it.
 */
export function pathChanges(layers: readonly (readonly TarEntry[])[], path: string, upTo: number): PathChange[] {
  const changes: PathChange[] = [];
  const latest = new Map<string, StoredCopy>();
  for (let layer = 0; layer <= Math.min(upTo, layers.length - 1); layer += 1) {
    let written: StoredCopy | null = null;
    let removed = false;
    for (const entry of layers[layer]) {
      if (entry.whiteout !== null) {
        const target = whiteoutTarget(entry.path);
        if (target !== null && (target.kind === 'opaque' ? isAtOrBelow(path, target.path) && path !== target.path : isAtOrBelow(path, target.path))) {
          removed = true;
        }
        continue;
      }
      if (entry.type === 'file') latest.set(entry.path, { layer, offset: entry.offset, size: entry.size });
      if (entry.path === path) {
        if (entry.type === 'file') written = { layer, offset: entry.offset, size: entry.size };
        else if (entry.type === 'hardlink' && entry.linkTarget !== null) written = latest.get(entry.linkTarget) ?? null;
        else written = null;
        removed = written === null;
      } else if (entry.type !== 'dir' && path.startsWith(`${entry.path}/`)) {
        removed = true;
        written = null;
      }
    }
    if (written !== null) changes.push({ layer, kind: 'written', copy: written });
    else if (removed && changes.length > 0 && changes[changes.length - 1].kind === 'written') {
      changes.push({ layer, kind: 'removed' });
    }
  }
  return changes;
}
