/**
 * View models of an image's layers and history: the layers table (layers in
 * manifest order with the history line that made each, and `empty_layer`
 * history lines such as ENV or CMD between them, plus the digest/DiffID
 * checks of a finished layer), the History view's rows, and the layer picker
 * of the Files view.
 */
import { alignHistory, historyForLayers, type HistoryRow } from '../core/image/history';
import type { ImageModel, LayerModel } from '../core/image/model';
import type { BlobResult, History, VerifyState } from '../core/types';

export type { HistoryRow };

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

/** Every history entry of the config, each with the layer it made (null for `empty_layer` lines). */
export function historyRows(image: ImageModel): HistoryRow[] {
  return alignHistory(image.config, image.layers.length);
}

/** The `created_by` of the history entry that made each layer (index = layer index), or null. */
export function layerCommands(image: ImageModel): (string | null)[] {
  return historyForLayers(image.config, image.layers.length).map((entry) => entry?.created_by ?? null);
}

/** Longest build step shown in the layer picker before it is cut with `…`. */
const PICKER_STEP_LENGTH = 60;

/**
 * `3 · apt-get install …`: the layer picker names each layer by the build
 * step that made it, the shell prefix (`/bin/sh -c`, `#(nop)`) dropped.
 */
export function layerPickerLabel(index: number, createdBy: string | null): string {
  const step = createdBy?.replace(/^\/bin\/sh -c (#\(nop\) )?/, '').trim();
  if (!step) return String(index);
  return `${index} · ${step.length > PICKER_STEP_LENGTH ? `${step.slice(0, PICKER_STEP_LENGTH - 1)}…` : step}`;
}
