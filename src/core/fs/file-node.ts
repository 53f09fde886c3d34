/**
 * The merged-filesystem tree node and read-only lookups over it.
 *
 * Trees are persistent: the tree after layer N shares every untouched subtree
 * with the tree after layer N-1 (see filesystem.ts), so nodes are read-only
 * for everyone but the builder.
 */

import type { EntryExtras, EntryFields } from '../types';
import { WalkMemo } from './walk-memo';
import { pathComponents } from './whiteout';

/**
 * One file, directory or special file of a merged filesystem. A hard link
 * carries its target's mode, owner, mtime and extras (link(2) shares the
 * inode, and extractors apply no metadata of the link member's own).
 */
export interface FileNode extends Readonly<EntryFields> {
  /** Last path component (`''` for the root). */
  readonly name: string;
  /**
   * Regular files: content size. Hard links: their target's size. Directories:
   * the sum of the sizes of every regular file and hard link beneath (apparent
   * size, each hard link counted at its target's size, like `du -l
   * --apparent-size`; a hard-linked file is therefore counted once per name).
   * Everything else: 0. (`path` is absolute, `/` for the root; `mtime` is 0
   * for implicit directories; a hard link's `linkTarget` is absolute.)
   */
  readonly size: number;
  /**
   * Owner names, device numbers and extended attributes from the writing
   * member's header (a hard link: its target's); undefined for implicit
   * directories.
   */
  readonly extras?: NodeExtras;
  /** Index of the layer that last wrote this node (created or replaced it, or updated a directory). */
  readonly layer: number;
  /**
   * Index of the writing member in that layer's entry list, or -1 for a
   * directory that no member named (an implicit parent, or the root).
   */
  readonly entryIndex: number;
  /**
   * Where this node's bytes are: the layer and the content offset in its
   * uncompressed tar. For a hard link, those of the file it links to at the
   * time it was written (a link keeps its content even if the target is
   * later deleted or replaced). -1 when there is no content.
   */
  readonly contentLayer: number;
  /** Content offset in the uncompressed tar of `contentLayer`, or -1 (see contentLayer). */
  readonly contentOffset: number;
  /** Children by name on directories; undefined on everything else. */
  readonly children?: ReadonlyMap<string, FileNode>;
}

/**
 * The header fields that only some members carry. Nodes hold the writing
 * member's TarEntry itself here, not a copy: one reference per node instead
 * of five fields (measured: 8 rather than 40 bytes more per node), and the
 * entries stay alive anyway in LayeredFilesystem.
 */
export type NodeExtras = Readonly<EntryExtras>;

/** Why a path did not resolve. */
export type ResolveErrorReason =
  /** A component does not exist. */
  | 'not-found'
  /** A non-final component is not a directory. */
  | 'not-a-directory'
  /** More than `maxLinks` symlinks were followed (ELOOP). */
  | 'loop';

/** Result of {@link resolvePath}; on failure, `path` is the absolute path where resolution stopped. */
export type ResolveResult =
  { ok: true; node: FileNode } | { ok: false; reason: ResolveErrorReason; path: string };

/** Linux's limit on symlinks followed in one lookup (MAXSYMLINKS, path_resolution(7)). */
export const MAX_SYMLINKS = 40;

/** Options for {@link resolvePath}. */
export interface ResolveOptions {
  /** Follow a symlink in the last component too (like stat, not lstat). Default true. */
  followFinal?: boolean;
  /** Most symlinks to follow before reporting a loop. Default {@link MAX_SYMLINKS}. */
  maxLinks?: number;
}

/**
 * Appends without spreading: a hostile symlink target can have more
 * components than a call may take arguments.
 */
export function pushAll<T>(into: T[], items: readonly T[]): void {
  for (const item of items) into.push(item);
}

/** Components of a path with the empty and `.` ones removed, in reverse (so `pop()` yields the next). */
export function reversedComponents(path: string): string[] {
  return pathComponents(path)
    .filter((part) => part !== '' && part !== '.')
    .reverse();
}

/**
 * Linux's PATH_MAX: symlink(2) and link(2) refuse a target this long or
 * longer (ENAMETOOLONG), and extracting a longer path fails, so such members
 * are never applied. The bound also keeps every lookup's work bounded: at
 * most MAX_SYMLINKS targets, each under PATH_MAX bytes.
 */
export const PATH_MAX = 4096;

/** One step of a path walk: a name, or a run of that many `..`. */
export type PathStep = string | number;

/** Steps of recently followed symlink targets: a layer follows the same link for every member beneath it. */
const stepsByTarget = new Map<string, readonly PathStep[]>();
const maxCachedTargets = 4096;

/**
 * The steps of a symlink target, in reverse (so `pop()` yields the next):
 * `.` and empty components dropped, and each run of `..` one number, so that
 * `../../…` costs one step however long it is.
 */
