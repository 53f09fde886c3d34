// `tarsier report` against the page on the same image (issue 13: "as fast as
// the page or faster"):
//
//   node bench/cli.mjs [image.tar] [--runs N]      (after `npm run build`)
//
// Without an image it uses the benchmark's realistic oci-archive
// (bench/generate.mjs, built once). Each run, interleaved so that the
// machine's load hits both alike: the built app in headless Chromium (report
// ready = every layer hashed, inflated and walked: report.json
// timings.analysisMs), then the command, whose stderr summary splits its
// time into the layer pass (the page's work) and the analyses (efficiency,
// duplicates, findings, which the page does not run yet), with CPU times of
// both (all Chromium processes; the command under GNU time). Prints medians
// and writes bench/out/cli.json.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, startStaticServer } from '../test/e2e/harness.mjs';
import { runApp } from './app.mjs';
import { ensureRealisticImage, outDir } from './generate.mjs';
import { warmPageCache } from './native.mjs';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Math.max(1, Number(args[runsAt + 1]) || 1) : 3;
const given = args.find((arg, index) => !arg.startsWith('--') && args[index - 1] !== '--runs');
const image = given ? resolve(given) : (await ensureRealisticImage()).path;
const command = fileURLToPath(new URL('../dist-cli/tarsier.mjs', import.meta.url));

/** Runs the command under GNU time: its wall time, its phases (from its summary) and its CPU time. */
function runCommand() {
  const started = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', 'node', command, 'report', image, '--output', '/dev/null'], { encoding: 'utf8' });
  const wallMs = performance.now() - started;
  const phases = /layers read in (\d+) ms, analysed in (\d+) ms/.exec(result.stderr);
  const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(result.stderr);
  if (result.status !== 0 || !phases || !cpu) throw new Error(`tarsier report failed (${result.status}): ${result.stderr}`);
  return { wallMs, layersMs: Number(phases[1]), analysisMs: Number(phases[2]), cpuSeconds: Number(cpu[1]) + Number(cpu[2]) };
}

warmPageCache([image]);
const server = await startStaticServer();
const browser = await launchBrowser();
const app = [];
const cli = [];
const loads = [loadavg()[0]];
try {
  for (let run = 0; run < runs; run += 1) {
    const { timings, cpuSeconds } = await runApp(browser, server.url, image);
    app.push({ ms: timings.analysisMs, cpuSeconds: Object.values(cpuSeconds).reduce((sum, seconds) => sum + seconds, 0) });
    cli.push(runCommand());
    loads.push(loadavg()[0]);
  }
} finally {
  await browser.close();
  await server.close();
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
console.log(`${image}; ${runs} run(s); load average ${loads.map((load) => load.toFixed(1)).join(' → ')}`);
const list = (values, format) => `[${values.map(format).join(', ')}]`;
const cpu = (value) => `${value.toFixed(1)} s`;
console.log(`page, drop → report ready (layer pass):       ${seconds(median(app.map((a) => a.ms)))} ${list(app, (a) => seconds(a.ms))}; CPU ${cpu(median(app.map((a) => a.cpuSeconds)))} (every Chromium process)`);
console.log(`tarsier report, layer pass:                   ${seconds(median(cli.map((c) => c.layersMs)))} ${list(cli, (c) => seconds(c.layersMs))}`);
console.log(`tarsier report, analyses:                     ${seconds(median(cli.map((c) => c.analysisMs)))} ${list(cli, (c) => seconds(c.analysisMs))}`);
console.log(`tarsier report, whole process (start → exit): ${seconds(median(cli.map((c) => c.wallMs)))} ${list(cli, (c) => seconds(c.wallMs))}; CPU ${cpu(median(cli.map((c) => c.cpuSeconds)))} (layer pass and analyses)`);
writeFileSync(join(outDir, 'cli.json'), JSON.stringify({ image, runs, loads, appMs: app, cli }, null, 2));
