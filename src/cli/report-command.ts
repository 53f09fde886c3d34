/**
 * `tarsier report`: the report.json the page saves, made from the same core
 * in Node. The steps are the page's: the dispatcher reads the source's
 * metadata, every layer goes once through the one-pass pipeline (worker
 * threads here, Web Workers there), buildReport writes the report, and the
 * analyses (efficiency, duplicates, findings and the content analysers) add
 * their fields and the rules their verdicts.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { version } from '../../package.json';
import { analyseSource, withAnalyses, type AnalysedReport } from '../core/analysis/analysed-report';
import { contentAnalysers } from '../core/analysis/content-analysers';
import { sqlJsReader } from '../core/analysis/packages/rpm-sqlite';
import type { RuleSet } from '../core/analysis/rules';
import { buildReport } from '../core/image/report';
import { openSource } from '../sources/index';
import { closeDiskFiles } from './disk-file';
import { runLayerPass } from './layer-pass';
import { LayerStore } from './layer-store';
import { inputFromPaths, nodeEnvironment } from './node-environment';

/** rpmdb.sqlite through sql.js, its WebAssembly read from node_modules (on the first such database only). */
const nodeSqlite = sqlJsReader(async () => readFile(createRequire(import.meta.url).resolve('sql.js/dist/sql-wasm.wasm')));

/** Options of {@link reportFromPaths}. */
export interface ReportOptions {
  /** Rules to judge the images by (report `rules[]`), or null for none. */
  rules: RuleSet | null;
  /** Worker threads for the layer pass (default: one per core). */
  threads?: number;
}

/** How long the steps took, in milliseconds (for the summary; the report's own timings are the whole run). */
export interface ReportPhases {
  /** Reading the source's metadata and every layer's first pass. */
  layersMs: number;
  /** Efficiency, duplicates, findings, content analysers and rules. */
  analysisMs: number;
}

/** The report of the source at `paths` (one file, one folder, or an OCI layout's files). */
export async function reportFromPaths(paths: readonly string[], options: ReportOptions): Promise<{ report: AnalysedReport; phases: ReportPhases }> {
  const started = performance.now();
  const store = await LayerStore.create();
  try {
    const input = await inputFromPaths(paths);
    const source = await openSource(new AbortController().signal, input, nodeEnvironment(store));
    const results = await runLayerPass(source, store, options.threads);
    const layersDone = performance.now();
    const timings = { firstViewMs: null, analysisMs: null };
    const report = buildReport({ source, results, timings, toolVersion: version });
    const outcomes = await analyseSource(source, results, (image) => store.reader(image, results), contentAnalysers({ sqlite: nodeSqlite }));
    const analysed = withAnalyses(report, outcomes, options.rules);
    const finished = performance.now();
    analysed.timings = { firstViewMs: null, analysisMs: Math.round(finished - started) };
    return { report: analysed, phases: { layersMs: Math.round(layersDone - started), analysisMs: Math.round(finished - layersDone) } };
  } finally {
    await closeDiskFiles();
    await store.remove();
  }
}
