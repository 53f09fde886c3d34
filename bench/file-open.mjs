// File-open benchmark (issue 4): how long the viewer waits to open a file
// deep inside a big gzip layer, after the first scan.
//
//   node bench/file-open.mjs [image.tar] [--skip-off]   (default image: bench/out/realistic-oci.tar, see bench/generate.mjs)
//   --skip-off leaves out the slow no-cache mode (each deep open decodes the layer from its start).
//
// Builds bench/file-open/ (the app's pipeline and FilesystemClient without
// the UI) with Vite, opens the image in headless Chromium (harness flags, a
// persistent profile so that OPFS is on disk) and
// times "open a file" = fileInfo + readFile of the first 256 KiB, for the
// deepest small file and the largest file of the smallest and the largest
// layer, under each cache mode:
//   kept       what the app does: the first pass wrote every decompressed layer
//              to OPFS as it went by, so the first open right after the scan
//              is a positioned read (the target); the first pass is
//              also timed without keeping, for what keeping costs;
//   off        decode the layer from its start on every open (no cache);
//   on-demand  first open decodes the layer into OPFS (cold), then reads (warm);
//   prefetch   every layer is decoded into OPFS right after load.
// Prints a table and writes bench/out/file-open.json.
import { createServer } from 'node:http';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { rmSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { ensureRealisticImage, outDir } from './generate.mjs';
import { browserArgs } from '../test/e2e/harness.mjs';

const root = new URL('../', import.meta.url).pathname;
const pageDir = join(outDir, 'file-open-dist');
const profileDir = join(outDir, 'file-open-profile');
const TARGET_MS = 300;
const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

async function buildPage() {
  await build({
    configFile: false,
    root: join(root, 'bench/file-open'),
    base: './',
    logLevel: 'warn',
    worker: { format: 'es' },
    build: { outDir: pageDir, emptyOutDir: true, target: 'es2022' },
  });
}

async function serve(directory) {
  const server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, 'http://x').pathname)).replace(/^\/+/, '') || 'index.html';
    if (path.startsWith('..')) return response.writeHead(403).end();
    try {
      const body = await readFile(join(directory, path));
      response.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((done) => server.close(done)) };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
const ms = (value) => `${Math.round(value)} ms`;

