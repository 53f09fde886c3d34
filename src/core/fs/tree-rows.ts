/**
 * Rows of the file explorer: the direct children of one directory, either in
 * the merged filesystem after a layer or in the tree of what one layer
 * changed (layer-changes.ts). Plain objects, so they cross a worker boundary.
 */

import type { EntryFields, EntryType } from '../types';
import { type FileNode, compareNames, findNode } from './file-node';
import type { LayeredFilesystem } from './filesystem';
import { type ChangeKind, type ChangeTreeNode, changeTree, layerChanges } from './layer-changes';

/** Which tree the explorer shows. */
export type TreeView = 'merged' | 'changes';

/** Order of the rows of a directory (directories always come first). */
export type TreeSort = 'name' | 'size';

/** One row of the explorer. */
export interface TreeRow extends EntryFields<EntryType | 'whiteout' | 'opaque'> {
  name: string;
  /**
   * Regular files: content size; directories: the aggregated size of what is
   * beneath (in the changes view, of what the layer added or modified
   * beneath). `path` is absolute; `type` is `whiteout` for a deletion and
   * `opaque` for a directory made opaque (changes view only).
   */
  size: number;
  /** Layer that last wrote the path (in the changes view, the layer itself for changed paths). */
  layer: number;
  /**
   * What the chosen layer did to the path: in the changes view the change
   * itself; in the merged view `added`/`modified` when the chosen layer
   * wrote it (so the UI can filter "only what layer N changed"), else null.
   */
  change: ChangeKind | null;
  /** Direct children (merged: entries of the directory; changes: changed entries beneath, one level). */
  childCount: number;
  hasChildren: boolean;
}

/** Looks a row's change up in the merged view: did `layer` write this node, over something or not? */
function mergedChange(filesystem: LayeredFilesystem, layer: number, node: FileNode): ChangeKind | null {
  if (node.layer !== layer || node.entryIndex < 0) return null;
  return findNode(filesystem.rootAfter(layer - 1), node.path) === undefined ? 'added' : 'modified';
}

/** A merged-tree node as a row. */
export function nodeRow(filesystem: LayeredFilesystem, layer: number, node: FileNode): TreeRow {
  const childCount = node.children?.size ?? 0;
  return {
    name: node.name,
    path: node.path,
    type: node.type,
    size: node.size,
    mode: node.mode,
    uid: node.uid,
    gid: node.gid,
    mtime: node.mtime,
    linkTarget: node.linkTarget,
    layer: node.layer,
    change: mergedChange(filesystem, layer, node),
    childCount,
    hasChildren: childCount > 0,
  };
}

/** Directories first, then by name (code-unit order) or by size (largest first, ties by name). */
export function sortRows(rows: TreeRow[], sort: TreeSort): TreeRow[] {
  const isDir = (row: TreeRow): boolean => row.type === 'dir' || row.type === 'opaque';
  return rows.sort((a, b) => {
    const dirs = Number(isDir(b)) - Number(isDir(a));
    if (dirs !== 0) return dirs;
    if (sort === 'size' && a.size !== b.size) return b.size - a.size;
    return compareNames(a.name, b.name);
  });
}

/**
 * Per-filesystem explorer queries, with each layer's change tree computed
 * once on first use (layerChanges walks every member of the layer).
 */
export class TreeRows {
  readonly #filesystem: LayeredFilesystem;
  readonly #changeTrees = new Map<number, ChangeTreeNode>();

  constructor(filesystem: LayeredFilesystem) {
    this.#filesystem = filesystem;
  }

  /** Direct children of `directory` (absolute path), sorted; `[]` when it is not a directory there. */
  children(layer: number, view: TreeView, directory: string, sort: TreeSort): TreeRow[] {
    if (view === 'changes') {
      const node = this.#changeNode(layer, directory);
      const rows = [...(node?.children.values() ?? [])].map((child) => this.#changeRow(layer, child));
      return sortRows(rows, sort);
    }
    const dir = findNode(this.#filesystem.rootAfter(layer), directory);
    const rows = [...(dir?.children?.values() ?? [])].map((child) =>
      nodeRow(this.#filesystem, layer, child),
    );
    return sortRows(rows, sort);
  }

  /** The row of one path (not following symlinks), or null when the view has no such path. */
  stat(layer: number, view: TreeView, path: string): TreeRow | null {
    if (view === 'changes') {
      const node = this.#changeNode(layer, path);
      return node === undefined ? null : this.#changeRow(layer, node);
    }
    const node = findNode(this.#filesystem.rootAfter(layer), path);
    return node === undefined ? null : nodeRow(this.#filesystem, layer, node);
  }

  #changeNode(layer: number, path: string): ChangeTreeNode | undefined {
    let tree = this.#changeTrees.get(layer);
    if (tree === undefined) {
      tree = changeTree(layerChanges(this.#filesystem, layer));
      this.#changeTrees.set(layer, tree);
    }
    let node: ChangeTreeNode | undefined = tree;
    for (const part of path.split('/').filter((p) => p !== '' && p !== '.')) {
      node = node.children.get(part);
      if (node === undefined) return undefined;
    }
    return node;
  }

  /** A change-tree node as a row: metadata from the tree after the layer, or from the whiteout member. */
  #changeRow(layer: number, node: ChangeTreeNode): TreeRow {
    const change = node.change;
    const after = change?.kind === 'deleted' ? undefined : findNode(this.#filesystem.rootAfter(layer), node.path);
    const member = change === null ? undefined : this.#filesystem.layerEntries(layer)[change.entryIndex];
    const type: TreeRow['type'] =
      change?.kind === 'deleted' ? 'whiteout' : change?.kind === 'opaque' ? 'opaque' : (after?.type ?? 'dir');
    const isContainer = type === 'dir' || type === 'opaque';
    return {
      name: node.name,
      path: node.path,
      type,
      size: isContainer ? node.size : (change?.size ?? 0),
      mode: after?.mode ?? member?.mode ?? 0o755,
      uid: after?.uid ?? member?.uid ?? 0,
      gid: after?.gid ?? member?.gid ?? 0,
      mtime: after?.mtime ?? member?.mtime ?? 0,
      linkTarget: after?.linkTarget ?? null,
      layer: after?.layer ?? layer,
      change: change?.kind ?? null,
      childCount: node.children.size,
      hasChildren: node.children.size > 0,
    };
  }
}
