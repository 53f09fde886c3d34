/**
 * Applies one layer's members onto the merged tree below it, copy-on-write:
 * the merge rules are described in filesystem.ts; this is their mechanics.
 */

import type { TarEntry } from '../types';
import {
  type PathStep,
  childPath,
  climb,
  reversedComponents,
  targetSteps,
  MAX_SYMLINKS,
  PATH_MAX,
  pushAll,
} from './file-node';
import { recomputeDirectorySizes } from './directory-sizes';
import { WalkMemo } from './walk-memo';
import { OWNER, WRITER, newNode, type Node } from './writable-node';
import { baseName, cleanPath, parentPath, whiteoutTarget } from './whiteout';

let nextApplierId = 1;

/** Member paths are cleaned by the tar walker; clean again only what does not look clean. */
const UNCLEAN_PATH = /(^|\/)\.{1,2}(\/|$)|\/\/|^\/|\/$/;

/** Applies one layer onto a tree; owns the nodes it copied for this layer. */
export class LayerApplier {
  /** This layer's writable copy of the root. */
  readonly root: Node;
  readonly #layer: number;
  readonly #id = nextApplierId++;
  #cachedParentPath: string | null = null;
  #cachedParent: Node | null = null;
  readonly #walks = new WalkMemo<Node>();

  constructor(previousRoot: Node, layer: number) {
    this.#layer = layer;
    this.root = this.#own(previousRoot);
  }

  /** A writable copy of `node` for this layer (the node itself if already copied). */
  #own(node: Node): Node {
    if (node[OWNER] === this.#id) return node;
    const copy: Node = { ...node };
    if (node.children !== undefined) copy.children = new Map(node.children);
    copy[OWNER] = this.#id;
    return copy;
  }

