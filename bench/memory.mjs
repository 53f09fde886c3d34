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

const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat fields 14 and 15. */
function cpuSecondsOf(pid) {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return 0;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/**
 * One sample: {rendererRss (largest renderer), totalPss, byType: {type: pss}}
 * in bytes, and cpu: {pid: {type, seconds}} (CPU used so far).
 */
export function sampleChromiumMemory(rootPid = process.pid) {
  let rendererRss = 0;
  let totalPss = 0;
  const byType = {};
  const cpu = {};
  for (const { pid, type } of chromiumProcesses(rootPid)) {
    cpu[pid] = { type, seconds: cpuSecondsOf(pid) };
    const rollup = readText(`/proc/${pid}/smaps_rollup`);
    const pss = kilobytesField(rollup, 'Pss');
    totalPss += pss;
    byType[type] = (byType[type] ?? 0) + pss;
    if (type === 'renderer') rendererRss = Math.max(rendererRss, kilobytesField(readText(`/proc/${pid}/status`), 'VmRSS'));
  }
  return { rendererRss, totalPss, byType, cpu };
}

/** CPU seconds used between two samples, per process type (a process born in between counts from 0). */
function cpuBetween(first, last) {
  const byType = {};
  for (const [pid, { type, seconds }] of Object.entries(last.cpu)) {
    byType[type] = (byType[type] ?? 0) + seconds - (first.cpu[pid]?.seconds ?? 0);
  }
  return byType;
}

/**
 * Samples every `intervalMs` until stop() is called; also calls the optional
 * async `extra()` (e.g. CDP Performance.getMetrics) and keeps its maximum.
 * stop() resolves to {samples (count), peak: {rendererRss, totalPss, extra,
 * byType}, cpuSeconds: {type: CPU seconds used while sampling}}.
 */
export function startSampler(intervalMs, extra = null) {
  const first = sampleChromiumMemory();
  const peak = { rendererRss: 0, totalPss: 0, extra: 0, byType: {} };
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const sample = sampleChromiumMemory();
      const extraValue = extra ? await extra().catch(() => 0) : 0;
      samples += 1;
      peak.rendererRss = Math.max(peak.rendererRss, sample.rendererRss);
      peak.extra = Math.max(peak.extra, extraValue);
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
      return { samples, peak, cpuSeconds: cpuBetween(first, sampleChromiumMemory()) };
    },
  };
}
