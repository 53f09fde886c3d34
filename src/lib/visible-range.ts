/**
 * The window of rows to draw in a virtualised list of fixed-height rows:
 * only what is visible plus `overscan` rows on each side, so lists of any
 * length (300,000 tree rows, a 100 MB text file) cost the same to render.
 */

/** Rows `first` (inclusive) to `last` (exclusive) to draw. */
export interface VisibleRange {
  first: number;
  last: number;
}

/** The rows that a viewport of `height` pixels scrolled to `scrollTop` shows. */
export function visibleRange(scrollTop: number, height: number, rowHeight: number, count: number, overscan: number): VisibleRange {
  const first = Math.min(count, Math.max(0, Math.floor(scrollTop / rowHeight) - overscan));
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  return { first, last: Math.max(first, last) };
}
