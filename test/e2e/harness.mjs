// End-to-end harness: serves the built app (dist/) on 127.0.0.1 from a
// sub-path, drives Debian's Chromium through playwright-core, and reads the
// downloaded report.json — the same way a person (or their CI) would.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';

const root = new URL('../../', import.meta.url).pathname;
export const distDir = join(root, 'dist');
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

/** Launches headless Chromium with the flags this machine needs. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * Opens the app in a fresh context; collects console errors, page errors and
 * CSP violations so that tests can assert there were none.
 */
export async function openApp(browser, url, hash = '') {
  const context = await browser.newContext({ acceptDownloads: true });
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
    { timeout },
  );
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), report: JSON.parse(await readFile(path, 'utf8')) };
}
