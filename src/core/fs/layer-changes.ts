/**
 * What one layer changed: each member classified against the merged
 * filesystem below it (the tree after layer N-1), in the vocabulary of
 * go-containerregistry and `docker diff` (added / modified / deleted), plus
 * opaque directories (image-spec layer.md, "Opaque Whiteout").
 */

import type { EntryType, TarEntry } from '../types';
import { type FileNode, childPath, compareNames, resolvePath } from './file-node';
import type { LayeredFilesystem } from './filesystem';
import { absolutePath, whiteoutTarget } from './whiteout';

/** How a member changed the filesystem below it. */
export type ChangeKind = 'added' | 'modified' | 'deleted' | 'opaque';

/** One change made by a layer. */
export interface FileChange {
  kind: ChangeKind;
  /** Absolute path changed: the member's path, the path a whiteout deletes, or the opaque directory. */
  path: string;
  /** Index of the member in the layer's entry list. */
  entryIndex: number;
  /** Type after the change (added/modified; for opaque, `dir`), or of what was deleted. */
  type: EntryType;
  /**
   * added/modified: the new content size (a hard link's target's size, 0 for
   * directories and specials); deleted: the size of what was removed (a
   * directory's total); opaque: the total size of the hidden lower contents.
   */
  size: number;
  /** Type before the change, or null when nothing was there. */
  previousType: EntryType | null;
  /** Size before the change (0 when nothing was there). */
  previousSize: number;
  /** For deleted and opaque: whether the lower layers had anything to remove or hide. */
  existed: boolean;
  /** For opaque: how many lower children it hides. 0 otherwise. */
  hiddenCount: number;
}

/**
 * The changes layer `layer` of `filesystem` made, sorted by path (code-unit
 * order; a deleted path sorts like any other). Members overwritten later in
 * the same layer are left out: the last member with a path is the change.
 * A layer's own implicit parent directories are not members and are not listed.
 */
export function layerChanges(filesystem: LayeredFilesystem, layer: number): FileChange[] {
  const before = filesystem.rootAfter(layer - 1);
  const after = filesystem.rootAfter(layer);
  const changes: FileChange[] = [];
  filesystem.layerEntries(layer).forEach((entry, entryIndex) => {
    const change =
      entry.whiteout === null
        ? memberChange(before, after, layer, entry, entryIndex)
        : whiteoutChange(before, entry, entryIndex);
    if (change !== null) changes.push(change);
  });
  return changes.sort((a, b) => compareNames(a.path, b.path));
}

function memberChange(
  before: FileNode,
  after: FileNode,
  layer: number,
  entry: TarEntry,
  entryIndex: number,
): FileChange | null {
  if (entry.path === '') return null;
  const written = resolvePath(after, entry.path, { followFinal: false });
  if (!written.ok || written.node.layer !== layer || written.node.entryIndex !== entryIndex) {
    return null;
  }
  const node = written.node;
  const previous = resolvePath(before, node.path, { followFinal: false });
  const old = previous.ok ? previous.node : null;
  return {
    kind: old === null ? 'added' : 'modified',
    path: node.path,
    entryIndex,
    type: node.type,
    size: node.type === 'dir' ? 0 : node.size,
    previousType: old?.type ?? null,
    previousSize: old?.size ?? 0,
    existed: old !== null,
    hiddenCount: 0,
  };
}

function whiteoutChange(before: FileNode, entry: TarEntry, entryIndex: number): FileChange | null {
  const target = whiteoutTarget(entry.path);
  if (target === null) return null;
  const found = resolvePath(before, target.path, { followFinal: false });
  const old = found.ok ? found.node : null;
  if (target.kind === 'whiteout') {
    return {
      kind: 'deleted',
      path: old?.path ?? absolutePath(target.path),
      entryIndex,
      type: old?.type ?? 'file',
      size: old?.size ?? 0,
      previousType: old?.type ?? null,
      previousSize: old?.size ?? 0,
      existed: old !== null,
      hiddenCount: 0,
    };
  }
  const hiddenCount = old?.children?.size ?? 0;
  return {
    kind: 'opaque',
    path: old?.path ?? absolutePath(target.path),
    entryIndex,
    type: 'dir',
    size: hiddenCount > 0 ? (old?.size ?? 0) : 0,
    previousType: old?.type ?? null,
    previousSize: old?.size ?? 0,
    existed: hiddenCount > 0,
    hiddenCount,
  };
}

/** A node of the tree form of a layer's changes (for a tree view). */
export interface ChangeTreeNode {
  name: string;
  /** Absolute path. */
  path: string;
  /** The change at this path, or null for a directory that only contains changes. */
  change: FileChange | null;
  /** Sum of `size` of the added and modified entries at or beneath this node. */
  size: number;
  /** Number of changes at or beneath this node. */
  count: number;
  children: Map<string, ChangeTreeNode>;
}

/** Builds the tree form of a change list, with sizes and counts summed up the tree. */
export function changeTree(changes: readonly FileChange[]): ChangeTreeNode {
  const root: ChangeTreeNode = {
    name: '',
    path: '/',
    change: null,
    size: 0,
    count: 0,
    children: new Map(),
  };
  for (const change of changes) {
    let node = root;
    const grown = change.kind === 'added' || change.kind === 'modified' ? change.size : 0;
    node.size += grown;
    node.count += 1;
    for (const part of change.path.split('/').filter((p) => p !== '')) {
      let child = node.children.get(part);
      if (child === undefined) {
        child = {
          name: part,
          path: childPath(node.path, part),
          change: null,
          size: 0,
          count: 0,
          children: new Map(),
        };
        node.children.set(part, child);
      }
      child.size += grown;
      child.count += 1;
      node = child;
    }
    node.change = change;
  }
  return root;
}
