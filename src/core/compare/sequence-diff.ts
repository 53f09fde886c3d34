/**
 * The longest common subsequence of two sequences, by Myers' O(ND)
 * algorithm in linear space ("An O(ND) Difference Algorithm and Its
 * Variations", 1986, §4b: find the middle snake of the shortest edit path,
 * then solve both halves). The minimal edit script it implies is what
 * `diff --minimal` computes. Comparing layers (by DiffID), history entries
 * and text lines all go through it, on sequences of integers: callers intern
 * their items first, so each comparison is one integer test.
 *
 * The work is bounded: `budget` caps the diagonals explored over the whole
 * run (the cost is O((N+M)·D)), and when it runs out the result says so
 * rather than taking minutes on two unrelated 100,000-line files.
 */

/** A sequence to compare: interned items (equal items, equal numbers). */
export type Sequence = ArrayLike<number>;

/** Common items: `left[i]` and `right[i]` are indexes of equal items, both increasing. */
export interface Matches {
  left: number[];
  right: number[];
}

/** Result of {@link longestCommonSubsequence}: the matches, or null when the budget ran out. */
export type DiffOutcome = { matches: Matches } | { matches: null };

/** Default bound on the work: about a second of CPU on a slow machine. */
export const DEFAULT_DIFF_BUDGET = 50_000_000;

interface Segment {
  aStart: number;
  aEnd: number;
  bStart: number;
  bEnd: number;
}

class BudgetExceeded extends Error {}

/**
 * The matched pairs of a longest common subsequence of `a` and `b`, with
 * common prefixes and suffixes taken first (so a shared prefix always aligns
 * with itself).
 */
export function longestCommonSubsequence(a: Sequence, b: Sequence, budget = DEFAULT_DIFF_BUDGET): DiffOutcome {
  const found: Matches = { left: [], right: [] };
  const pending: Segment[] = [{ aStart: 0, aEnd: a.length, bStart: 0, bEnd: b.length }];
  const work = { left: budget };
  try {
    while (pending.length > 0) {
      const segment = pending.pop() as Segment;
      let { aStart, aEnd, bStart, bEnd } = segment;
      while (aStart < aEnd && bStart < bEnd && a[aStart] === b[bStart]) {
        found.left.push(aStart++);
        found.right.push(bStart++);
      }
      while (aStart < aEnd && bStart < bEnd && a[aEnd - 1] === b[bEnd - 1]) {
        found.left.push(--aEnd);
        found.right.push(--bEnd);
      }
      if (aStart === aEnd || bStart === bEnd) continue;
      const split = middleSnake(a, b, { aStart, aEnd, bStart, bEnd }, work);
      if (split === null) continue;
      pending.push({ aStart, aEnd: split.x, bStart, bEnd: split.y });
      pending.push({ aStart: split.x, aEnd, bStart: split.y, bEnd });
    }
  } catch (error) {
    if (error instanceof BudgetExceeded) return { matches: null };
    throw error;
  }
  return { matches: sortedMatches(found) };
}

function sortedMatches(found: Matches): Matches {
  const order = found.left.map((_, index) => index).sort((x, y) => found.left[x] - found.left[y]);
  return { left: order.map((index) => found.left[index]), right: order.map((index) => found.right[index]) };
}

/**
 * A point on a shortest edit path of the segment, found by running the
 * greedy search from both ends until the paths overlap; null when the two
 * have nothing in common (the path is all deletions and insertions).
 */
