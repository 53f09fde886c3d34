/**
 * Two images' build histories side by side. Entries are aligned on what the
 * step did (`created_by` and whether it made a layer), by longest common
 * subsequence; between aligned entries, the remaining entries of both sides
 * are paired in order, so a step whose command changed shows as one changed
 * row rather than a removal and an addition.
 */

import { alignHistory } from '../image/history';
import type { ConfigFile, History } from '../types';
import { alignByKey } from './sequence-diff';

/** A field of a history entry. */
export type HistoryField = 'created_by' | 'created' | 'author' | 'comment' | 'empty_layer';

const FIELDS: readonly HistoryField[] = ['created_by', 'created', 'author', 'comment', 'empty_layer'];

/** One entry of one side. */
export interface HistorySide {
  /** Position in the config's history. */
  index: number;
  entry: History;
  /** Layer the entry made, or null. */
  layerIndex: number | null;
}

/** One row of the side-by-side history. */
export interface HistoryRow {
  left: HistorySide | null;
  right: HistorySide | null;
  /** Fields that differ between the two entries of the row (empty when equal; empty too when one is absent). */
  differences: HistoryField[];
}

function stepKey(entry: History): string {
  return `${entry.empty_layer === true ? 'empty' : 'layer'}\n${entry.created_by ?? ''}`;
}

function fieldValue(entry: History, field: HistoryField): string | boolean | undefined {
  return field === 'empty_layer' ? entry.empty_layer === true : entry[field];
}

/** The two histories aligned, with what differs on each row. */
export function compareHistories(left: ConfigFile | null, leftLayers: number, right: ConfigFile | null, rightLayers: number): HistoryRow[] {
  const a = alignHistory(left, leftLayers);
  const b = alignHistory(right, rightLayers);
  // Bounded like the layers' alignment: a hostile history of thousands of entries is paired by position.
  return alignByKey(a, b, (row) => stepKey(row.entry), 1_000_000).map((row) => {
    const x = row.left === null ? null : a[row.left];
    const y = row.right === null ? null : b[row.right];
    const differences = x !== null && y !== null ? FIELDS.filter((field) => fieldValue(x.entry, field) !== fieldValue(y.entry, field)) : [];
    return {
      left: x === null ? null : { index: x.index, entry: x.entry, layerIndex: x.layerIndex },
      right: y === null ? null : { index: y.index, entry: y.entry, layerIndex: y.layerIndex },
      differences,
    };
  });
}