  #ownChild(dir: Node, child: Node): Node {
    const owned = this.#own(child);
    if (owned !== child) dir.children?.set(child.name, owned);
    return owned;
  }

  /**
   * The writable directory at `path`, following symlinks inside the root.
   * With `create`, what is missing is created (and what is in the way
   * replaced) and the directories on the way count as written by this layer;
   * without, null is returned instead. Null too when a directory to create
   * would have a path longer than PATH_MAX (which also bounds memory: one very
   * deep path would otherwise make O(depth²) bytes of node paths).
   */
  directory(path: string, create: boolean): Node | null {
    const components = reversedComponents(path).reverse();
    const start = this.#walks.longestPrefix(components);
    const stack: Node[] = start ? [...start.stack] : [this.root];
    let linksFollowed = start?.linksFollowed ?? 0;
    const queue: PathStep[] = components.slice(start?.consumed ?? 0).reverse();
    // Input components not yet taken from the queue; link targets are pushed above them.
    let inputLeft = queue.length;
    let followed = false;
    while (queue.length > 0) {
      if (followed && queue.length === inputLeft) {
        this.#walks.record(components, components.length - inputLeft, stack, linksFollowed);
        followed = false;
      }
      if (queue.length === inputLeft) inputLeft -= 1;
      const part = queue.pop() as PathStep;
      const dir = stack[stack.length - 1];
      const children = dir.children as Map<string, Node>;
      if (typeof part === 'number' || part === '..') {
        climb(stack, typeof part === 'number' ? part : 1);
        continue;
      }
      const child = children.get(part);
      if (child?.type === 'dir') {
        stack.push(this.#ownChild(dir, child));
        continue;
      }
      if (child?.type === 'symlink' && linksFollowed < MAX_SYMLINKS && child.linkTarget) {
        linksFollowed += 1;
        followed = true;
        if (child.linkTarget.startsWith('/')) stack.length = 1;
        pushAll(queue, targetSteps(child.linkTarget));
        continue;
      }
      const madePath = childPath(dir.path, part);
      if (!create || madePath.length > PATH_MAX) return null;
      if (child !== undefined) this.#replaced(child);
      const made = newNode(part, madePath, true, this.#layer, this.#id);
      children.set(part, made);
      stack.push(made);
    }
    if (followed) this.#walks.record(components, components.length, stack, linksFollowed);
    const found = stack[stack.length - 1];
    if (create) {
      for (const dir of stack) dir[WRITER] = this.#id;
      this.#cachedParentPath = path;
      this.#cachedParent = found;
    }
    return found;
  }

  /**
   * Something in the tree is replaced or removed. Remembered walks only stand
   * on directories and symlinks, so only those can make them wrong.
   */
  #replaced(node: Node): void {
    this.#invalidateCache();
    if (node.type === 'dir' || node.type === 'symlink') this.#walks.clear();
  }

  /**
   * The writable parent directory of a member path. Tars list a directory's
   * members together, so the last parent is remembered and reused when the
   * path starts with it (no slicing, no walk).
   */
  #parentDirectory(path: string): Node | null {
    const slash = path.lastIndexOf('/');
    const cached = this.#cachedParentPath;
    if (cached !== null && slash === cached.length && path.startsWith(cached)) {
      return this.#cachedParent;
    }
    return this.directory(slash < 0 ? '' : path.slice(0, slash), true);
  }

  #invalidateCache(): void {
    this.#cachedParentPath = null;
    this.#cachedParent = null;
  }

  /** Applies a `.wh.` or `.wh..wh..opq` member. */
  whiteout(entry: TarEntry): void {
    const target = whiteoutTarget(entry.path);
    if (target === null) return;
    this.#invalidateCache();
    if (target.kind === 'opaque') {
      const dir = this.directory(target.path, false);
      if (dir !== null) this.#removeLowerChildren(dir);
      return;
    }
    const dir = this.directory(parentPath(target.path), false);
    const name = baseName(target.path);
    const node = dir?.children?.get(name);
    if (dir === null || node === undefined) return;
    if (node[WRITER] !== this.#id) {
      dir.children?.delete(name);
      this.#replaced(node);
    } else if (node.children !== undefined) {
      this.#removeLowerChildren(this.#ownChild(dir, node));
    }
  }

  /** Removes everything beneath `top` that this layer did not write (umoci's ociWhiteout walk). */
  #removeLowerChildren(top: Node): void {
    const pending: Node[] = [top];
    while (pending.length > 0) {
      const dir = pending.pop() as Node;
      const children = dir.children as Map<string, Node>;
      for (const [name, child] of children) {
        if (child[WRITER] !== this.#id) {
          children.delete(name);
          this.#replaced(child);
        } else if (child.children !== undefined) pending.push(this.#ownChild(dir, child));
      }
    }
  }

  /**
   * Applies an ordinary member (file, directory, link, device, fifo). Returns
   * false when it cannot be applied: its path, or its link's target, is as
   * long as PATH_MAX or longer (extraction fails on it with ENAMETOOLONG).
   */
  member(entry: TarEntry, entryIndex: number): boolean {
    const path = UNCLEAN_PATH.test(entry.path) ? cleanPath(entry.path) : entry.path;
    if (path === '') {
      if (entry.type === 'dir') this.#setMetadata(this.root, entry, entryIndex);
      return true;
    }
    if (path.length > PATH_MAX) return false;
    const isLink = entry.type === 'symlink' || entry.type === 'hardlink';
    if (isLink && (entry.linkTarget ?? '').length >= PATH_MAX) return false;
    const dir = this.#parentDirectory(path);
    if (dir === null) return false;
    const children = dir.children as Map<string, Node>;
    const name = path.slice(path.lastIndexOf('/') + 1);
    const nodePath = childPath(dir.path, name);
    if (nodePath.length > PATH_MAX) return false;
    const existing = children.get(name);
    if (entry.type === 'dir' && existing?.type === 'dir') {
      const updated = this.#ownChild(dir, existing);
      this.#setMetadata(updated, entry, entryIndex);
      updated[WRITER] = this.#id;
      return true;
    }
    if (existing !== undefined) this.#replaced(existing);
    const node = newNode(name, nodePath, entry.type === 'dir', this.#layer, this.#id);
    node[WRITER] = this.#id;
    this.#setMetadata(node, entry, entryIndex);
    if (entry.type === 'file' || entry.type === 'other') {
      node.contentLayer = this.#layer;
      node.contentOffset = entry.offset;
    } else if (entry.type === 'hardlink') {
      this.#linkTo(node, entry.linkTarget ?? '');
    }
    children.set(name, node);
    return true;
  }

  #setMetadata(node: Node, entry: TarEntry, entryIndex: number): void {
    node.type = entry.type;
    node.size = entry.type === 'file' || entry.type === 'other' ? entry.size : 0;
    node.mode = entry.mode & 0o7777;
    node.uid = entry.uid;
    node.gid = entry.gid;
    node.mtime = entry.mtime;
    node.extras = entry;
    node.linkTarget = entry.type === 'symlink' ? entry.linkTarget : null;
    node.layer = this.#layer;
    node.entryIndex = entryIndex;
  }

  /** Hard links name their target by path; like link(2) the last component is not followed. */
  #linkTo(node: Node, rawTarget: string): void {
    const targetPath = cleanPath(rawTarget);
    node.linkTarget = `/${targetPath}`;
    // The parent as any lookup resolves it (remembered walks included); the last component is not followed.
    const target = this.directory(parentPath(targetPath), false)?.children?.get(baseName(targetPath));
    if (target === undefined) return;
    node.linkTarget = target.path;
    node.mode = target.mode;
    node.uid = target.uid;
    node.gid = target.gid;
    node.mtime = target.mtime;
    node.extras = target.extras;
    if (target.type === 'file' || target.type === 'hardlink' || target.type === 'other') {
      node.size = target.size;
      node.contentLayer = target.contentLayer;
      node.contentOffset = target.contentOffset;
    }
  }

  /** Recomputes directory sizes bottom-up, visiting only directories this layer copied. */
  finish(): Node {
    recomputeDirectorySizes(this.root, (dir) => dir[OWNER] === this.#id);
    return this.root;
  }
}