async function main() {
  const skipOff = process.argv.includes('--skip-off');
  const imageArgument = process.argv.slice(2).find((argument) => !argument.startsWith('--'));
  const imagePath = imageArgument ? resolve(imageArgument) : (await ensureRealisticImage()).path;
  await buildPage();
  const server = await serve(pageDir);
  // A persistent profile, as people use: the OPFS of a fresh (incognito-like)
  // context is kept in memory by Chromium and fails after ~1–2 GB.
  rmSync(profileDir, { recursive: true, force: true });
  const browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: browserArgs,
  });
  const page = browser.pages()[0] ?? (await browser.newPage());
  page.on('pageerror', (error) => console.error('pageerror:', error.message));
  await page.goto(server.url);
  await page.waitForFunction(() => 'fileOpenBench' in window);
  await page.evaluate(() => window.fileOpenBench.clearCache());
  await page.getByLabel('Image file').setInputFiles(imagePath);
  const runScan = (keep) => page.evaluate((k) => window.fileOpenBench.scan(document.querySelector('input').files[0], 'off', k), keep);
  const open = (candidate) => page.evaluate(({ layer, path }) => window.fileOpenBench.openFile(layer, path), candidate);
  const reload = (mode, clear) => page.evaluate(([m, c]) => window.fileOpenBench.reload(m, c), [mode, clear]);
  // The first pass as the app runs it (decompressed layers kept in OPFS), and without keeping, for its cost.
  const scanWithoutKeeping = await runScan(false);
  await page.evaluate(() => window.fileOpenBench.clearCache());
  const scan = await runScan(true);

  const sizes = scan.layers.map((layer) => layer.uncompressedSize ?? 0);
  const large = sizes.indexOf(Math.max(...sizes));
  const small = sizes.indexOf(Math.min(...sizes.filter((size) => size > 0)));
  const pick = (layer) => scan.candidates.filter((candidate) => candidate.layer === layer);
  const rows = [];
  const record = (mode, phase, layer, candidate, result) => {
    rows.push({ mode, phase, layer, layerMB: sizes[layer] / 1e6, path: candidate.path, offsetMB: candidate.offset / 1e6, sizeKB: candidate.size / 1e3, ms: result.ms, kind: result.kind });
  };

  // What a person sees: the first open of any file right after the scan, with the layers the first pass kept.
  await reload('on-demand', false);
  for (const layer of [large, small]) {
    const [deep, ...others] = pick(layer);
    record('kept', 'first open', layer, deep, await open(deep));
    for (const candidate of others) record('kept', 'next opens', layer, candidate, await open(candidate));
  }

  for (const layer of skipOff ? [] : [small, large]) {
    const [deep, biggest] = pick(layer);
    for (const candidate of [deep, biggest]) record('off', 'every open', layer, candidate, await open(candidate));
  }

  await reload('on-demand', true);
  for (const layer of [small, large]) {
    const [deep, biggest, ...others] = pick(layer);
    record('on-demand', 'cold', layer, deep, await open(deep));
    for (const candidate of [biggest, ...others]) record('on-demand', 'warm', layer, candidate, await open(candidate));
  }
  await reload('on-demand', false);
  for (const layer of [small, large]) {
    for (const candidate of pick(layer)) record('on-demand', 'warm, new worker', layer, candidate, await open(candidate));
  }

  await reload('prefetch', true);
  const prefetchStarted = Date.now();
  for (const layer of [large, small]) {
    const [deep, ...others] = pick(layer);
    record('prefetch', 'right after load', layer, deep, await open(deep));
    for (const candidate of others) record('prefetch', 'warm', layer, candidate, await open(candidate));
  }
  const prefetchMs = Date.now() - prefetchStarted;
  const usage = await page.evaluate(() => window.fileOpenBench.usage());
  await browser.close();
  await server.close();
  rmSync(profileDir, { recursive: true, force: true });

  console.log(`image ${imagePath} (${((await stat(imagePath)).size / 1e6).toFixed(0)} MB), layers ${scan.layers.length}, uncompressed ${(sizes.reduce((a, b) => a + b, 0) / 1e6).toFixed(0)} MB`);
  console.log(`first pass ${ms(scan.scanMs)} keeping the decompressed layers, ${ms(scanWithoutKeeping.scanMs)} without`);
  console.log(`scan ${ms(scan.scanMs)}, filesystem load ${ms(scan.loadMs)}, OPFS usage after ${(usage.usage / 1e6).toFixed(0)} MB, prefetch phase ${ms(prefetchMs)}`);
  console.log('mode       phase             layer  layerMB  offsetMB  sizeKB    ms  path');
  for (const row of rows) {
    console.log(`${row.mode.padEnd(10)} ${row.phase.padEnd(17)} ${String(row.layer).padStart(5)} ${row.layerMB.toFixed(0).padStart(8)} ${row.offsetMB.toFixed(1).padStart(9)} ${row.sizeKB.toFixed(0).padStart(7)} ${String(Math.round(row.ms)).padStart(5)}  ${row.path}`);
  }
  const kept = rows.filter((row) => row.mode === 'kept');
  const worstKept = Math.max(...kept.map((row) => row.ms));
  console.log(`opens right after the scan (layers kept by the first pass): median ${ms(median(kept.map((row) => row.ms)))}, worst ${ms(worstKept)} (target < ${TARGET_MS} ms: ${worstKept < TARGET_MS ? 'met' : 'NOT met'})`);
  const warm = rows.filter((row) => row.phase.startsWith('warm'));
  const worstWarm = Math.max(...warm.map((row) => row.ms));
  console.log(`warm opens: median ${ms(median(warm.map((row) => row.ms)))}, worst ${ms(worstWarm)} (target < ${TARGET_MS} ms: ${worstWarm < TARGET_MS ? 'met' : 'NOT met'})`);
  await writeFile(join(outDir, 'file-open.json'), `${JSON.stringify({ image: imagePath, scan, scanWithoutKeeping: { scanMs: scanWithoutKeeping.scanMs }, rows, prefetchMs, usage }, null, 2)}\n`);
}

await main();
