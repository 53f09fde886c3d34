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
 * - members apply in tar order (the last of several members with one path
 *   wins); whiteouts and opaque markers remove only what the lower layers
 *   put there: like umoci's `upperPaths`, every path this layer wrote (and
 *   its ancestors) survives a whiteout met later in the same layer;
 * - a hard link takes its target's size, metadata and content location at
 *   the time it is met (link(2) shares the inode; umoci applies no metadata
 *   of its own to a link), and keeps them if the target later goes away.
 *
 * Trees are persistent: applying layer N copies only the directories it
 * touches, so the tree after every layer stays available at little cost.
 */

import type { TarEntry } from '../types';
import type { FileNode } from './file-node';
import { LayerApplier } from './layer-applier';
import { emptyRoot, type Node } from './writable-node';

/**
 * Applies layers one after the other and keeps the tree after each, so the
 * "merged after layer N" view is available for every N without recomputation.
 */
export class LayeredFilesystem {
  readonly #roots: Node[] = [];
  readonly #layers: TarEntry[][] = [];
  readonly #skipped: number[][] = [];

  /** Number of layers applied so far. */
  get layerCount(): number {
    return this.#roots.length;
  }

  /** Applies the next layer's members (in tar order) and returns the merged tree after it. */
  applyLayer(entries: TarEntry[]): FileNode {
    const layer = this.#roots.length;
    const previous = layer === 0 ? emptyRoot() : this.#roots[layer - 1];
    const applier = new LayerApplier(previous, layer);
    const skipped: number[] = [];
    entries.forEach((entry, index) => {
      if (entry.whiteout !== null) applier.whiteout(entry);
      else if (!applier.member(entry, index)) skipped.push(index);
    });
    const root = applier.finish();
    this.#roots.push(root);
    this.#layers.push(entries);
    this.#skipped.push(skipped);
    return root;
  }

  /** The merged tree after layer `layer` (0-based); -1 gives the empty root. */
  rootAfter(layer: number): FileNode {
    if (layer < 0) return emptyRoot();
    const root = this.#roots[Math.min(layer, this.#roots.length - 1)];
    return root ?? emptyRoot();
  }

  /**
   * Indices of the members of layer `layer` that could not be applied
   * because their path (after following symlinked parents) is longer than
   * PATH_MAX (4096), or their link target is PATH_MAX long or longer, as
   * extraction would fail on them (ENAMETOOLONG); a UI lists them as problems.
   */
  skippedEntries(layer: number): readonly number[] {
    return this.#skipped[layer] ?? [];
  }

  /** The members of layer `layer` as they were applied. */
  layerEntries(layer: number): readonly TarEntry[] {
    return this.#layers[layer] ?? [];
  }
}

/** The merged tree after applying `layers[0..upTo]` (inclusive). */
export function mergeLayers(
  layers: readonly TarEntry[][],
  upTo: number = layers.length - 1,
): FileNode {
  const filesystem = new LayeredFilesystem();
  const last = Math.min(upTo, layers.length - 1);
  for (let i = 0; i <= last; i += 1) filesystem.applyLayer(layers[i]);
  return filesystem.rootAfter(last);
}
