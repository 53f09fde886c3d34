// A CPU profile of the page's main thread (CDP Profiler), for `--profile`:
// says where main-thread time goes after the drop, overall and inside each
// long task. Positions in the minified bundle are mapped back to src/ through
// Vite's source maps with @jridgewell/trace-mapping (installed with Vite's
// tooling; without it the bundle positions are printed).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { distDir } from '../test/e2e/harness.mjs';

/** The built bundle's source maps, read now: a concurrent `vite build` may replace dist/ before the summary. */
export function snapshotSourceMaps() {
  const assets = join(distDir, 'assets');
  const maps = new Map();
  if (!existsSync(assets)) return maps;
  for (const name of readdirSync(assets)) {
    if (name.endsWith('.js.map')) maps.set(name.slice(0, -'.map'.length), readFileSync(join(assets, name), 'utf8'));
  }
  return maps;
}

/**
 * Starts sampling the main thread of `page` (behind `cdp`) every 100 µs.
 * Resolves to a function that stops and returns {profile, offsetMicros}, where
 * a profile timestamp minus offsetMicros is the page's performance.now() in µs.
 */
export async function startProfile(cdp, page) {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  // The profile's clock is Chromium's monotonic TimeTicks, performance.now() counts from the page's
  // time origin on that same clock: one reading aligns them (to within the evaluate's latency).
  const before = await page.evaluate(() => performance.now());
  return async () => {
    const { profile } = await cdp.send('Profiler.stop');
    return { profile, offsetMicros: profile.startTime - before * 1000 };
  };
}

async function loadTracer(sourceMaps) {
  try {
    const { TraceMap, originalPositionFor } = await import('@jridgewell/trace-mapping');
    const parsed = new Map();
    return (url, line, column) => {
      const file = url.slice(url.lastIndexOf('/') + 1);
      if (!parsed.has(file)) parsed.set(file, sourceMaps.has(file) ? new TraceMap(sourceMaps.get(file)) : null);
      const map = parsed.get(file);
      const original = map && originalPositionFor(map, { line: line + 1, column });
      if (!original?.source) return null;
      return `${original.name ?? '(anonymous)'} ${original.source.replace(/^(\.\.\/)+/, '')}:${original.line}`;
    };
  } catch {
    return () => null;
  }
}

/**
 * Self time per function in `profile` (overall, and inside each of the
 * `longTasks` [{startTime, duration}] in performance.now() ms), biggest first.
 * Returns {top: [{name, selfMs}], longTasks: [{startTime, duration, top}]}.
 */
export async function summarizeProfile({ profile, offsetMicros }, sourceMaps, longTasks = [], limit = 15) {
  const trace = await loadTracer(sourceMaps);
  const names = new Map();
  for (const node of profile.nodes) {
    const { callFrame } = node;
    const mapped = callFrame.url ? trace(callFrame.url, callFrame.lineNumber, callFrame.columnNumber) : null;
    const where = callFrame.url ? ` ${callFrame.url.slice(callFrame.url.lastIndexOf('/') + 1)}:${callFrame.lineNumber + 1}:${callFrame.columnNumber + 1}` : '';
    names.set(node.id, mapped ?? `${callFrame.functionName || '(anonymous)'}${where}`);
  }
  const windows = longTasks.map((task) => ({ ...task, self: new Map() }));
  const overall = new Map();
  let time = profile.startTime;
  profile.samples.forEach((id, index) => {
    time += profile.timeDeltas[index];
    const micros = profile.timeDeltas[index + 1] ?? 0;
    const name = names.get(id);
    overall.set(name, (overall.get(name) ?? 0) + micros);
    const pageMs = (time - offsetMicros) / 1000;
    for (const window of windows) {
      if (pageMs >= window.startTime && pageMs < window.startTime + window.duration) window.self.set(name, (window.self.get(name) ?? 0) + micros);
    }
  });
  const rank = (self, count) =>
    [...self.entries()]
      .map(([name, micros]) => ({ name, selfMs: micros / 1000 }))
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, count);
  return {
    top: rank(overall, limit),
    longTasks: windows.map(({ startTime, duration, self }) => ({ startTime, duration, top: rank(self, 6) })),
  };
}
