/**
 * Findings: things worth a person's attention about what is inside an image
 * (a binary for another architecture, a library that is missing, a key left
 * in a lower layer). They appear in report.json `images[].findings[]` with
 * these field names; the ids are stable, checks and rules rely on them.
 */

/** How much a finding matters, highest first. */
export type FindingSeverity = 'high' | 'medium' | 'low' | 'info';

/** Severities from highest to lowest, for sorting and for "severity ≥ X" rules. */
export const FINDING_SEVERITIES: readonly FindingSeverity[] = ['high', 'medium', 'low', 'info'];

/** One finding. */
export interface Finding {
  /** Stable id of the check, e.g. `architecture-mismatch`, `missing-library`, `secret`. */
  id: string;
  severity: FindingSeverity;
  /** Absolute path inside the image it concerns, or null for the image as a whole. */
  path: string | null;
  /** 0-based index of the layer it concerns (the layer that holds the bytes), or null. */
  layer: number | null;
  /** One sentence for a person; never contains a secret's value in full. */
  message: string;
}
