// End-to-end harness: serves the built app (dist/) on 127.0.0.1 from a
// sub-path, drives Debian's Chromium through playwright-core, and reads the
// downloaded report.json — the same way a person (or their CI) would.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';

const root = new URL('../../', import.meta.url).pathname;
/** The built app; TARSIER_DIST serves another build (e.g. a private copy while others rebuild dist/). */
export const distDir = process.env.TARSIER_DIST ?? join(root, 'dist');
export const fixturesDir = join(root, 'test/fixtures/generated');
/** The app is served from a sub-path to prove that relative asset URLs work. */
export const basePath = '/some/sub/path/';

const contentTypes = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.tar': 'application/x-tar',
  '.webmanifest': 'application/manifest+json',
};

/** Serves dist/ under basePath; resolves to { url, close }. */
export async function startStaticServer() {
  const server = createServer(async (request, response) => {
    const url = new URL(request.url, 'http://x');
    if (!url.pathname.startsWith(basePath)) {
      response.writeHead(404).end();
      return;
    }
    const relative = normalize(decodeURIComponent(url.pathname.slice(basePath.length)) || 'index.html');
    if (relative.startsWith('..')) {
      response.writeHead(403).end();
      return;
    }
    const path = join(distDir, relative);
    try {
      const info = await stat(path);
      const file = info.isDirectory() ? join(path, 'index.html') : path;
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': contentTypes[extname(file)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** The Chromium flags this machine needs (no sandbox as root, headless, no background traffic). */
export const browserArgs = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Launches headless Chromium with the flags this machine needs. */
export async function launchBrowser() {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: browserArgs });
}

/**
 * Opens the app in a fresh context; collects console errors, page errors and
 * CSP violations so that tests can assert there were none. `setup` may
 * carry `contextOptions` for browser.newContext and an `initScript` that runs
 * before the app's own scripts in every page of the context.
 */
export async function openApp(browser, url, hash = '', setup = {}) {
  // Service workers are blocked unless a test asks for them (offline.test.mjs): requests
  // made by a service worker bypass page.route, which dropFiles relies on.
  const context = await browser.newContext({ acceptDownloads: true, serviceWorkers: 'block', ...setup.contextOptions });
  if (setup.initScript) await context.addInitScript(setup.initScript);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  await page.goto(url + hash);
  return { context, page, problems };
}

/** Opens files through the "Open image files" input, as a person picking them would. */
export async function openFiles(page, paths) {
  await page.getByLabel('Open image files').setInputFiles(paths);
}

/** Opens a folder through the "Open folder" input. */
export async function openFolder(page, path) {
  await page.getByLabel('Open folder').setInputFiles(path);
}

/** Waits for "Download report" to be enabled, clicks it, and parses the saved report.json. */
export async function downloadReport(page, timeout = 120_000) {
  const button = page.getByRole('button', { name: 'Download report' });
  await button.waitFor({ state: 'visible', timeout });
  await page.waitForFunction(
    () => {
      const candidates = [...document.querySelectorAll('button')].filter(
        (element) => element.textContent?.trim() === 'Download report' || element.getAttribute('aria-label') === 'Download report',
      );
      return candidates.some((element) => !element.disabled);
    },
    null,
    // Polled every 100 ms rather than every frame, to leave the main thread to the app.
    { timeout, polling: 100 },
  );
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), report: JSON.parse(await readFile(path, 'utf8')) };
}

// ---------------------------------------------------------------------------
// Shared pieces for the e2e test files (node:test). One browser and one static
// server per file; a fresh browser context per test.

export const expectedDir = join(fixturesDir, 'expected');

/** Reads a JSON file from test/fixtures/generated/expected/ (`oci-archive.tar.json`, `oci-archive.tar/manifest.json`). */
export async function readExpected(relativePath) {
  return JSON.parse(await readFile(join(expectedDir, relativePath), 'utf8'));
}

