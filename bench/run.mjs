// Tarsier's benchmark (`npm run bench` = build, then this):
//
//   node bench/run.mjs [image.tar] [--runs N] [--skip-big] [--profile]
//
// 1. Takes image.tar, or generates (once, cached in bench/out/) a realistic
//    oci-archive of gzip layers made from this machine's /etc and /usr, and a
//    ~2.1 GB docker-archive of uncompressed incompressible layers.
// 2. Opens the image in headless Chromium (the built app, via the e2e
//    harness) and reads report.json's timings, long tasks and memory; then
//    once more in a browser with an on-disk profile, where the first pass
//    also keeps the decompressed layers for the file viewer (a fresh
//    context is a private window: Chromium keeps its OPFS in memory, and
//    the app does not keep layers there).
// 3. Times the native pipeline on the same layer blobs (bench/native.mjs):
//    2 layers at a time, one at a time, and one at a time on one core.
// 4. Opens the 2 GB archive for its time to first view and listing.
// Prints a table and writes bench/out/results.json. Medians over --runs.
// --profile adds one traced run per image (not counted in the figures):
// self time per function on the main thread and in the layer workers (V8's
// sampling profiler via Chromium tracing), what ran inside each long task,
// and bench/out/*-main-thread.cpuprofile for Chrome DevTools.
import { cpus, loadavg } from 'node:os';
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { launchBrowser, startStaticServer } from '../test/e2e/harness.mjs';
import { runApp, runAppOnDisk } from './app.mjs';
import { ensureBigImage, ensureRealisticImage, outDir } from './generate.mjs';
import { extractLayers, runNative, warmPageCache } from './native.mjs';

const TARGETS = { ratio: 1.0, firstViewMs: 300, longTaskMs: 50 };

