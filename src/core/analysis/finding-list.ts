/**
 * Collects findings with a bound per check: a hostile or merely messy image
 * (100k world-writable files) must not make a report of 100k lines. Past the
 * bound, one summary finding per check says how many more there are.
 */
import { FINDING_SEVERITIES, type Finding, type FindingSeverity } from './finding';

/** Findings kept per check id; the rest are counted in one summary finding. */
export const FINDINGS_PER_CHECK = 200;

/** Sorts findings by severity (highest first), then id, path (none last) and layer. */
export function compareFindings(a: Finding, b: Finding): number {
  const bySeverity = FINDING_SEVERITIES.indexOf(a.severity) - FINDING_SEVERITIES.indexOf(b.severity);
  if (bySeverity !== 0) return bySeverity;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  // Findings about the image as a whole (path null, such as the summary of a bounded check) come last.
  if (a.path !== b.path) {
    if (a.path === null) return 1;
    if (b.path === null) return -1;
    return a.path < b.path ? -1 : 1;
  }
  return (a.layer ?? -1) - (b.layer ?? -1);
}

/** A bounded, ordered set of findings. */
export class FindingList {
  readonly #kept: Finding[] = [];
  /** Per id: how many were added, and the severity of the first (for the summary line). */
  readonly #counts = new Map<string, { count: number; severity: FindingSeverity; noun: string }>();
  readonly #limit: number;

  constructor(limit = FINDINGS_PER_CHECK) {
    this.#limit = limit;
  }

  /**
   * Adds a finding; `noun` names what the check finds, in the plural, for the
   * summary line ("world-writable files").
   */
  add(finding: Finding, noun = 'more findings'): void {
    const counted = this.#counts.get(finding.id) ?? { count: 0, severity: finding.severity, noun };
    counted.count += 1;
    this.#counts.set(finding.id, counted);
    if (counted.count <= this.#limit) this.#kept.push(finding);
  }

  /** Every kept finding, sorted, with one summary per check that went past the bound. */
  findings(): Finding[] {
    const out = [...this.#kept];
    for (const [id, { count, severity, noun }] of this.#counts) {
      if (count <= this.#limit) continue;
      out.push({ id, severity, path: null, layer: null, message: `…and ${count - this.#limit} more ${noun} (${count} in all; the first ${this.#limit} are listed)` });
    }
    return out.sort(compareFindings);
  }
}