/** The report.json layer fields that test/fixtures/generated/expected/<fixture>.json also has. */
export function layerFacts(layer) {
  return {
    mediaType: layer.mediaType ?? null,
    digest: layer.digest,
    size: layer.size,
    compression: layer.compression,
    diffId: layer.diffId,
    uncompressedSize: layer.uncompressedSize,
    entries: layer.entries,
    whiteouts: layer.whiteouts,
  };
}

/** A platform as {os, architecture, variant}, with an absent variant as null (as expected/*.json writes it). */
export function platformFacts(platform) {
  if (!platform) return null;
  return { os: platform.os, architecture: platform.architecture, variant: platform.variant ?? null };
}

/**
 * Registers node:test before/after hooks that start one static server and one
 * browser for the file. Returns an object whose `server`/`browser` are set once
 * `before` has run, and `open(hash)` which opens the app in a fresh context
 * that is closed after the test.
 */
export function useApp(hooks) {
  const shared = { server: null, browser: null, contexts: [] };
  hooks.before(async () => {
    shared.server = await startStaticServer();
    shared.browser = await launchBrowser();
  });
  hooks.afterEach(async () => {
    const contexts = shared.contexts.splice(0);
    await Promise.all(contexts.map((context) => context.close().catch(() => {})));
  });
  hooks.after(async () => {
    await shared.browser?.close();
    await shared.server?.close();
  });
  shared.open = async (hash = '', setup) => {
    const opened = await openApp(shared.browser, shared.server.url, hash, setup);
    shared.contexts.push(opened.context);
    return opened;
  };
  return shared;
}

/** Waits until the page's visible text matches `pattern` (a RegExp or a string). */
export async function waitForText(page, pattern, timeout = 30_000) {
  const source = pattern instanceof RegExp ? pattern.source : pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const flags = pattern instanceof RegExp ? pattern.flags : '';
  await page.waitForFunction(
    ([text, textFlags]) => new RegExp(text, textFlags).test(document.body.innerText),
    [source, flags],
    { timeout, polling: 100 },
  );
}

/**
 * Drops files on the page with a synthetic `drop` event whose DataTransfer is
 * built in the page from the files' bytes (served through a Playwright route),
 * the way a drag from the desktop delivers them.
 */
export async function dropFiles(page, paths, target = 'body') {
  const names = paths.map((path) => path.split('/').pop());
  await page.route('**/__tarsier-e2e-drop/**', async (route) => {
    const index = Number(new URL(route.request().url()).pathname.split('/').pop());
    route.fulfill({ status: 200, body: await readFile(paths[index]), contentType: 'application/octet-stream' });
  });
  await page.evaluate(
    async ([fileNames, selector]) => {
      const transfer = new DataTransfer();
      for (const [index, name] of fileNames.entries()) {
        const response = await fetch(`./__tarsier-e2e-drop/${index}`);
        transfer.items.add(new File([await response.blob()], name, { lastModified: 0 }));
      }
      const element = document.querySelector(selector);
      for (const type of ['dragenter', 'dragover', 'drop']) {
        element.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
      }
    },
    [names, target],
  );
}

const sha256 = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** The platform the legacy archive names: the top layer's v1 `<id>/json` (read with GNU tar). */
function legacyPlatform(fixture) {
  const path = join(fixturesDir, fixture);
  const repositories = JSON.parse(execFileSync('tar', ['-xOf', path, 'repositories'], { encoding: 'utf8' }));
  const [tags] = Object.values(repositories);
  const [topId] = Object.values(tags);
  const json = JSON.parse(execFileSync('tar', ['-xOf', path, `${topId}/json`], { encoding: 'utf8' }));
  return { os: json.os, architecture: json.architecture, variant: json.variant ?? null };
}

/**
 * Docker 25+ archives carry an OCI manifest next to manifest.json; its layer
 * descriptors' media types (read with GNU tar) are what the report must show.
 * (expected/*.json leaves them null: lib/expected.sh only reads manifest.json.)
 */