function parseArguments(argv) {
  const options = { image: null, runs: 1, big: true, profile: false };
  for (let i = 0; i < argv.length; i += 1) {
    const argument = argv[i];
    if (argument === '--runs') options.runs = Math.max(1, Number(argv[++i]) || 1);
    else if (argument.startsWith('--runs=')) options.runs = Math.max(1, Number(argument.slice(7)) || 1);
    else if (argument === '--skip-big') options.big = false;
    else if (argument === '--profile') options.profile = true;
    else if (argument.startsWith('-')) throw new Error(`unknown option ${argument}; usage: node bench/run.mjs [image.tar] [--runs N] [--skip-big] [--profile]`);
    else options.image = resolve(argument);
  }
  return options;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
const mb = (bytes) => bytes / 1e6;
const load = () => loadavg()[0];

/** Every layer of every image in a report, keyed by stored digest. */
function reportLayers(report) {
  const layers = new Map();
  for (const image of report.images) for (const layer of image.layers) layers.set(layer.digest, layer);
  return layers;
}

/** Problems where the app's report disagrees with the native tools (or the generator's record). */
function compareLayers(report, expected) {
  const found = reportLayers(report);
  const problems = [];
  for (const layer of expected) {
    const got = found.get(layer.digest);
    if (!got) {
      problems.push(`layer ${layer.digest} missing from the report`);
      continue;
    }
    if (got.diffId !== layer.diffId) problems.push(`${layer.digest}: diffId ${got.diffId} ≠ ${layer.diffId}`);
    if (layer.entries !== undefined && got.entries !== layer.entries) problems.push(`${layer.digest}: ${got.entries} entries ≠ ${layer.entries}`);
    if (got.verified?.digest === 'mismatch' || got.verified?.diffId === 'mismatch') problems.push(`${layer.digest}: verified ${JSON.stringify(got.verified)}`);
    if (got.error) problems.push(`${layer.digest}: ${got.error}`);
  }
  if (report.errors.length > 0) problems.push(...report.errors.map((error) => `report error: ${error.message}`));
  return problems;
}

function summarizeApp(runs) {
  const pick = (select) => median(runs.map(select));
  return {
    firstViewMs: pick((run) => run.timings.firstViewMs),
    analysisMs: pick((run) => run.timings.analysisMs),
    longestTaskMs: Math.max(...runs.map((run) => run.longTasks.afterDrop.longestMs)),
    longTasks: Math.max(...runs.map((run) => run.longTasks.afterDrop.count)),
    pageLoadLongestTaskMs: Math.max(...runs.map((run) => run.longTasks.pageLoad.longestMs)),
    longestTaskCpuMs: Math.max(...runs.map((run) => run.longTasks.mainThreadTasks?.longestCpuMs ?? 0)),
    tasksOverFiftyCpu: Math.max(...runs.map((run) => run.longTasks.mainThreadTasks?.overFiftyCpu ?? 0)),
    peakRendererRss: Math.max(...runs.map((run) => run.memory.peak.rendererRss)),
    peakTotalPss: Math.max(...runs.map((run) => run.memory.peak.totalPss)),
    peakJsHeapUsed: Math.max(...runs.map((run) => run.memory.peak.jsHeapUsed)),
    idleRendererRss: median(runs.map((run) => run.memory.idle.rendererRss)),
    idleTotalPss: median(runs.map((run) => run.memory.idle.totalPss)),
    workerCount: Math.max(...runs.map((run) => run.workerCount)),
    cpuSeconds: median(runs.map((run) => Object.values(run.cpuSeconds).reduce((sum, seconds) => sum + seconds, 0))),
    cpuSecondsByType: runs[0].cpuSeconds,
  };
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  mkdirSync(outDir, { recursive: true });
  const log = (line) => console.log(line);
  const image = options.image
    ? { path: options.image, size: statSync(options.image).size, kind: 'given', layers: null }
    : await ensureRealisticImage(log);
  const big = options.big ? ensureBigImage(log) : null;
  const layers = extractLayers(image.path);
  const stored = layers.reduce((sum, layer) => sum + layer.size, 0);
  log(`${basename(image.path)}: ${layers.length} layers, ${mb(stored).toFixed(1)} MB stored (${[...new Set(layers.map((layer) => layer.compression))].join(', ')})`);
  warmPageCache([image.path, ...layers.map((layer) => layer.path), ...(big ? [big.path] : [])]);

  const server = await startStaticServer();
  const browser = await launchBrowser();
  const appRuns = [];
  const onDiskRuns = [];
  const native = { parallel: [], sequential: [], oneCore: [] };
  const bigRuns = [];
  let nativeLayers = null;
  const profiled = [];
  try {
    if (options.profile) {
      // Tracing slows every thread: profiled runs are extra runs, kept out of the figures.
      log('profiled runs (not counted)…');
      profiled.push(['image', await runApp(browser, server.url, image.path, { profile: true })]);
      if (big) profiled.push(['big', await runApp(browser, server.url, big.path, { profile: true })]);
    }
    for (let run = 1; run <= options.runs; run += 1) {
      log(`run ${run}/${options.runs}: app (load average ${load().toFixed(1)})…`);
      appRuns.push({ ...(await runApp(browser, server.url, image.path)), load: load() });
      log(`  first view ${appRuns.at(-1).timings.firstViewMs.toFixed(0)} ms, report ready ${(appRuns.at(-1).timings.analysisMs / 1000).toFixed(2)} s`);
      log(`run ${run}/${options.runs}: native, 2 layers at a time / one at a time / one core (load average ${load().toFixed(1)})…`);
      const parallel = await runNative(layers, { concurrency: 2 });
      native.parallel.push({ seconds: parallel.seconds, cpuSeconds: parallel.cpuSeconds, load: load() });
      const sequential = await runNative(layers, { concurrency: 1 });
      native.sequential.push({ seconds: sequential.seconds, cpuSeconds: sequential.cpuSeconds, load: load() });
      const oneCore = await runNative(layers, { concurrency: 1, cpuList: '0' });
      native.oneCore.push({ seconds: oneCore.seconds, cpuSeconds: oneCore.cpuSeconds, load: load() });
      log(`run ${run}/${options.runs}: app in an on-disk profile (load average ${load().toFixed(1)})…`);
      onDiskRuns.push({ ...(await runAppOnDisk(server.url, image.path, 300_000)), load: load() });
      log(`  report ready ${(onDiskRuns.at(-1).timings.analysisMs / 1000).toFixed(2)} s, ${onDiskRuns.at(-1).layersKept} layers kept (${mb(onDiskRuns.at(-1).keptBytes).toFixed(0)} MB)`);
      nativeLayers ??= parallel.layers.map((result, index) => ({ ...result, size: layers[index].size }));
      log(`  native ${parallel.seconds.toFixed(2)} s / ${native.sequential.at(-1).seconds.toFixed(2)} s / ${native.oneCore.at(-1).seconds.toFixed(2)} s`);
      if (big) {
        log(`run ${run}/${options.runs}: 2 GB docker-archive (load average ${load().toFixed(1)})…`);
        bigRuns.push({ ...(await runApp(browser, server.url, big.path)), load: load() });
        log(`  first view ${bigRuns.at(-1).timings.firstViewMs.toFixed(0)} ms, report ready ${(bigRuns.at(-1).timings.analysisMs / 1000).toFixed(2)} s`);
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }

  const app = summarizeApp(appRuns);
  const nativeSeconds = {
    parallel: median(native.parallel.map((run) => run.seconds)),
    sequential: median(native.sequential.map((run) => run.seconds)),
    oneCore: median(native.oneCore.map((run) => run.seconds)),
  };
  const nativeCpuSeconds = median(Object.values(native).flatMap((runs) => runs.map((run) => run.cpuSeconds)));
  const reportLayerList = [...reportLayers(appRuns[0].report).values()];
  const uncompressedBytes = reportLayerList.reduce((sum, layer) => sum + (layer.uncompressedSize ?? 0), 0);
  const mismatches = compareLayers(appRuns[0].report, nativeLayers);
  const bigSummary = big ? summarizeApp(bigRuns) : null;
  const bigMismatches = big ? compareLayers(bigRuns[0].report, big.layers) : [];
  const appSeconds = app.analysisMs / 1000;
  reportProfiles(profiled);
  const results = {
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0].model, cores: cpus().length, node: process.version, chromium: chromiumVersion() },
    runs: options.runs,
    loadAverages: [...appRuns.map((run) => run.load), ...native.parallel.map((run) => run.load)],
    image: { path: image.path, size: image.size, layers: layers.length, storedBytes: stored, uncompressedBytes, compression: [...new Set(layers.map((layer) => layer.compression))] },
    app: { ...app, seconds: appSeconds, storedMBps: mb(stored) / appSeconds, uncompressedMBps: mb(uncompressedBytes) / appSeconds },
    appOnDisk: {
      seconds: median(onDiskRuns.map((run) => run.timings.analysisMs)) / 1000,
      layersKept: Math.min(...onDiskRuns.map((run) => run.layersKept)),
      keptBytes: Math.min(...onDiskRuns.map((run) => run.keptBytes)),
      runs: onDiskRuns,
    },
    native: Object.fromEntries(
      Object.entries(nativeSeconds).map(([name, seconds]) => [name, { seconds, storedMBps: mb(stored) / seconds, uncompressedMBps: mb(uncompressedBytes) / seconds }]),
    ),
    cpuSeconds: { app: app.cpuSeconds, appByProcess: app.cpuSecondsByType, native: nativeCpuSeconds, appOverNative: app.cpuSeconds / nativeCpuSeconds },
    ratio: { appOverNativeParallel: appSeconds / nativeSeconds.parallel, appOverNativeSequential: appSeconds / nativeSeconds.sequential, appOverNativeOneCore: appSeconds / nativeSeconds.oneCore },
    verification: { agreesWithNative: mismatches.length === 0, mismatches },
    big: big && {
      path: big.path,
      size: big.size,
      layers: big.layers.length,
      entries: big.layers.reduce((sum, layer) => sum + layer.entries, 0),
      ...bigSummary,
      verification: { agreesWithGenerator: bigMismatches.length === 0, mismatches: bigMismatches },
    },
    targets: TARGETS,
    profiles: Object.fromEntries(profiled.map(([name, run]) => [name, { timings: run.timings, longTasks: run.longTasks.afterDrop, ...run.profile }])),
    rawRuns: {
      app: appRuns.map(({ report: _report, ...rest }) => ({ ...rest, longTasks: { ...rest.longTasks, tasks: rest.longTasks.tasks.slice(0, 50) } })),
      native,
      big: bigRuns.map(({ report: _report, ...rest }) => ({ ...rest, longTasks: { ...rest.longTasks, tasks: rest.longTasks.tasks.slice(0, 50) } })),
    },
  };
  writeFileSync(join(outDir, 'results.json'), JSON.stringify(results, null, 2));
  printTable(results);
  if (mismatches.length > 0 || bigMismatches.length > 0) process.exitCode = 1;
}

function chromiumVersion() {
  // Debian's /usr/bin/chromium wrapper script prints a harmless shell warning on stderr.
  return execFileSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
}

/** Writes each profiled run's .cpuprofile (open it in Chrome DevTools) and prints its top functions. */
function reportProfiles(named) {
  for (const [name, run] of named) {
    if (!run?.profile) continue;
    const path = join(outDir, `${name}-main-thread.cpuprofile`);
    writeFileSync(path, JSON.stringify(run.profile.raw));
    console.log(`profile of ${name} (first view ${run.timings.firstViewMs.toFixed(0)} ms, report ready ${(run.timings.analysisMs / 1000).toFixed(2)} s under tracing); main thread CPU profile in ${path}`);
    for (const thread of run.profile.trace.threads) {
      console.log(`  ${thread.thread}: ${thread.busyMs.toFixed(0)} ms busy; self time:`);
      for (const entry of thread.top.slice(0, 8)) console.log(`    ${entry.selfMs.toFixed(0).padStart(7)} ms  ${entry.name}`);
    }
    for (const task of run.profile.longTasks) {
      const events = run.profile.trace.longTasks.find((window) => window.startTime === task.startTime)?.events ?? [];
      const window = run.profile.trace.longTasks.find((candidate) => candidate.startTime === task.startTime);
      const cpu = window?.cpuMs != null ? ` (${window.cpuMs.toFixed(0)} ms of it on the CPU)` : '';
      console.log(`  long task at ${task.startTime.toFixed(0)} ms, ${task.duration} ms${cpu}: ${events.slice(0, 4).map((event) => `${event.name} ${event.ms.toFixed(0)} ms`).join(', ')}`);
      for (const entry of task.top.slice(0, 4)) console.log(`    ${entry.selfMs.toFixed(1).padStart(7)} ms  ${entry.name}`);
    }
    delete run.profile.raw;
  }
}

function verdict(ok) {
  return ok ? 'ok' : 'MISSED';
}

function printTable(results) {
  const { app, native, ratio, image, big } = results;
  const row = (name, value, note = '') => console.log(`${name.padEnd(38)} ${String(value).padStart(12)}  ${note}`);
  const rate = (entry) => `${entry.storedMBps.toFixed(0)} / ${entry.uncompressedMBps.toFixed(0)} MB/s`;
  console.log('');
  console.log(`Tarsier benchmark — ${results.machine.cpu}, ${results.machine.cores} cores, ${results.machine.chromium}; median of ${results.runs} run(s); load average ${results.loadAverages.map((value) => value.toFixed(1)).join(', ')}`);
  console.log(`${basename(image.path)}: ${image.layers} layers (${image.compression.join(', ')}), ${mb(image.storedBytes).toFixed(0)} MB stored, ${mb(image.uncompressedBytes).toFixed(0)} MB uncompressed`);
  console.log('-'.repeat(92));
  row('', 'time', 'stored / uncompressed throughput');
  row(`app, drop → report ready (${app.workerCount} worker${app.workerCount === 1 ? '' : 's'})`, `${app.seconds.toFixed(2)} s`, rate(app));
  const onDisk = results.appOnDisk;
  row('app, on-disk profile, layers kept', `${onDisk.seconds.toFixed(2)} s`, `${onDisk.layersKept}/${image.layers} layers (${mb(onDisk.keptBytes).toFixed(0)} MB) kept decompressed for the viewer`);
  row('native, 2 layers at a time', `${native.parallel.seconds.toFixed(2)} s`, rate(native.parallel));
  row('native, one layer at a time', `${native.sequential.seconds.toFixed(2)} s`, rate(native.sequential));
  row('native, one at a time on 1 core', `${native.oneCore.seconds.toFixed(2)} s`, rate(native.oneCore));
  row('ratio app / native (2 at a time)', ratio.appOverNativeParallel.toFixed(2), `target ≤ ${results.targets.ratio}: ${verdict(ratio.appOverNativeParallel <= results.targets.ratio)}`);
  row('ratio app / native (one at a time)', ratio.appOverNativeSequential.toFixed(2), '');
  row('ratio app / native (1 core)', ratio.appOverNativeOneCore.toFixed(2), '');
  row('first view after the drop', `${app.firstViewMs.toFixed(0)} ms`, `target ≤ ${results.targets.firstViewMs} ms: ${verdict(app.firstViewMs <= results.targets.firstViewMs)}`);
  row('longest main-thread task after the drop', `${app.longestTaskMs.toFixed(0)} ms`, `target < ${results.targets.longTaskMs} ms: ${verdict(app.longestTaskMs < results.targets.longTaskMs)} (${app.longTasks} long task(s); page load ${app.pageLoadLongestTaskMs.toFixed(0)} ms)`);
  const byProcess = Object.entries(results.cpuSeconds.appByProcess)
    .filter(([, seconds]) => seconds >= 0.05)
    .map(([type, seconds]) => `${type} ${seconds.toFixed(1)}`)
    .join(', ');
  row('CPU time, app (all Chromium processes)', `${results.cpuSeconds.app.toFixed(1)} s`, byProcess);
  row('CPU time, native (median of all runs)', `${results.cpuSeconds.native.toFixed(1)} s`, 'user + system of every process');
  row('ratio app / native CPU time', results.cpuSeconds.appOverNative.toFixed(2), 'hardly moved by the machine\'s load, unlike the wall-time ratios');
  row('longest main-thread task, CPU time only', `${app.longestTaskCpuMs.toFixed(0)} ms`, `${app.tasksOverFiftyCpu} task(s) with ≥ 50 ms of CPU (trace; the rest of a long task is waiting for a core)`);
  row('peak renderer RSS', `${mb(app.peakRendererRss).toFixed(0)} MB`, `idle ${mb(app.idleRendererRss).toFixed(0)} MB`);
  row('peak Chromium PSS (all processes)', `${mb(app.peakTotalPss).toFixed(0)} MB`, `idle ${mb(app.idleTotalPss).toFixed(0)} MB`);
  row('peak main-thread JS heap', `${mb(app.peakJsHeapUsed).toFixed(1)} MB`, '');
  row('report agrees with native tools', results.verification.agreesWithNative ? 'yes' : 'NO', results.verification.mismatches.slice(0, 3).join('; '));
  if (big) {
    console.log('-'.repeat(92));
    console.log(`${basename(big.path)}: ${(big.size / 1e9).toFixed(2)} GB docker-archive, ${big.layers} uncompressed layers, ${big.entries} entries`);
    row('first view after the drop', `${big.firstViewMs.toFixed(0)} ms`, `target ≤ ${results.targets.firstViewMs} ms: ${verdict(big.firstViewMs <= results.targets.firstViewMs)}`);
    row('every layer listed and hashed', `${(big.analysisMs / 1000).toFixed(2)} s`, `${(mb(big.size) / (big.analysisMs / 1000)).toFixed(0)} MB/s`);
    row('longest main-thread task after the drop', `${big.longestTaskMs.toFixed(0)} ms`, `target < ${results.targets.longTaskMs} ms: ${verdict(big.longestTaskMs < results.targets.longTaskMs)}`);
    row('longest main-thread task, CPU time only', `${big.longestTaskCpuMs.toFixed(0)} ms`, `${big.tasksOverFiftyCpu} task(s) with ≥ 50 ms of CPU`);
    row('peak renderer RSS / Chromium PSS', `${mb(big.peakRendererRss).toFixed(0)} MB`, `${mb(big.peakTotalPss).toFixed(0)} MB (idle ${mb(big.idleRendererRss).toFixed(0)} / ${mb(big.idleTotalPss).toFixed(0)} MB)`);
    row('listing agrees with the generator', big.verification.agreesWithGenerator ? 'yes' : 'NO', big.verification.mismatches.slice(0, 3).join('; '));
  }
  console.log('-'.repeat(92));
  console.log(`results: ${join(outDir, 'results.json')}`);
}

await main();
