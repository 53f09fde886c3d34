/**
 * The file differences of a comparison as a tree, for the comparison view's
 * explorer: the direct children of one directory at a time (as the file
 * explorer asks for them, tree-rows.ts), each with its own change and the
 * number of changes beneath it, filterable by kind of change. Paths still
 * waiting for their content check show as `checking`. Plain rows, so they
 * cross a worker boundary.
 */

import type { FileListEntry } from '../fs/file-list';
import { entryFromNode } from '../fs/file-list';
import { childPath, compareNames } from '../fs/file-node';
import type { ContentCheck, FileChange, FileDifference, FileDifferenceField } from './files';

/** A path's state in the tree: its change, `checking` while its content is being compared. */
export type DifferenceState = FileChange | 'checking';

/** Changes beneath a directory, by kind. */
export type DifferenceCounts = Record<DifferenceState, number>;

/** One row of the comparison explorer. */
export interface DifferenceRow {
  name: string;
  path: string;
  /** The path's own change; null for a directory that is only on the way to changes. */
  change: DifferenceState | null;
  differences: FileDifferenceField[];
  /** True while its content is being compared (a path whose metadata changed is `changed` meanwhile). */
  contentPending: boolean;
  left: FileListEntry | null;
  right: FileListEntry | null;
  /** Changes beneath the row (itself not counted), of the kinds the filter keeps. */
  beneath: DifferenceCounts;
  /** True when rows are beneath it (with the filter applied). */
  hasChildren: boolean;
}

interface TreeNode {
  name: string;
  path: string;
  change: DifferenceState | null;
  differences: FileDifferenceField[];
  contentPending: boolean;
  left: FileListEntry | null;
  right: FileListEntry | null;
  beneath: DifferenceCounts;
  children: Map<string, TreeNode>;
}

const ALL: readonly FileChange[] = ['added', 'removed', 'changed'];

function emptyCounts(): DifferenceCounts {
  return { added: 0, removed: 0, changed: 0, checking: 0 };
}

/** A checking path is kept by the filter when changed paths are. */
function kept(state: DifferenceState, filter: readonly FileChange[]): boolean {
  return filter.includes(state === 'checking' ? 'changed' : state);
}

/** The differences (and the pending content checks) of a comparison, as a tree. */
export class DifferenceTree {
  readonly #root: TreeNode = { name: '', path: '/', change: null, differences: [], contentPending: false, left: null, right: null, beneath: emptyCounts(), children: new Map() };

  constructor(differences: readonly FileDifference[], checking: readonly ContentCheck[] = []) {
    for (const item of differences) this.#add(item.path, item.change, item.differences, item.left, item.right, false);
    for (const check of checking) {
      const state = check.differences.length > 0 ? 'changed' : 'checking';
      this.#add(check.path, state, check.differences, entryFromNode(check.left), entryFromNode(check.right), true);
    }
  }

  #add(path: string, change: DifferenceState, differences: FileDifferenceField[], left: FileListEntry | null, right: FileListEntry | null, contentPending: boolean): void {
    let node = this.#root;
    for (const name of path.split('/').filter((part) => part !== '')) {
      node.beneath[change] += 1;
      let child = node.children.get(name);
      if (child === undefined) {
        child = { name, path: childPath(node.path, name), change: null, differences: [], contentPending: false, left: null, right: null, beneath: emptyCounts(), children: new Map() };
        node.children.set(name, child);
      }
      node = child;
    }
    Object.assign(node, { change, differences, contentPending, left, right });
  }

  /** Changes in the whole comparison, by kind. */
  get counts(): DifferenceCounts {
    return { ...this.#root.beneath };
  }

  /**
   * The rows directly in `directory` (absolute path) that the filter keeps
   * (a row is kept when its own change is, or a change beneath it is),
   * directories first, then by name; `[]` for a path not in the tree.
   */
  children(directory: string, filter: readonly FileChange[] = ALL): DifferenceRow[] {
    let node: TreeNode | undefined = this.#root;
    for (const name of directory.split('/').filter((part) => part !== '')) {
      node = node.children.get(name);
      if (node === undefined) return [];
    }
    const rows: DifferenceRow[] = [];
    for (const child of node.children.values()) {
      const beneath = emptyCounts();
      for (const state of ['added', 'removed', 'changed', 'checking'] as const) if (kept(state, filter)) beneath[state] = child.beneath[state];
      const below = beneath.added + beneath.removed + beneath.changed + beneath.checking;
      if (below === 0 && (child.change === null || !kept(child.change, filter))) continue;
      const { name, path, change, differences, contentPending, left, right } = child;
      rows.push({ name, path, change, differences, contentPending, left, right, beneath, hasChildren: below > 0 });
    }
    const isDir = (row: DifferenceRow): boolean => row.hasChildren || row.left?.type === 'dir' || row.right?.type === 'dir';
    return rows.sort((a, b) => Number(isDir(b)) - Number(isDir(a)) || compareNames(a.name, b.name));
  }
}