function dockerOciLayerTypes(fixture) {
  const path = join(fixturesDir, fixture);
  const index = JSON.parse(execFileSync('tar', ['-xOf', path, 'index.json'], { encoding: 'utf8' }));
  const digest = index.manifests[0].digest.slice('sha256:'.length);
  const manifest = JSON.parse(execFileSync('tar', ['-xOf', path, `blobs/sha256/${digest}`], { encoding: 'utf8' }));
  return manifest.layers.map((layer) => layer.mediaType);
}

/**
 * Where the source has no layer descriptor (docker-archive manifest.json, a
 * single layer) expected/*.json has mediaType null. The report may leave it
 * null or name a layer media type, but then one that says the compression the
 * bytes really have.
 */
function assertSynthesizedLayerType(layer, where) {
  if (layer.mediaType === null || layer.mediaType === undefined) return;
  const suffix = { none: /(\.tar|\.tar\.layer)$/, gzip: /(\+gzip|\.tar\.gzip)$/, zstd: /(\+zstd|\.tar\.zstd)$/ }[layer.compression];
  assert.match(layer.mediaType, /^application\/vnd\.(oci\.image\.layer\.v1|docker\.image\.rootfs\.diff)\./, `${where} mediaType`);
  assert.match(layer.mediaType, suffix, `${where} mediaType vs compression ${layer.compression}`);
}

/** Asserts the report of a good source against expected/<name>.json and skopeo's / tar's own files. */
export async function assertMatchesExpected(report, name, { layerDigest = 'ok', size } = {}) {
  const expected = await readExpected(`${name}.json`);
  assert.equal(report.schema, 'tarsier.report/v1');
  assert.equal(report.tool?.name, 'tarsier');
  assert.equal(typeof report.tool?.version, 'string');
  assert.equal(report.source.kind, expected.kind);
  assert.equal(report.source.name, name);
  assert.equal(report.source.size, size);
  assert.deepEqual(report.errors, []);
  for (const key of ['firstViewMs', 'analysisMs']) {
    assert.equal(typeof report.timings?.[key], 'number', `timings.${key}`);
    assert.ok(Number.isFinite(report.timings[key]) && report.timings[key] >= 0, `timings.${key} = ${report.timings[key]}`);
  }

  assert.equal(report.images.length, expected.images.length, 'number of images');
  for (const [n, want] of expected.images.entries()) {
    const got = report.images[n];
    const where = `${name} image ${n}`;
    assert.deepEqual(got.refs, want.refs, `${where} refs`);
    assert.equal(got.manifestDigest, want.manifestDigest, `${where} manifestDigest`);
    assert.equal(got.manifestMediaType ?? null, want.manifestMediaType, `${where} manifestMediaType`);
    const wantPlatform = want.platform === null && name === 'docker-archive-legacy.tar' ? legacyPlatform(name) : want.platform;
    assert.deepEqual(platformFacts(got.platform), wantPlatform, `${where} platform`);
    assert.equal(got.configDigest, want.configDigest, `${where} configDigest`);
    assert.equal(got.configVerified, want.configDigest ? 'ok' : 'unchecked', `${where} configVerified`);
    assert.equal(got.history, want.history, `${where} history`);
    const descriptorTypes = name === 'docker-archive-oci.tar' ? dockerOciLayerTypes(name) : null;
    assert.deepEqual(
      got.layers.map((layer) => ({ ...layerFacts(layer), mediaType: null })),
      want.layers.map((layer) => ({ ...layer, mediaType: null })),
      `${where} layers`,
    );
    for (const [i, layer] of got.layers.entries()) {
      const wantType = descriptorTypes?.[i] ?? want.layers[i].mediaType;
      if (wantType !== null) assert.equal(layer.mediaType, wantType, `${where} layer ${i} mediaType`);
      else assertSynthesizedLayerType(layer, `${where} layer ${i}`);
    }
    for (const [i, layer] of got.layers.entries()) {
      assert.deepEqual(
        layer.verified,
        { digest: layerDigest, diffId: want.configDigest ? 'ok' : 'unchecked' },
        `${where} layer ${i} verified`,
      );
      assert.equal(layer.error, null, `${where} layer ${i} error`);
    }

    // skopeo's own output, byte for byte, where skopeo can read the fixture.
    const suffix = n === 0 ? '' : `-${n}`;
    const manifestPath = join(expectedDir, name, `manifest${suffix}.json`);
    if (existsSync(manifestPath)) {
      const manifestBytes = readFileSync(manifestPath);
      const manifest = JSON.parse(manifestBytes);
      assert.deepEqual(
        got.layers.map((layer) => ({ digest: layer.digest, size: layer.size })),
        manifest.layers.map((layer) => ({ digest: layer.digest, size: layer.size })),
        `${where} layers vs skopeo inspect --raw`,
      );
      assert.equal(got.configDigest, manifest.config.digest, `${where} config vs skopeo manifest`);
      // skopeo synthesizes a schema2 manifest for docker archives; only a manifest it read as-is has our digest.
      if (got.manifestDigest !== null && manifest.mediaType === got.manifestMediaType) assert.equal(got.manifestDigest, sha256(manifestBytes), `${where} manifest digest vs skopeo bytes`);
    }
    const configPath = join(expectedDir, name, `config${suffix}.json`);
    if (existsSync(configPath)) {
      const configBytes = readFileSync(configPath);
      const config = JSON.parse(configBytes);
      assert.equal(got.configDigest, sha256(configBytes), `${where} config digest vs skopeo --config bytes`);
      assert.deepEqual(got.layers.map((layer) => layer.diffId), config.rootfs.diff_ids, `${where} diffIds vs rootfs.diff_ids`);
      assert.equal(got.history, (config.history ?? []).length, `${where} history vs config`);
    }
    // `tar -t` listings: one line per member.
    for (const [i, layer] of got.layers.entries()) {
      const listPath = join(expectedDir, name, n === 0 ? `layer-${i}.list` : `image-${n}/layer-${i}.list`);
      if (!existsSync(listPath)) continue;
      const lines = readFileSync(listPath, 'utf8').split('\n').filter((line) => line !== '').length;
      assert.equal(layer.entries, lines, `${where} layer ${i} entries vs tar -t`);
    }
  }
}


