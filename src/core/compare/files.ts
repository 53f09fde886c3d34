/**
 * The files of two merged filesystems compared path by path: what was
 * added, removed or changed, and what changed (type, size, mode, owner, link
 * target, content). Paths are compared by name, never by following links,
 * as `diff -r --no-dereference` walks two unpacked root filesystems.
 *
 * Fast on big images because the trees are persistent (src/core/fs): the
 * walk skips a subtree when both sides hold the very same node object (one
 * image compared with itself), and when both sides' nodes are still the
 * ones their trees had after the layers the two images share (the same
 * DiffIDs from layer 0 on build the same tree, so a subtree no later layer
 * touched on either side is equal on both). Only the directories that a
 * diverging layer touched are visited.
 *
 * Content: two regular files hold the same bytes for free when both come
 * from the same offset of layers with the same DiffID; sizes that differ
 * mean different bytes; otherwise the answer needs the bytes, and the pair
 * is returned as a content check (see content-checks.ts).
 */

import { entryFromNode, type FileListEntry } from '../fs/file-list';
import type { FileNode } from '../fs/file-node';
import type { Digest } from '../types';

/** What happened to a path, from left to right. */
export type FileChange = 'added' | 'removed' | 'changed';

/** What can differ between the two versions of a path. */
export type FileDifferenceField = 'type' | 'size' | 'mode' | 'owner' | 'linkTarget' | 'content';

/** One path that differs; `left`/`right` are its files.json entries (null where absent). */
export interface FileDifference {
  path: string;
  change: FileChange;
  left: FileListEntry | null;
  right: FileListEntry | null;
  /** For `changed`: what differs, in the order of FileDifferenceField; empty otherwise. */
  differences: FileDifferenceField[];
}

/** Two regular files of equal size whose bytes must be compared to know. */
export interface ContentCheck {
  path: string;
  left: FileNode;
  right: FileNode;
  /** The metadata differences found already (the path is changed whatever the bytes say, when not empty). */
  differences: FileDifferenceField[];
}

/** One side of a comparison: a layered filesystem and the layer to compare at. */
export interface TreeSide {
  /** The merged tree after each layer (LayeredFilesystem has this). */
  filesystem: { rootAfter(layer: number): FileNode };
  /** Layer whose merged tree is compared (usually the last). */
  layer: number;
  /** DiffIDs computed by the first pass, by layer index (null where unknown). */
  diffIds: readonly (Digest | null)[];
}

/** What {@link compareTrees} found. */
export interface TreeComparison {
  /** Known differences, sorted by path (code-unit order, as files.json). */
  differences: FileDifference[];
  /** Pairs whose content decides, sorted by path. */
  checks: ContentCheck[];
  /** Layers shared from the bottom (equal DiffIDs), up to the compared layers. */
  sharedLayers: number;
  /** Paths present on both sides that were compared field by field (skipped subtrees not counted). */
  compared: number;
}

const REGULAR = new Set(['file', 'hardlink', 'other']);

/** files.json's `type`: a member of an unknown type flag is a regular file to extractors. */
function listType(node: FileNode): string {
  return node.type === 'other' ? 'file' : node.type;
}

function listSize(node: FileNode): number {
  return node.type === 'dir' ? 0 : node.size;
}

/** Layers with equal, known DiffIDs from layer 0 on, up to both compared layers. */
export function sharedLayerCount(left: TreeSide, right: TreeSide): number {
  const limit = Math.min(left.layer, right.layer) + 1;
  let shared = 0;
  while (shared < limit && left.diffIds[shared] != null && left.diffIds[shared] === right.diffIds[shared]) shared += 1;
  return shared;
}

function metadataDifferences(left: FileNode, right: FileNode): FileDifferenceField[] {
  const out: FileDifferenceField[] = [];
  if (listType(left) !== listType(right)) out.push('type');
  if (listSize(left) !== listSize(right)) out.push('size');
  if (left.mode !== right.mode) out.push('mode');
  if (left.uid !== right.uid || left.gid !== right.gid) out.push('owner');
  if (left.linkTarget !== right.linkTarget) out.push('linkTarget');
  return out;
}

class Walk {
  readonly differences: FileDifference[] = [];
  readonly checks: ContentCheck[] = [];
  compared = 0;
  readonly #leftIds: readonly (Digest | null)[];
  readonly #rightIds: readonly (Digest | null)[];

  constructor(left: TreeSide, right: TreeSide) {
    this.#leftIds = left.diffIds;
    this.#rightIds = right.diffIds;
  }

