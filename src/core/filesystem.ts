/**
 * The merged filesystem of an image: layers applied in order, with the
 * semantics of `umoci unpack` and go-containerregistry's `mutate.Extract`
 * (https://github.com/opencontainers/image-spec/blob/main/layer.md#applying-changesets):
 *
 * - a later member replaces whatever was at its path; a non-directory over a
 *   directory removes the whole subtree, a directory over a non-directory
 *   replaces it, a directory over a directory only updates its metadata;
 * - parents that no member names are created (mode 0755, owner 0:0), and a
 *   non-directory in the way of a parent is replaced by a directory;
 * - a symlink met as a parent component is followed inside the image root
 *   (as umoci's securejoin does), so `lib/x` under `lib -> usr/lib` lands in
 *   `usr/lib/x`; a symlink loop there is replaced by a directory;
 * - whiteouts and opaque markers of a layer apply to the lower layers only:
 *   they are applied first, then the layer's other members, in tar order
 *   (the last of several members with one path wins);
 * - a hard link takes its target's size and content location at the time it
 *   is written, and keeps them if the target later goes away.
 *
 * Trees are persistent: applying layer N copies only the directories it
 * touches, so the tree after every layer stays available at little cost.
 */

import type { TarEntry } from './types';
import { type FileNode, childPath, resolvePath, reversedComponents, MAX_SYMLINKS } from './file-node';
import { baseName, cleanPath, parentPath, whiteoutTarget } from './whiteout';

/** The builder's writable view of a node (nodes are shared read-only once a layer is done). */
type Node = { -readonly [K in keyof FileNode]: FileNode[K] } & { children?: Map<string, Node> };

function emptyRoot(): Node {
  return implicitDir('', '/', -1);
}

function implicitDir(name: string, path: string, layer: number): Node {
  return {
    name,
    path,
    type: 'dir',
    size: 0,
    mode: 0o755,
    uid: 0,
    gid: 0,
    mtime: 0,
    linkTarget: null,
    layer,
    entryIndex: -1,
    contentLayer: -1,
    contentOffset: -1,
    children: new Map(),
  };
}

/** Applies one layer onto a tree; owns the nodes it copied for this layer. */
class LayerApplier {
  readonly root: Node;
  readonly #layer: number;
  readonly #owned = new Set<Node>();
  #cachedParentPath: string | null = null;
  #cachedParent: Node | null = null;

  constructor(previousRoot: Node, layer: number) {
    this.#layer = layer;
    this.root = this.#own(previousRoot);
  }

  /** A writable copy of `node` for this layer (the node itself if already copied). */
  #own(node: Node): Node {
    if (this.#owned.has(node)) return node;
    const copy: Node = { ...node };
    if (node.children !== undefined) copy.children = new Map(node.children);
    this.#owned.add(copy);
    return copy;
  }

