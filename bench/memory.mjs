// Samples the memory of the Chromium that this Node process launched, from
// /proc: every process descended from us whose executable is chromium,
// classified by its --type= switch (browser, renderer, gpu-process, utility).
// RSS counts shared pages in every process that maps them, so the total is
// the sum of PSS (proportional set size, /proc/<pid>/smaps_rollup), which
// splits shared pages between their users; the renderer figure is that one
// process's RSS (it runs the page's main thread and its workers).
import { readdirSync, readFileSync } from 'node:fs';

function readText(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Children lists of every live process, from /proc/<pid>/stat's ppid field. */
function processTree() {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readText(`/proc/${name}/stat`);
    if (!stat) continue;
    // The command name (field 2) is in parentheses and may contain spaces: parse after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const parent = Number(fields[1]);
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(Number(name));
  }
  return children;
}

/** Chromium processes under `rootPid`: [{pid, type}]. */
export function chromiumProcesses(rootPid = process.pid) {
  const children = processTree();
  const found = [];
  const stack = [...(children.get(rootPid) ?? [])];
  while (stack.length > 0) {
    const pid = stack.pop();
    stack.push(...(children.get(pid) ?? []));
    const cmdline = readText(`/proc/${pid}/cmdline`);
    if (!cmdline || !cmdline.split('\0')[0].includes('chromium')) continue;
    const type = /--type=([\w-]+)/.exec(cmdline)?.[1] ?? 'browser';
    const subtype = /--utility-sub-type=([\w.]+)/.exec(cmdline)?.[1];
    found.push({ pid, type: subtype ? `utility:${subtype.split('.').at(-1)}` : type });
  }
  return found;
}

function kilobytesField(text, field) {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text ?? '');
  return match ? Number(match[1]) * 1024 : 0;
}

/** One sample: {rendererRss (largest renderer), totalPss, byType: {type: pss}} in bytes. */
export function sampleChromiumMemory(rootPid = process.pid) {
  let rendererRss = 0;
  let totalPss = 0;
  const byType = {};
  for (const { pid, type } of chromiumProcesses(rootPid)) {
    const rollup = readText(`/proc/${pid}/smaps_rollup`);
    const pss = kilobytesField(rollup, 'Pss');
    totalPss += pss;
    byType[type] = (byType[type] ?? 0) + pss;
    if (type === 'renderer') rendererRss = Math.max(rendererRss, kilobytesField(readText(`/proc/${pid}/status`), 'VmRSS'));
  }
  return { rendererRss, totalPss, byType };
}

/**
 * Samples every `intervalMs` until stop() is called; also calls the optional
 * async `extra()` (e.g. CDP Performance.getMetrics) and keeps its maximum.
 * stop() resolves to {samples, peak: {rendererRss, totalPss, extra}}.
 */
export function startSampler(intervalMs, extra = null) {
  const samples = [];
  const peak = { rendererRss: 0, totalPss: 0, extra: 0, byType: {} };
  let running = true;
  const loop = (async () => {
    while (running) {
      const sample = sampleChromiumMemory();
      if (extra) sample.extra = await extra().catch(() => 0);
      samples.push({ at: performance.now(), ...sample });
      peak.rendererRss = Math.max(peak.rendererRss, sample.rendererRss);
      peak.extra = Math.max(peak.extra, sample.extra ?? 0);
      if (sample.totalPss > peak.totalPss) {
        peak.totalPss = sample.totalPss;
        peak.byType = sample.byType;
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { samples, peak };
    },
  };
}
