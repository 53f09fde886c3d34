/**
 * dive's numbers, computed the way dive computes them, for people who move
 * from `dive --ci` and want to compare (dive's dive/filetree/efficiency.go,
 * file_tree.go and dive/image/image.go):
 *
 * - Each layer is a tree of its members' paths. Every leaf of a layer's tree
 *   (a node with no children in that layer) is one copy of its path, sized
 *   by its tar header (hard links and symlinks 0). A whiteout `.wh.x` is a
 *   copy of `x` sized by what it deleted when that was a directory, and 0
 *   when it was a file. `.wh..wh..opq` markers are dropped, so what an
 *   opaque directory hides is never counted.
 * - `score` = Σ over paths of the smallest copy ÷ Σ of all copies: a path
 *   written twice counts its smaller copy as needed, not the one shown.
 * - `wastedBytes` = Σ of all copies of every path with two or more copies:
 *   the copy that stays counts too (dive's issue #684: a 10 MB file
 *   overwritten once is 20 MB wasted).
 * - `userWastedPercent` = wastedBytes ÷ the header sizes of every layer but
 *   the first (a ratio, despite the name); null where dive divides by zero.
 *
 * To size a deleted directory dive stacks the lower layers with its own
 * rules (a later member replaces a node's header but keeps its children; an
 * implicit parent's empty header replaces the lower directory's), and when a
 * whiteout names nothing there it stops counting the rest of that layer.
 * Both are reproduced, because they change dive's figures.
 */
import { compareNames } from '../fs/file-node';
import type { TarEntry } from '../types';

/** dive's efficiency figures (its meanings, not Tarsier's: see efficiency.ts). */
export interface DiveEfficiency {
  score: number;
  wastedBytes: number;
  /** wastedBytes / userSizeBytes, or null when userSizeBytes is 0. */
  userWastedPercent: number | null;
  /** Σ of every member's header size over all layers (dive's image size). */
  sizeBytes: number;
  /** The same without the first layer. */
  userSizeBytes: number;
}

const WHITEOUT_PREFIX = '.wh.';
const DOUBLE_WHITEOUT_PREFIX = '.wh..wh..';

/** A node of dive's per-layer tree: a header (size, directory or not) and children. */
interface DiveNode {
  children: Map<string, DiveNode>;
  size: number;
  isDir: boolean;
}

const newNode = (): DiveNode => ({ children: new Map(), size: 0, isDir: false });

const components = (path: string): string[] => path.split('/').filter((name) => name !== '');

/** dive's FileTree.AddPath: missing parents get an empty header; `.wh..wh..*` names are not added. */
function addPath(root: DiveNode, path: string, size: number, isDir: boolean): void {
  const names = components(path);
  let node = root;
  for (const name of names) {
    let child = node.children.get(name);
    if (child === undefined) {
      if (name.startsWith(DOUBLE_WHITEOUT_PREFIX)) return;
      child = newNode();
      node.children.set(name, child);
    }
    node = child;
  }
  if (names.length === 0) return;
  node.size = size;
  node.isDir = isDir;
}

function getNode(root: DiveNode, path: string): DiveNode | undefined {
  let node: DiveNode | undefined = root;
  for (const name of components(path)) {
    node = node.children.get(name);
    if (node === undefined) return undefined;
  }
  return node;
}

function removePath(root: DiveNode, path: string): void {
  const names = components(path);
  const last = names.pop();
  if (last === undefined) return;
  getNode(root, names.join('/'))?.children.delete(last);
}

function copyTree(node: DiveNode): DiveNode {
  const copy: DiveNode = { children: new Map(), size: node.size, isDir: node.isDir };
  const pending: [DiveNode, DiveNode][] = [[node, copy]];
  while (pending.length > 0) {
    const [from, to] = pending.pop() as [DiveNode, DiveNode];
    for (const [name, child] of from.children) {
      const made: DiveNode = { children: new Map(), size: child.size, isDir: child.isDir };
      to.children.set(name, made);
      pending.push([child, made]);
    }
  }
  return copy;
}

/** A node met by {@link visitChildFirst}, with its path as dive's FileNode.Path() gives it. */
interface Visit {
  node: DiveNode;
  name: string;
  /** Absolute path; a whiteout's own `.wh.` prefix stripped (not its parents'). */
  path: string;
}

/**
 * dive's VisitDepthChildFirst: children before their parent, the root never;
 * in sorted name order when `sorted` (the order matters only where a visit
 * can stop the walk). Iterative: a hostile path can be thousands deep.
 * `visit` returning false stops the walk (dive's visitor returning an error).
 */
