/**
 * report.json with the analyses: each image gains the content analysers'
 * fields (`os`, `packages`, `binaries`), `findings[]`, `efficiency` and
 * `duplicates`, and the report gains `rules[]` when rules were given. The
 * page and `tarsier report` build it with these same functions from the
 * same inputs, so their reports are the same (timings aside).
 *
 * An image is analysed only when every one of its layers was walked without
 * a problem: efficiency and secrets in lower layers are only true of all the
 * layers. Otherwise its analysis fields are null, `findings` is empty, and a
 * note says which layer was missing.
 */
import type { InspectErrorInfo } from '../errors';
import { LayeredFilesystem } from '../fs/filesystem';
import type { ImageModel, SourceModel } from '../image/model';
import type { LayerOutcome, Report, ReportImage } from '../image/report';
import { entriesOf } from '../tar/entry-codec';
import type { TarEntry } from '../types';
import type { Duplicates } from './duplicates';
import type { Finding } from './finding';
import { analyseImage, type ContentAnalyser, type EfficiencyReport, type ImageAnalysis } from './image-analysis';
import type { ReadLayerBytes } from './rootfs';
import { evaluateRules, type RuleResult, type RuleSet } from './rules';

/** An image of report.json with its analysis. */
export interface AnalysedReportImage extends ReportImage {
  /** The content analysers' fields (see image-analysis.ts). */
  [field: string]: unknown;
  findings: Finding[];
  efficiency: EfficiencyReport | null;
  duplicates: Duplicates | null;
}

/** report.json with analyses (and rules, when given). */
export interface AnalysedReport extends Omit<Report, 'images'> {
  images: AnalysedReportImage[];
  rules?: RuleResult[];
}

/** An image's analysis, or why there is none. */
export type ImageAnalysisOutcome = { analysis: ImageAnalysis } | { notAnalysed: string };

/** The members of each of an image's layers, or why they are not all there. */
export function imageLayerEntries(image: ImageModel, results: ReadonlyMap<string, LayerOutcome>): TarEntry[][] | string {
  const layers: TarEntry[][] = [];
  for (const layer of image.layers) {
    const outcome = results.get(layer.key);
    const name = `layer ${layer.index} (${layer.digest ?? layer.key})`;
    if (outcome === undefined) return `${name} was not read`;
    if ('error' in outcome) return `${name} could not be read: ${outcome.error.message}`;
    if (outcome.result.error !== null) return `${name} could not be read to its end: ${outcome.result.error.message}`;
    if (!outcome.result.isTar) return `${name} is not a tar`;
    layers.push(entriesOf(outcome.result));
  }
  return layers;
}

/** Where an image's layer bytes are read from: the reader of image `index` of the source. */
export type ReaderFor = (image: ImageModel, index: number) => ReadLayerBytes;

/** Analyses every image of a source (see the file comment for which are skipped). */
export async function analyseSource(
  source: SourceModel,
  results: ReadonlyMap<string, LayerOutcome>,
  readerFor: ReaderFor,
  analysers: readonly ContentAnalyser[] = [],
  signal?: AbortSignal,
): Promise<ImageAnalysisOutcome[]> {
  const outcomes: ImageAnalysisOutcome[] = [];
  for (const [index, image] of source.images.entries()) {
    const layers = image.layers.length === 0 ? 'it has no layers' : imageLayerEntries(image, results);
    if (typeof layers === 'string') {
      outcomes.push({ notAnalysed: layers });
      continue;
    }
    const filesystem = new LayeredFilesystem();
    for (const entries of layers) filesystem.applyLayer(entries);
    const input = { filesystem, read: readerFor(image, index), config: image.config, platform: image.platform, signal };
    const analysis = await analyseImage(input, analysers);
    outcomes.push({ analysis });
  }
  return outcomes;
}

function analysedImage(image: ReportImage, outcome: ImageAnalysisOutcome | undefined): AnalysedReportImage {
  if (outcome === undefined || 'notAnalysed' in outcome) {
    const why = outcome?.notAnalysed ?? 'it was not analysed';
    return { ...image, notes: [...image.notes, `Contents not analysed: ${why}.`], findings: [], efficiency: null, duplicates: null };
  }
  const { analysis } = outcome;
  const errors: InspectErrorInfo[] = [...image.errors, ...analysis.errors];
  return { ...image, errors, ...analysis.fields, findings: analysis.findings, efficiency: analysis.efficiency, duplicates: analysis.duplicates };
}

/** Adds the analyses (aligned with `report.images`) and, when `rules` set any, their verdicts. */
export function withAnalyses(report: Report, outcomes: readonly ImageAnalysisOutcome[], rules: RuleSet | null = null): AnalysedReport {
  const images = report.images.map((image, index) => analysedImage(image, outcomes[index]));
  const analysed: AnalysedReport = { ...report, images };
  if (rules !== null) {
    const subjects = images.map((image, index) => {
      const outcome = outcomes[index];
      const analysis = outcome !== undefined && 'analysis' in outcome ? outcome.analysis : null;
      return { image: image.manifestDigest ?? image.configDigest, analysis };
    });
    analysed.rules = evaluateRules(rules, subjects);
  }
  return analysed;
}