function middleSnake(a: Sequence, b: Sequence, segment: Segment, work: { left: number }): { x: number; y: number } | null {
  const { aStart, bStart } = segment;
  const n = segment.aEnd - aStart;
  const m = segment.bEnd - bStart;
  const maxD = Math.ceil((n + m) / 2);
  const offset = maxD;
  const size = 2 * maxD + 2;
  const forward = new Int32Array(size).fill(-1);
  const backward = new Int32Array(size).fill(-1);
  forward[offset + 1] = 0;
  backward[offset + 1] = 0;
  const delta = n - m;
  const frontOverlaps = delta % 2 !== 0;
  // Diagonals that ran off the edge of the grid are skipped from then on.
  let forwardStart = 0;
  let forwardEnd = 0;
  let backwardStart = 0;
  let backwardEnd = 0;
  for (let d = 0; d < maxD; d += 1) {
    work.left -= 2 * d + 2;
    if (work.left < 0) throw new BudgetExceeded();
    for (let k = -d + forwardStart; k <= d - forwardEnd; k += 2) {
      const index = offset + k;
      let x = k === -d || (k !== d && forward[index - 1] < forward[index + 1]) ? forward[index + 1] : forward[index - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[aStart + x] === b[bStart + y]) {
        x += 1;
        y += 1;
      }
      forward[index] = x;
      if (x > n) forwardEnd += 2;
      else if (y > m) forwardStart += 2;
      else if (frontOverlaps) {
        const other = offset + delta - k;
        if (other >= 0 && other < size && backward[other] !== -1 && x >= n - backward[other]) {
          return { x: aStart + x, y: bStart + y };
        }
      }
    }
    for (let k = -d + backwardStart; k <= d - backwardEnd; k += 2) {
      const index = offset + k;
      let x = k === -d || (k !== d && backward[index - 1] < backward[index + 1]) ? backward[index + 1] : backward[index - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[aStart + n - x - 1] === b[bStart + m - y - 1]) {
        x += 1;
        y += 1;
      }
      backward[index] = x;
      if (x > n) backwardEnd += 2;
      else if (y > m) backwardStart += 2;
      else if (!frontOverlaps) {
        const other = offset + delta - k;
        if (other >= 0 && other < size && forward[other] !== -1) {
          const forwardX = forward[other];
          const forwardY = forwardX - (other - offset);
          if (forwardX >= n - x) return { x: aStart + forwardX, y: bStart + forwardY };
        }
      }
    }
  }
  return null;
}

/**
 * Interns items into numbers (equal keys, equal numbers), for
 * {@link longestCommonSubsequence}. A null key never equals anything, not
 * even another null: an unknown DiffID matches no layer.
 */
export function internAll<T>(lists: readonly (readonly T[])[], key: (item: T) => string | null): number[][] {
  const ids = new Map<string, number>();
  let unique = -1;
  return lists.map((list) =>
    list.map((item) => {
      const text = key(item);
      if (text === null) return unique--;
      let id = ids.get(text);
      if (id === undefined) {
        id = ids.size;
        ids.set(text, id);
      }
      return id;
    }),
  );
}

/** One row of two sequences shown side by side. */
export interface AlignedRow {
  /** Index in the left sequence, or null where only the right has an item. */
  left: number | null;
  right: number | null;
  /** True when the two items are equal (a match of the common subsequence). */
  same: boolean;
}

/**
 * Rows for a side-by-side view: matches on their own row; between two
 * matches, the unmatched items of both sides paired in order (that is where
 * the two diverge), and the surplus of the longer side on rows of its own.
 */
export function alignedRows(leftLength: number, rightLength: number, matches: Matches): AlignedRow[] {
  const rows: AlignedRow[] = [];
  let i = 0;
  let j = 0;
  const fillGap = (iEnd: number, jEnd: number): void => {
    while (i < iEnd || j < jEnd) {
      rows.push({ left: i < iEnd ? i : null, right: j < jEnd ? j : null, same: false });
      if (i < iEnd) i += 1;
      if (j < jEnd) j += 1;
    }
  };
  for (let t = 0; t < matches.left.length; t += 1) {
    fillGap(matches.left[t], matches.right[t]);
    rows.push({ left: i++, right: j++, same: true });
  }
  fillGap(leftLength, rightLength);
  return rows;
}

/**
 * {@link alignedRows} of two lists compared by `key`; when the budget runs
 * out (only on huge hostile lists), the lists are paired by position.
 */
export function alignByKey<T>(left: readonly T[], right: readonly T[], key: (item: T) => string | null, budget?: number): AlignedRow[] {
  const [a, b] = internAll([left, right], key);
  const outcome = longestCommonSubsequence(a, b, budget);
  if (outcome.matches !== null) return alignedRows(left.length, right.length, outcome.matches);
  const rows = alignedRows(left.length, right.length, { left: [], right: [] });
  for (const row of rows) row.same = row.left !== null && row.right !== null && a[row.left] === b[row.right];
  return rows;
}
