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
      if (!map || line < 0 || column < 0) return null;
      let original;
      try {
        original = originalPositionFor(map, { line: line + 1, column });
      } catch {
        // A position past the map's last line (trace frames are not always exact).
        return null;
      }
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

/** Trace categories: the renderer's task timeline, plus V8's sampling profiler on every thread (workers too). */
export const TRACE_CATEGORIES = ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'disabled-by-default-v8.cpu_profiler', 'v8.execute'];

/** Timeline events worth naming when they run inside a long task. */
const TIMELINE_EVENTS = new Set([
  'UpdateLayoutTree', 'Layout', 'PrePaint', 'Paint', 'Layerize', 'Commit', 'FunctionCall', 'TimerFire', 'FireAnimationFrame',
  'EventDispatch', 'v8.compile', 'v8.compileModule', 'v8.evaluateModule', 'ParseHTML', 'MajorGC', 'MinorGC', 'V8.GC_SCAVENGER',
  'HitTest', 'ScheduleStyleRecalculation', 'RunMicrotasks', 'XHRReadyStateChange', 'v8.run', 'V8.Execute',
]);

/**
 * Summarizes a Chromium trace (JSON from browser.stopTracing()) of one run:
 * for each thread of the renderer that ran JavaScript (main thread, layer
 * workers), the self time per function from V8's sampling profiler; and for
 * each long task [{startTime, duration}] (performance.now() ms, aligned by
 * `offsetMicros`), the inclusive time of the timeline events inside it
 * (Layout, UpdateLayoutTree, FunctionCall…, nested events counted in each).
 */
export async function summarizeTrace(traceJson, sourceMaps, offsetMicros, longTasks = [], limit = 12) {
  const trace = await loadTracer(sourceMaps);
  const events = JSON.parse(traceJson).traceEvents ?? [];
  const threadNames = new Map();
  for (const event of events) {
    if (event.ph === 'M' && event.name === 'thread_name') threadNames.set(`${event.pid}:${event.tid}`, event.args.name);
  }
  // V8 profile chunks: nodes arrive incrementally per profile id; samples carry time deltas.
  const profiles = new Map();
  for (const event of events) {
    if (event.name === 'Profile') profiles.set(event.id, { thread: `${event.pid}:${event.tid}`, nodes: new Map(), samples: [] });
    if (event.name !== 'ProfileChunk') continue;
    const profile = profiles.get(event.id);
    const data = event.args?.data;
    if (!profile || !data) continue;
    for (const node of data.cpuProfile?.nodes ?? []) profile.nodes.set(node.id, node);
    const samples = data.cpuProfile?.samples ?? [];
    samples.forEach((id, index) => profile.samples.push({ id, delta: data.timeDeltas?.[index] ?? 0 }));
  }
  const threads = [];
  const seen = new Set();
  for (const profile of profiles.values()) {
    // The CDP Profiler's own session shows up as a second profile of the main thread: keep one per thread.
    if (seen.has(profile.thread)) continue;
    seen.add(profile.thread);
    const self = new Map();
    let total = 0;
    profile.samples.forEach((sample, index) => {
      const micros = profile.samples[index + 1]?.delta ?? 0;
      const frame = profile.nodes.get(sample.id)?.callFrame;
      if (!frame) return;
      const where = frame.url ? ` ${frame.url.slice(frame.url.lastIndexOf('/') + 1)}:${frame.lineNumber + 1}` : '';
      const name = (frame.url && trace(frame.url, frame.lineNumber, frame.columnNumber)) || `${frame.functionName || '(anonymous)'}${where}`;
      self.set(name, (self.get(name) ?? 0) + micros);
      total += micros;
    });
    const busy = total - (self.get('(idle)') ?? 0);
    if (busy < 50_000) continue;
    threads.push({
      thread: threadNames.get(profile.thread) ?? profile.thread,
      busyMs: busy / 1000,
      top: [...self.entries()]
        .map(([name, micros]) => ({ name, selfMs: micros / 1000 }))
        .sort((a, b) => b.selfMs - a.selfMs)
        .slice(0, limit),
    });
  }
  const mainThreads = new Set([...threadNames].filter(([, name]) => name === 'CrRendererMain').map(([key]) => key));
  const windows = longTasks.map((task) => {
    const from = task.startTime * 1000 + offsetMicros;
    const to = from + task.duration * 1000;
    const inclusive = new Map();
    for (const event of events) {
      if (event.ph !== 'X' || !TIMELINE_EVENTS.has(event.name) || !mainThreads.has(`${event.pid}:${event.tid}`)) continue;
      if (event.ts + (event.dur ?? 0) <= from || event.ts >= to) continue;
      const name = event.name === 'FunctionCall' && event.args?.data?.functionName ? `FunctionCall ${event.args.data.functionName}` : event.name;
      inclusive.set(name, (inclusive.get(name) ?? 0) + Math.min(event.ts + event.dur, to) - Math.max(event.ts, from));
    }
    // The task itself: wall time (dur) against the thread's CPU time (tdur). On a loaded machine the
    // difference is time the main thread waited for a core, not work the app did.
    const runTask = events.find(
      (event) =>
        event.ph === 'X' &&
        (event.name === 'RunTask' || event.name === 'ThreadControllerImpl::RunTask') &&
        mainThreads.has(`${event.pid}:${event.tid}`) &&
        event.ts < to &&
        event.ts + event.dur > from &&
        event.dur >= 0.8 * task.duration * 1000,
    );
    return {
      startTime: task.startTime,
      duration: task.duration,
      wallMs: runTask ? runTask.dur / 1000 : null,
      cpuMs: runTask?.tdur !== undefined ? runTask.tdur / 1000 : null,
      events: [...inclusive.entries()]
        .map(([name, micros]) => ({ name, ms: micros / 1000 }))
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 8),
    };
  });
  return { threads: threads.sort((a, b) => b.busyMs - a.busyMs), longTasks: windows };
}

