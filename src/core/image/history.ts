/**
 * Aligns a config's history with its layers: every history entry without
 * `empty_layer: true` made one layer, in order (image-spec config.md
 * "history"). Extra or missing entries are tolerated, as Docker does.
 */
import type { ConfigFile, History } from '../types';

/** One history entry and the layer it made, if any. */
export interface HistoryRow {
  /** Position in the config's history list. */
  index: number;
  entry: History;
  /** Layer the entry made, or null for `empty_layer` entries (or entries past the last layer). */
  layerIndex: number | null;
  empty: boolean;
}

/** Maps history entries to layer indexes. */
export function alignHistory(config: ConfigFile | null, layerCount: number): HistoryRow[] {
  const history = config?.history ?? [];
  let nextLayer = 0;
  return history.map((entry, index) => {
    const empty = entry.empty_layer === true;
    let layerIndex: number | null = null;
    if (!empty && nextLayer < layerCount) layerIndex = nextLayer++;
    return { index, entry, layerIndex, empty };
  });
}

/** The history entry that made each layer (index = layer index), or null. */
export function historyForLayers(config: ConfigFile | null, layerCount: number): (History | null)[] {
  const byLayer: (History | null)[] = new Array<History | null>(layerCount).fill(null);
  for (const row of alignHistory(config, layerCount)) {
    if (row.layerIndex !== null) byLayer[row.layerIndex] = row.entry;
  }
  return byLayer;
}