  /** Every path of a subtree present on one side only. */
  only(node: FileNode, change: 'added' | 'removed'): void {
    const pending: FileNode[] = [node];
    while (pending.length > 0) {
      const current = pending.pop() as FileNode;
      const entry = entryFromNode(current);
      this.differences.push({ path: current.path, change, left: change === 'removed' ? entry : null, right: change === 'added' ? entry : null, differences: [] });
      if (current.children !== undefined) for (const child of current.children.values()) pending.push(child);
    }
  }

  /** Compares one path present on both sides (the nodes differ as objects). */
  pair(left: FileNode, right: FileNode): void {
    this.compared += 1;
    const differences = metadataDifferences(left, right);
    const content = this.#content(left, right);
    if (content === 'different') differences.push('content');
    if (content === 'unknown') {
      this.checks.push({ path: left.path, left, right, differences });
      return;
    }
    if (differences.length > 0) {
      this.differences.push({ path: left.path, change: 'changed', left: entryFromNode(left), right: entryFromNode(right), differences });
    }
  }

  #content(left: FileNode, right: FileNode): 'same' | 'different' | 'unknown' | null {
    if (REGULAR.has(left.type) && REGULAR.has(right.type)) {
      if (left.size !== right.size) return 'different';
      if (left.size === 0) return 'same';
      const leftId = this.#leftIds[left.contentLayer];
      if (leftId != null && leftId === this.#rightIds[right.contentLayer] && left.contentOffset === right.contentOffset) return 'same';
      return 'unknown';
    }
    if ((left.type === 'char' || left.type === 'block') && left.type === right.type) {
      const same = left.extras?.devMajor === right.extras?.devMajor && left.extras?.devMinor === right.extras?.devMinor;
      return same ? 'same' : 'different';
    }
    return null;
  }
}

interface Frame {
  left: FileNode;
  right: FileNode;
  /** The nodes at this path in each side's tree after the shared layers, when there. */
  baseLeft: FileNode | undefined;
  baseRight: FileNode | undefined;
}

/**
 * Compares the merged trees of two sides at their layers. Synchronous and
 * proportional to what differs (plus the directories on the way to it):
 * content that needs reading is returned as checks, not read.
 */
export function compareTrees(left: TreeSide, right: TreeSide): TreeComparison {
  const walk = new Walk(left, right);
  const sharedLayers = sharedLayerCount(left, right);
  const baseLeft = sharedLayers > 0 ? left.filesystem.rootAfter(sharedLayers - 1) : undefined;
  const baseRight = sharedLayers > 0 ? right.filesystem.rootAfter(sharedLayers - 1) : undefined;
  const pending: Frame[] = [{ left: left.filesystem.rootAfter(left.layer), right: right.filesystem.rootAfter(right.layer), baseLeft, baseRight }];
  while (pending.length > 0) {
    const frame = pending.pop() as Frame;
    const leftChildren = frame.left.children;
    const rightChildren = frame.right.children;
    if (leftChildren === undefined || rightChildren === undefined) continue;
    for (const [name, leftChild] of leftChildren) {
      const rightChild = rightChildren.get(name);
      if (rightChild === undefined) {
        walk.only(leftChild, 'removed');
        continue;
      }
      if (leftChild === rightChild) continue;
      const childBaseLeft = frame.baseLeft?.children?.get(name);
      const childBaseRight = frame.baseRight?.children?.get(name);
      if (childBaseLeft !== undefined && leftChild === childBaseLeft && rightChild === childBaseRight) continue;
      walk.pair(leftChild, rightChild);
      const leftIsDir = leftChild.children !== undefined;
      const rightIsDir = rightChild.children !== undefined;
      if (leftIsDir && rightIsDir) {
        pending.push({ left: leftChild, right: rightChild, baseLeft: childBaseLeft, baseRight: childBaseRight });
      } else if (leftIsDir) {
        for (const child of leftChild.children?.values() ?? []) walk.only(child, 'removed');
      } else if (rightIsDir) {
        for (const child of rightChild.children?.values() ?? []) walk.only(child, 'added');
      }
    }
    for (const [name, rightChild] of rightChildren) {
      if (!leftChildren.has(name)) walk.only(rightChild, 'added');
    }
  }
  walk.differences.sort(byPath);
  walk.checks.sort(byPath);
  return { differences: walk.differences, checks: walk.checks, sharedLayers, compared: walk.compared };
}

/** Code-unit order of paths, the order of files.json. */
export function byPath(a: { path: string }, b: { path: string }): number {
  return a.path === b.path ? 0 : a.path < b.path ? -1 : 1;
}
