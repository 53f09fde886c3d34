// The app side of the benchmark: opens one archive in the built app (through
// test/e2e/harness.mjs, the way the end-to-end tests do), and records
//
// - report.json's timings (firstViewMs: drop → first overview painted,
//   analysisMs: drop → report ready), measured by the app itself from the
//   moment its file input's change event (or drop event) fired;
// - every main-thread long task (PerformanceObserver 'longtask', installed
//   before the app's scripts run), split into those before and after the drop;
//   and, from a Chromium trace of the run ('toplevel'), each main-thread
//   task's CPU time next to its wall time;
// - memory: /proc PSS/RSS of Chromium's processes (bench/memory.mjs) and the
//   page's main-thread JS heap (CDP Performance.getMetrics JSHeapUsedSize);
// - the layer workers the app started.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { browserArgs, downloadReport, openApp, openFiles, keptLayers } from '../test/e2e/harness.mjs';
import { startSampler } from './memory.mjs';
import { TRACE_CATEGORIES, mainThreadTasks, snapshotSourceMaps, startProfile, summarizeProfile, summarizeTrace } from './profile.mjs';

const SAMPLE_INTERVAL_MS = 100;

/** Runs before any of the app's scripts: collects long tasks and the time of the first file input change. */
function installProbes() {
  const probes = { longTasks: [], changeAt: null, observing: false };
  Object.defineProperty(window, '__tarsierBench', { value: probes });
  addEventListener('change', () => (probes.changeAt ??= performance.now()), true);
  addEventListener('drop', () => (probes.changeAt ??= performance.now()), true);
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) probes.longTasks.push({ startTime: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
    probes.observing = true;
  } catch {
    // Long tasks are a Chromium API; without it the figure is reported as unavailable.
  }
}

/** Settles after `ms` without rejecting. */
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits, polling every 250 ms, until "Download report" is enabled. The
 * harness's downloadReport polls on every animation frame, which would put
 * the benchmark's own work on the main thread it measures for the whole run.
 */
async function waitForReportReady(page, timeoutMs) {
  await page.waitForFunction(
    () => [...document.querySelectorAll('button')].some((button) => button.textContent?.trim() === 'Download report' && !button.disabled),
    null,
    { timeout: timeoutMs, polling: 250 },
  );
}

/**
 * Opens `archivePath` in a fresh page of `browser` served at `url`.
 * With `profile`, also samples the main thread's CPU and records a Chromium
 * trace with V8's sampling profiler on every thread (bench/profile.mjs).
 * Returns {report, timings, longTasks, memory, cpuSeconds (per Chromium
 * process type, drop → report ready), workers, problems, wallSeconds, profile?}.
 */
export async function runApp(browser, url, archivePath, { timeoutMs = 600_000, profile = false } = {}) {
  const sourceMaps = profile ? snapshotSourceMaps() : null;
  const { context, page, problems } = await openApp(browser, url);
  try {
    await page.addInitScript(installProbes);
    await page.reload({ waitUntil: 'load' });
    const workers = [];
    page.on('worker', (worker) => workers.push(worker.url()));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const heapUsed = async () => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      return metrics.find((metric) => metric.name === 'JSHeapUsedSize')?.value ?? 0;
    };
    // Let the page settle, then take the idle baseline.
    await pause(1000);
    const idleSampler = startSampler(SAMPLE_INTERVAL_MS, heapUsed);
    await pause(500);
    const idle = (await idleSampler.stop()).peak;

    // 'toplevel' alone is cheap: it gives every task's wall and CPU time (see mainThreadTasks).
    await browser.startTracing(page, { categories: profile ? TRACE_CATEGORIES : ['toplevel'] });
    const stopProfile = profile ? await startProfile(cdp, page) : null;
    const sampler = startSampler(SAMPLE_INTERVAL_MS, heapUsed);
    const started = performance.now();
    await openFiles(page, [archivePath]);
    await waitForReportReady(page, timeoutMs);
    const wallSeconds = (performance.now() - started) / 1000;
    const { peak, samples, cpuSeconds } = await sampler.stop();
    const cpuProfile = stopProfile ? await stopProfile() : null;
    const traceJson = (await browser.stopTracing()).toString('utf8');
    // Long task entries arrive asynchronously; read them before the download click adds its own work.
    await pause(200);
    const probes = await page.evaluate(() => window.__tarsierBench);
    const { report } = await downloadReport(page, timeoutMs);
    const afterDrop = probes.longTasks.filter((task) => probes.changeAt !== null && task.startTime >= probes.changeAt);
    const beforeDrop = probes.longTasks.filter((task) => !afterDrop.includes(task));
    const longest = (tasks) => tasks.reduce((max, task) => Math.max(max, task.duration), 0);
    await cdp.detach();
    return {
      report,
      timings: report.timings,
      wallSeconds,
      longTasks: {
        observed: probes.observing,
        afterDrop: { count: afterDrop.length, longestMs: longest(afterDrop), totalMs: afterDrop.reduce((sum, task) => sum + task.duration, 0) },
        pageLoad: { count: beforeDrop.length, longestMs: longest(beforeDrop) },
        mainThreadTasks: mainThreadTasks(traceJson),
        tasks: afterDrop,
      },
      memory: {
        method: '/proc smaps_rollup Pss summed over the Chromium processes this run launched; VmRSS of the largest renderer; CDP Performance.getMetrics JSHeapUsedSize (main thread)',
        samples,
        idle: { rendererRss: idle.rendererRss, totalPss: idle.totalPss, jsHeapUsed: idle.extra },
        peak: { rendererRss: peak.rendererRss, totalPss: peak.totalPss, jsHeapUsed: peak.extra, pssByType: peak.byType },
      },
      cpuSeconds,
      workers: [...new Set(workers)].map((workerUrl) => workerUrl.slice(workerUrl.lastIndexOf('/') + 1)),
      workerCount: workers.length,
      problems,
      ...(cpuProfile && {
        profile: {
          raw: cpuProfile.profile,
          ...(await summarizeProfile(cpuProfile, sourceMaps, afterDrop)),
          trace: await summarizeTrace(traceJson, sourceMaps, cpuProfile.offsetMicros, afterDrop),
        },
      }),
    };
  } finally {
    await context.close();
  }
}

/**
 * Opens `archivePath` in a browser with an on-disk profile, as people use it:
 * a fresh context of `runApp` is a private window, whose OPFS Chromium keeps
 * in memory, so there the first pass does not keep the decompressed layers
 * (workers/storage/layer-store.ts); here it does, and this run's time includes that.
 * Returns {timings, layersKept, keptBytes}.
 */
export async function runAppOnDisk(url, archivePath, timeoutMs) {
  const profileDir = mkdtempSync(join(tmpdir(), 'tarsier-bench-profile-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: browserArgs,
    acceptDownloads: true,
    serviceWorkers: 'block',
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(url);
    await openFiles(page, [archivePath]);
    await waitForReportReady(page, timeoutMs);
    const { report } = await downloadReport(page, timeoutMs);
    const kept = (await keptLayers(page)).filter((file) => file.name.endsWith('.tar'));
    return { timings: report.timings, layersKept: kept.length, keptBytes: kept.reduce((sum, file) => sum + file.size, 0) };
  } finally {
    await context.close();
    rmSync(profileDir, { recursive: true, force: true });
  }
}