function visitChildFirst(root: DiveNode, visit: (visit: Visit) => boolean, sorted = true): void {
  type Frame = { node: DiveNode; name: string; path: string; children: [string, DiveNode][] | null; next: number };
  const frame = (node: DiveNode, name: string, parentPath: string): Frame => ({
    node,
    name,
    path: parentPath === '/' ? `/${name}` : `${parentPath}/${name}`,
    children: null,
    next: 0,
  });
  const stack: Frame[] = [{ node: root, name: '', path: '/', children: null, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.children === null) {
      top.children = [...top.node.children];
      if (sorted) top.children.sort(([a], [b]) => compareNames(a, b));
    }
    if (top.next < top.children.length) {
      const [name, child] = top.children[top.next];
      top.next += 1;
      stack.push(frame(child, name, top.path));
      continue;
    }
    stack.pop();
    if (stack.length === 0) return;
    const stripped = top.name.startsWith(WHITEOUT_PREFIX) ? top.name.slice(WHITEOUT_PREFIX.length) : top.name;
    const path = top.path.slice(0, top.path.length - top.name.length) + stripped;
    if (!visit({ node: top.node, name: top.name, path })) return;
  }
}

/** dive's FileTree.Stack: whiteouts remove, every other node (parents too) is added with its header. */
function stack(lower: DiveNode, upper: DiveNode): void {
  visitChildFirst(upper, ({ node, name, path }) => {
    if (name.startsWith(WHITEOUT_PREFIX)) removePath(lower, path);
    else addPath(lower, path, node.size, node.isDir);
    return true;
  });
}

/** True when a layer has a member dive takes for a whiteout (`.wh..wh..*` markers do not count: dive drops them). */
function hasWhiteout(entries: readonly TarEntry[]): boolean {
  return entries.some((entry) => {
    const name = entry.path.slice(entry.path.lastIndexOf('/') + 1);
    return name.startsWith(WHITEOUT_PREFIX) && !name.startsWith(DOUBLE_WHITEOUT_PREFIX);
  });
}

/** The sum of the header sizes of a node and everything beneath it. */
function subtreeSize(node: DiveNode): number {
  let total = 0;
  const pending = [node];
  while (pending.length > 0) {
    const next = pending.pop() as DiveNode;
    total += next.size;
    for (const child of next.children.values()) pending.push(child);
  }
  return total;
}

/** What dive's StackTreeRange(trees, 0, current − 1) gives, built up layer by layer. */
class LowerLayers {
  readonly #trees: readonly DiveNode[];
  #tree: DiveNode | null = null;
  #stackedUpTo = -1;

  constructor(trees: readonly DiveNode[]) {
    this.#trees = trees;
  }

  /** Built on first use: only a whiteout needs it. */
  below(current: number): DiveNode {
    // dive copies the first tree and then stacks the range onto it, the first tree again included.
    this.#tree ??= copyTree(this.#trees[0]);
    while (this.#stackedUpTo < current - 1) {
      this.#stackedUpTo += 1;
      stack(this.#tree, this.#trees[this.#stackedUpTo]);
    }
    return this.#tree;
  }
}

/** dive's efficiency, wasted bytes and user wasted percent for an image's layers, in order. */
export function diveEfficiency(layers: readonly (readonly TarEntry[])[]): DiveEfficiency {
  const trees = layers.map((entries) => {
    const root = newNode();
    for (const entry of entries) addPath(root, entry.path, entry.size, entry.type === 'dir');
    return root;
  });
  const layerSizes = layers.map((entries) => entries.reduce((sum, entry) => sum + entry.size, 0));
  const copies = new Map<string, { cumulative: number; smallest: number; count: number }>();
  const lower = trees.length > 0 ? new LowerLayers(trees) : null;
  trees.forEach((tree, current) => {
    const sorted = hasWhiteout(layers[current]);
    visitChildFirst(tree, ({ node, name, path }) => {
      if (node.children.size > 0) return true;
      let size = node.size;
      if (name.startsWith(WHITEOUT_PREFIX)) {
        const previous = getNode((lower as LowerLayers).below(current), path);
        if (previous === undefined) return false;
        size = previous.isDir ? subtreeSize(previous) : 0;
      }
      const record = copies.get(path);
      if (record === undefined) copies.set(path, { cumulative: size, smallest: size, count: 1 });
      else {
        record.cumulative += size;
        record.smallest = Math.min(record.smallest, size);
        record.count += 1;
      }
      return true;
    }, sorted);
  });
  let smallestTotal = 0;
  let cumulativeTotal = 0;
  let wastedBytes = 0;
  for (const record of copies.values()) {
    smallestTotal += record.smallest;
    cumulativeTotal += record.cumulative;
    if (record.count >= 2) wastedBytes += record.cumulative;
  }
  const sizeBytes = layerSizes.reduce((sum, size) => sum + size, 0);
  const userSizeBytes = sizeBytes - (layerSizes[0] ?? 0);
  return {
    score: cumulativeTotal === 0 ? 1 : smallestTotal / cumulativeTotal,
    wastedBytes,
    userWastedPercent: userSizeBytes === 0 ? null : wastedBytes / userSizeBytes,
    sizeBytes,
    userSizeBytes,
  };
}
