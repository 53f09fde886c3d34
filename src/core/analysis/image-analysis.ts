/**
 * Everything Tarsier works out from an image's contents once its layers are
 * walked: efficiency (exact, and dive's figures beside it), duplicates and
 * findings, plus what the content analysers add (OS, packages, binaries…).
 * The page (in its filesystem worker) and `tarsier report` (in Node) call
 * the same {@link analyseImage}, so both produce the same report fields.
 *
 * Content analysers are the seam for further checks: each reads the merged
 * rootfs (Rootfs, reading only the bytes it needs) and returns report fields
 * under their report.json names (`os`, `packages`, `binaries`) and findings.
 */
import { isAbortError, toErrorInfo, type InspectErrorInfo } from '../errors';
import type { LayeredFilesystem } from '../fs/filesystem';
import type { ConfigFile, Platform } from '../types';
import { diveEfficiency, type DiveEfficiency } from './dive-efficiency';
import { findDuplicates, type Duplicates } from './duplicates';
import { imageEfficiency, type Efficiency } from './efficiency';
import type { Finding } from './finding';
import { FindingList } from './finding-list';
import { checkCoreDumps, checkModesAndNames } from './hygiene';
import { checkPackageCaches } from './package-caches';
import type { ReadLayerBytes, Rootfs } from './rootfs';
import { checkRunsAsRoot } from './runs-as-root';
import { checkSecrets } from './secrets';

/** What an analysis of one image reads. */
export interface ImageAnalysisInput {
  /** Every layer of the image applied, in order. */
  filesystem: LayeredFilesystem;
  read: ReadLayerBytes;
  config: ConfigFile | null;
  /** The image's platform (config, else index entry), or null. */
  platform?: Platform | null;
  signal?: AbortSignal;
}

/** What a content analyser adds to an image's report entry. */
export interface AnalyserOutput {
  /** Report fields by their report.json names (e.g. `os`, `packages`, `binaries`). */
  fields?: Record<string, unknown>;
  findings?: Finding[];
}

/** A check over the merged rootfs of an image (see the file comment). */
export interface ContentAnalyser {
  /** Names the analyser in errors (`os-release`, `packages`…). */
  id: string;
  analyse(rootfs: Rootfs, input: ImageAnalysisInput): Promise<AnalyserOutput>;
}

/** report.json `images[].efficiency`: the exact figures, with dive's beside them. */
export interface EfficiencyReport extends Efficiency {
  /** dive's figures, with dive's meanings (see dive-efficiency.ts); for comparison only. */
  dive: DiveEfficiency;
}

/** The analysis of one image. */
export interface ImageAnalysis {
  /** The content analysers' fields, in analyser order. */
  fields: Record<string, unknown>;
  /** Every finding, sorted by severity, id, path and layer. */
  findings: Finding[];
  efficiency: EfficiencyReport;
  /** Null when the layers could not be read for it (see `errors`). */
  duplicates: Duplicates | null;
  /** Analysers that failed (the other results stand). */
  errors: InspectErrorInfo[];
}

/** The merged rootfs after the last layer, as content analysers read it. */
export function rootfsOf(filesystem: LayeredFilesystem, read: ReadLayerBytes): Rootfs {
  const layer = filesystem.layerCount - 1;
  const layers = Array.from({ length: filesystem.layerCount }, (_, index) => filesystem.layerEntries(index));
  return { root: filesystem.rootAfter(layer), layer, layers, read };
}

/** Runs one step; a failure (not a cancellation) becomes an error of the image and the rest goes on. */
async function step<T>(id: string, errors: InspectErrorInfo[], run: () => Promise<T>): Promise<T | null> {
  try {
    return await run();
  } catch (error) {
    if (isAbortError(error)) throw error;
    const info = toErrorInfo(error);
    errors.push({ code: info.code, message: `${id}: ${info.message}`, path: info.path });
    return null;
  }
}

/**
 * Analyses one image. `analysers` add their fields and findings; the
 * built-in checks (efficiency, duplicates, secrets, hygiene) always run.
 */
export async function analyseImage(input: ImageAnalysisInput, analysers: readonly ContentAnalyser[] = []): Promise<ImageAnalysis> {
  const { filesystem, read, config, signal } = input;
  const rootfs = rootfsOf(filesystem, read);
  const errors: InspectErrorInfo[] = [];
  const list = new FindingList();
  const efficiency: EfficiencyReport = { ...imageEfficiency(filesystem, config), dive: diveEfficiency(rootfs.layers) };
  const coreCandidates = checkModesAndNames(rootfs.root, list);
  checkPackageCaches(rootfs.root, list);
  await step('core dumps', errors, () => checkCoreDumps(coreCandidates, read, list));
  const root = await step('runs-as-root', errors, () => checkRunsAsRoot(config, rootfs.root, read));
  if (root) list.add(root);
  signal?.throwIfAborted();
  await step('secrets', errors, () => checkSecrets(filesystem, read, list));
  signal?.throwIfAborted();
  const duplicates = await step('duplicates', errors, () => findDuplicates(filesystem, read, { signal }));
  const fields: Record<string, unknown> = {};
  for (const analyser of analysers) {
    signal?.throwIfAborted();
    const output = await step(analyser.id, errors, () => analyser.analyse(rootfs, input));
    if (output === null) continue;
    Object.assign(fields, output.fields);
    for (const finding of output.findings ?? []) list.add(finding);
  }
  return { fields, findings: list.findings(), efficiency, duplicates, errors };
}
