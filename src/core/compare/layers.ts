/**
 * Two images' layers side by side, aligned by DiffID: a layer is shared when
 * both sides have the same uncompressed tar, whatever its compression or
 * digest (gzip on one side, zstd on the other). The alignment is a longest
 * common subsequence of the DiffID lists, so the usual case (a shared base,
 * then the layers each build added) keeps the base on common rows, and a
 * layer found at another position (a step moved, a layer inserted below)
 * still lines up with itself. Between shared layers, the layers of both sides
 * sit on the same rows: that is where the two diverge.
 */

import type { LayerOutcome } from '../image/report';
import { historyForLayers } from '../image/history';
import type { ImageModel } from '../image/model';
import type { Digest, History, MediaType } from '../types';
import { alignByKey } from './sequence-diff';

/** What the comparison shows of one layer. */
export interface LayerFacts {
  /** Index in its image. */
  index: number;
  mediaType: MediaType;
  /** Digest of the stored bytes. */
  digest: Digest | null;
  /** DiffID computed by the first pass, else the config's, else null. */
  diffId: Digest | null;
  /** True when `diffId` was computed from the bytes (not only read from the config). */
  diffIdComputed: boolean;
  /** Stored bytes. */
  size: number | null;
  uncompressedSize: number | null;
  /** The history entry that made the layer. */
  history: History | null;
}

/** One row of the side-by-side layers. */
export interface LayerRow {
  /** Row number, from 0. */
  index: number;
  left: LayerFacts | null;
  right: LayerFacts | null;
  /** True when both sides are there with the same DiffID. */
  sameDiffId: boolean;
}

/** The facts of each layer of an image, from its model and the first pass's outcomes (by layer key). */
export function layerFacts(image: ImageModel, outcomes: ReadonlyMap<string, LayerOutcome>): LayerFacts[] {
  const history = historyForLayers(image.config, image.layers.length);
  return image.layers.map((layer) => {
    const outcome = outcomes.get(layer.key);
    const result = outcome !== undefined && 'result' in outcome ? outcome.result : null;
    const computed = result?.error == null ? (result?.diffId ?? null) : null;
    return {
      index: layer.index,
      mediaType: layer.mediaType,
      digest: layer.digest ?? result?.digest ?? null,
      diffId: computed ?? layer.expectedDiffId,
      diffIdComputed: computed !== null,
      size: result?.size ?? layer.size,
      uncompressedSize: result?.uncompressedSize ?? null,
      history: history[layer.index],
    };
  });
}

/**
 * Bound of the alignment's work: real images have at most a few hundred
 * layers; a hostile manifest listing thousands falls back to rows by position.
 */
const ALIGN_BUDGET = 1_000_000;

/** Aligns two images' layers by DiffID (see the file comment). */
export function alignLayers(left: readonly LayerFacts[], right: readonly LayerFacts[]): LayerRow[] {
  return alignByKey(left, right, (layer) => layer.diffId, ALIGN_BUDGET).map((row, index) => ({
    index,
    left: row.left === null ? null : left[row.left],
    right: row.right === null ? null : right[row.right],
    sameDiffId: row.same,
  }));
}