export function targetSteps(target: string): readonly PathStep[] {
  const known = stepsByTarget.get(target);
  if (known !== undefined) return known;
  const steps: PathStep[] = [];
  for (const part of pathComponents(target)) {
    if (part === '' || part === '.') continue;
    const last = steps[steps.length - 1];
    if (part !== '..') steps.push(part);
    else if (typeof last === 'number') steps[steps.length - 1] = last + 1;
    else steps.push(1);
  }
  steps.reverse();
  if (stepsByTarget.size >= maxCachedTargets) stepsByTarget.clear();
  stepsByTarget.set(target, steps);
  return steps;
}

/** Pops `count` directories off a walk's stack, never past the root. */
export function climb<T>(stack: T[], count: number): void {
  stack.length = Math.max(1, stack.length - count);
}

/**
 * Resolves an absolute (or root-relative) path in a merged tree the way the
 * kernel would inside a chroot at the image root: symlinks are followed,
 * relative targets against the symlink's directory and absolute ones against
 * the image root, and `..` at the root stays at the root, so resolution never
 * leaves the image. Hard links are nodes of their own and are returned as is.
 */
export function resolvePath(
  root: FileNode,
  path: string,
  options: ResolveOptions = {},
): ResolveResult {
  const followFinal = options.followFinal ?? true;
  const maxLinks = options.maxLinks ?? MAX_SYMLINKS;
  const components = reversedComponents(path).reverse();
  // Only the components before the last: how the last is treated depends on the call.
  const before = components.length - 1;
  const memo = walksIn(root);
  const start = memo.longestPrefix(components, Math.max(0, before));
  const usable = start !== null && start.linksFollowed <= maxLinks;
  const stack: FileNode[] = usable ? [...start.stack] : [root];
  let linksFollowed = usable ? start.linksFollowed : 0;
  const queue: PathStep[] = components.slice(usable ? start.consumed : 0).reverse();
  let inputLeft = queue.length;
  let followed = false;
  while (queue.length > 0) {
    if (followed && queue.length === inputLeft) {
      memo.record(components, components.length - inputLeft, stack, linksFollowed);
      followed = false;
    }
    if (queue.length === inputLeft) inputLeft -= 1;
    const part = queue.pop() as PathStep;
    const dir = stack[stack.length - 1];
    if (dir.type !== 'dir' || dir.children === undefined) {
      return { ok: false, reason: 'not-a-directory', path: dir.path };
    }
    if (typeof part === 'number' || part === '..') {
      climb(stack, typeof part === 'number' ? part : 1);
      continue;
    }
    const child = dir.children.get(part);
    if (child === undefined) {
      return { ok: false, reason: 'not-found', path: childPath(dir.path, part) };
    }
    const isFinal = queue.length === 0;
    if (child.type === 'symlink' && (!isFinal || followFinal)) {
      linksFollowed += 1;
      if (linksFollowed > maxLinks) return { ok: false, reason: 'loop', path: child.path };
      const target = child.linkTarget ?? '';
      if (target === '' || target.length >= PATH_MAX) return { ok: false, reason: 'not-found', path: child.path };
      if (target.startsWith('/')) stack.length = 1;
      pushAll(queue, targetSteps(target));
      followed = !isFinal;
      continue;
    }
    stack.push(child);
  }
  return { ok: true, node: stack[stack.length - 1] };
}

/**
 * Remembered walks of each finished tree: a tree is never changed once its
 * layer is applied (the next layer copies what it touches), so they stay true.
 */
const walksByRoot = new WeakMap<FileNode, WalkMemo<FileNode>>();

function walksIn(root: FileNode): WalkMemo<FileNode> {
  let memo = walksByRoot.get(root);
  if (memo === undefined) {
    memo = new WalkMemo<FileNode>();
    walksByRoot.set(root, memo);
  }
  return memo;
}

/**
 * Looks a path up without following any symlink (purely by name), or returns
 * undefined. Accepts `/a/b` and `a/b` alike; `/` and `''` give the root.
 */
export function findNode(root: FileNode, path: string): FileNode | undefined {
  let node: FileNode | undefined = root;
  for (const part of reversedComponents(path).reverse()) {
    node = node.children?.get(part);
    if (node === undefined) return undefined;
  }
  return node;
}

/** Children of a directory sorted by name (code-unit order), or `[]` for other nodes. */
export function sortedChildren(node: FileNode): FileNode[] {
  if (node.children === undefined) return [];
  return [...node.children.values()].sort((a, b) => compareNames(a.name, b.name));
}

/** Code-unit order, the order file lists and trees use. */
export function compareNames(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** Absolute path of a child named `name` in the directory at absolute path `dir`. */
export function childPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}
