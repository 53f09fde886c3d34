/**
 * View model of the layers table: layers in manifest order with the history
 * line that made each, and `empty_layer` history lines (ENV, CMD…) between
 * them, plus the digest/DiffID checks of a finished layer.
 */
import { alignHistory } from '../core/image/history';
import type { ImageModel, LayerModel } from '../core/image/model';
import type { BlobResult, History, VerifyState } from '../core/types';

/** One row of the layers table. */
export type LayerRow =
  | { kind: 'layer'; layer: LayerModel; history: History | null }
  | { kind: 'history'; entry: History; index: number };

/** Layers interleaved with the history entries that made no layer, in build order. */
export function layerRows(image: ImageModel): LayerRow[] {
  const layers = image.layers;
  const rows: LayerRow[] = [];
  let nextLayer = 0;
  for (const row of alignHistory(image.config, layers.length)) {
    if (row.layerIndex === null) {
      rows.push({ kind: 'history', entry: row.entry, index: row.index });
    } else {
      rows.push({ kind: 'layer', layer: layers[row.layerIndex], history: row.entry });
      nextLayer = row.layerIndex + 1;
    }
  }
  // Layers the history does not account for (no history, or too few entries).
  for (let i = nextLayer; i < layers.length; i++) rows.push({ kind: 'layer', layer: layers[i], history: null });
  return rows;
}

function compare(expected: string | null, computed: string | null): VerifyState {
  if (!expected || !computed || !expected.startsWith('sha256:')) return 'unchecked';
  return expected === computed ? 'ok' : 'mismatch';
}

/** Digest (stored bytes vs descriptor or file name) and DiffID (uncompressed vs config) checks. */
export function layerVerification(
  layer: LayerModel,
  result: BlobResult,
): { digest: VerifyState; diffId: VerifyState } {
  return {
    digest: compare(layer.digest, result.digest),
    diffId: compare(layer.expectedDiffId, result.diffId),
  };
}

/** `created_by` without the `/bin/sh -c #(nop) ` noise that classic builders prepend. */
export function createdByText(entry: History | null): string {
  const text = entry?.created_by ?? entry?.comment ?? '';
  return text.replace(/^\/bin\/sh -c #\(nop\)\s+/, '').replace(/^\/bin\/sh -c /, 'RUN ');
}