const TASK_EVENTS = new Set(['RunTask', 'ThreadControllerImpl::RunTask']);

/**
 * The renderer main thread's tasks in a trace recorded with the 'toplevel'
 * category: the longest by wall time, and the longest by the thread's own CPU
 * time (`tdur`). On a loaded machine a task's wall time includes the time its
 * thread waited for a core; its CPU time is the work the app did.
 * Returns {tasks, overFiftyWall, overFiftyCpu, longestWallMs, longestCpuMs}
 * for the main thread that ran the most, or null without one.
 */
export function mainThreadTasks(traceJson) {
  const events = JSON.parse(traceJson).traceEvents ?? [];
  const mainThreads = new Set();
  for (const event of events) {
    if (event.ph === 'M' && event.name === 'thread_name' && event.args?.name === 'CrRendererMain') mainThreads.add(`${event.pid}:${event.tid}`);
  }
  const byThread = new Map();
  for (const event of events) {
    const key = `${event.pid}:${event.tid}`;
    if (event.ph !== 'X' || !TASK_EVENTS.has(event.name) || !mainThreads.has(key)) continue;
    if (!byThread.has(key)) byThread.set(key, []);
    byThread.get(key).push({ wallMs: event.dur / 1000, cpuMs: (event.tdur ?? event.dur) / 1000 });
  }
  const busiest = [...byThread.values()].sort(
    (a, b) => b.reduce((sum, task) => sum + task.cpuMs, 0) - a.reduce((sum, task) => sum + task.cpuMs, 0),
  )[0];
  if (!busiest) return null;
  return {
    tasks: busiest.length,
    overFiftyWall: busiest.filter((task) => task.wallMs >= 50).length,
    overFiftyCpu: busiest.filter((task) => task.cpuMs >= 50).length,
    longestWallMs: Math.max(...busiest.map((task) => task.wallMs)),
    longestCpuMs: Math.max(...busiest.map((task) => task.cpuMs)),
  };
}