/** Waits for an enabled button with this accessible name (text or aria-label). */
export async function waitForEnabledButton(page, name, timeout = 60_000) {
  await page.waitForFunction(
    (label) =>
      [...document.querySelectorAll('button')].some(
        (element) => (element.textContent?.trim() === label || element.getAttribute('aria-label') === label) && !element.disabled,
      ),
    name,
    { timeout, polling: 100 },
  );
}

/** Clicks "Download file list" once it is enabled and parses the saved files.json. */
export async function downloadFileList(page, timeout = 60_000) {
  await waitForEnabledButton(page, 'Download file list', timeout);
  const button = page.getByRole('button', { name: 'Download file list' });
  const [download] = await Promise.all([page.waitForEvent('download', { timeout }), button.click()]);
  return { name: download.suggestedFilename(), list: JSON.parse(await readFile(await download.path(), 'utf8')) };
}

/**
 * The decompressed layers the page keeps in its Origin Private File System
 * (workers/storage/layer-store.ts): every file of `tarsier-layers/` with its size and,
 * for `.tar` files, the sha256 of its bytes (`hex`, computed in the page).
 */
export async function keptLayers(page) {
  return page.evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    const directory = await root.getDirectoryHandle('tarsier-layers', { create: true });
    const files = [];
    for await (const [name, handle] of directory.entries()) {
      const file = await handle.getFile();
      const hash = name.endsWith('.tar') ? new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer())) : null;
      const hex = hash ? [...hash].map((byte) => byte.toString(16).padStart(2, '0')).join('') : null;
      files.push({ name, size: file.size, modified: file.lastModified, hex });
    }
    return files.sort((a, b) => a.name.localeCompare(b.name));
  });
}