  #ownChild(dir: Node, child: Node): Node {
    const owned = this.#own(child);
    if (owned !== child) (dir.children as Map<string, Node>).set(child.name, owned);
    return owned;
  }

  /**
   * The writable directory at `path`, creating what is missing and following
   * symlinks inside the root. With `create` false, returns null instead of
   * creating or replacing anything.
   */
  directory(path: string, create: boolean): Node | null {
    if (create && path === this.#cachedParentPath && this.#cachedParent !== null) {
      return this.#cachedParent;
    }
    const stack: Node[] = [this.root];
    const queue = reversedComponents(path);
    let linksFollowed = 0;
    while (queue.length > 0) {
      const part = queue.pop() as string;
      const dir = stack[stack.length - 1];
      const children = dir.children as Map<string, Node>;
      if (part === '..') {
        if (stack.length > 1) stack.pop();
        continue;
      }
      const child = children.get(part);
      if (child?.type === 'dir') {
        stack.push(this.#ownChild(dir, child));
        continue;
      }
      if (child?.type === 'symlink' && linksFollowed < MAX_SYMLINKS && child.linkTarget) {
        linksFollowed += 1;
        if (child.linkTarget.startsWith('/')) stack.length = 1;
        queue.push(...reversedComponents(child.linkTarget));
        continue;
      }
      if (!create) return null;
      if (child !== undefined) this.#invalidateCache();
      const made = implicitDir(part, childPath(dir.path, part), this.#layer);
      this.#owned.add(made);
      children.set(part, made);
      stack.push(made);
    }
    const found = stack[stack.length - 1];
    if (create) {
      this.#cachedParentPath = path;
      this.#cachedParent = found;
    }
    return found;
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
      const dir = this.directory(target.path, true) as Node;
      (dir.children as Map<string, Node>).clear();
      return;
    }
    const dir = this.directory(parentPath(target.path), false);
    dir?.children?.delete(baseName(target.path));
  }

  /** Applies an ordinary member (file, directory, link, device, fifo). */
  member(entry: TarEntry, entryIndex: number): void {
    const path = cleanPath(entry.path);
    if (path === '') {
      if (entry.type === 'dir') this.#setMetadata(this.root, entry, entryIndex);
      return;
    }
    const dir = this.directory(parentPath(path), true) as Node;
    const children = dir.children as Map<string, Node>;
    const name = baseName(path);
    const existing = children.get(name);
    if (entry.type === 'dir' && existing?.type === 'dir') {
      this.#setMetadata(this.#ownChild(dir, existing), entry, entryIndex);
      return;
    }
    if (existing !== undefined) this.#invalidateCache();
    const node: Node = {
      ...implicitDir(name, childPath(dir.path, name), this.#layer),
      children: entry.type === 'dir' ? new Map() : undefined,
    };
    this.#setMetadata(node, entry, entryIndex);
    if (entry.type === 'file' || entry.type === 'other') {
      node.contentLayer = this.#layer;
      node.contentOffset = entry.offset;
    } else if (entry.type === 'hardlink') {
      this.#linkTo(node, entry.linkTarget ?? '');
    }
    this.#owned.add(node);
    children.set(name, node);
  }

  #setMetadata(node: Node, entry: TarEntry, entryIndex: number): void {
    node.type = entry.type;
    node.size = entry.type === 'file' || entry.type === 'other' ? entry.size : 0;
    node.mode = entry.mode & 0o7777;
    node.uid = entry.uid;
    node.gid = entry.gid;
    node.mtime = entry.mtime;
    node.linkTarget = entry.type === 'symlink' ? entry.linkTarget : null;
    node.layer = this.#layer;
    node.entryIndex = entryIndex;
  }

  /** Hard links name their target by path; like link(2) the last component is not followed. */
  #linkTo(node: Node, rawTarget: string): void {
    const targetPath = cleanPath(rawTarget);
    node.linkTarget = `/${targetPath}`;
    const found = resolvePath(this.root, targetPath, { followFinal: false });
    if (!found.ok) return;
    const target = found.node;
    node.linkTarget = target.path;
    if (target.type === 'file' || target.type === 'hardlink' || target.type === 'other') {
      node.size = target.size;
      node.contentLayer = target.contentLayer;
      node.contentOffset = target.contentOffset;
    }
  }

  /** Recomputes directory sizes bottom-up, visiting only directories this layer copied. */
  finish(): Node {
    const order: Node[] = [];
    const pending: Node[] = [this.root];
    while (pending.length > 0) {
      const dir = pending.pop() as Node;
      order.push(dir);
      for (const child of (dir.children as Map<string, Node>).values()) {
        if (child.children !== undefined && this.#owned.has(child)) pending.push(child);
      }
    }
    for (let i = order.length - 1; i >= 0; i -= 1) {
      let total = 0;
      for (const child of (order[i].children as Map<string, Node>).values()) {
        if (child.type === 'dir' || child.type === 'file' || child.type === 'hardlink' || child.type === 'other') {
          total += child.size;
        }
      }
      order[i].size = total;
    }
    this.#owned.clear();
    return this.root;
  }
}

/**
 * Applies layers one after the other and keeps the tree after each, so the
 * "merged after layer N" view is available for every N without recomputation.
 */
export class LayeredFilesystem {
  readonly #roots: Node[] = [];
  readonly #layers: TarEntry[][] = [];

  /** Number of layers applied so far. */
  get layerCount(): number {
    return this.#roots.length;
  }

  /** Applies the next layer's members (in tar order) and returns the merged tree after it. */
  applyLayer(entries: TarEntry[]): FileNode {
    const layer = this.#roots.length;
    const previous = layer === 0 ? emptyRoot() : this.#roots[layer - 1];
    const applier = new LayerApplier(previous, layer);
    for (const entry of entries) {
      if (entry.whiteout !== null) applier.whiteout(entry);
    }
    entries.forEach((entry, index) => {
      if (entry.whiteout === null) applier.member(entry, index);
    });
    const root = applier.finish();
    this.#roots.push(root);
    this.#layers.push(entries);
    return root;
  }

  /** The merged tree after layer `layer` (0-based); -1 gives the empty root. */
  rootAfter(layer: number): FileNode {
    if (layer < 0) return emptyRoot();
    const root = this.#roots[Math.min(layer, this.#roots.length - 1)];
    return root ?? emptyRoot();
  }

  /** The members of layer `layer` as they were applied. */
  layerEntries(layer: number): readonly TarEntry[] {
    return this.#layers[layer] ?? [];
  }
}

/** The merged tree after applying `layers[0..upTo]` (inclusive). */
export function mergeLayers(layers: readonly TarEntry[][], upTo: number = layers.length - 1): FileNode {
  const filesystem = new LayeredFilesystem();
  const last = Math.min(upTo, layers.length - 1);
  for (let i = 0; i <= last; i += 1) filesystem.applyLayer(layers[i]);
  return filesystem.rootAfter(last);
}
