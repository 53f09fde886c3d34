// `npm run dev`, the README's first command: the real Vite dev server, started
// as the README says, must show the page exactly as the build does (same
// computed styles, same pixels) with no console error and no CSP violation,
// while the built index.html keeps its strict policy.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { distDir, launchBrowser, startStaticServer, waitForEnabledButton } from './harness.mjs';
import { freePort } from '../helpers/free-port.mjs';

const root = new URL('../../', import.meta.url).pathname;
/** Set to a folder to keep the two screenshots for a look by eye. */
const screenshotDir = process.env.TARSIER_E2E_SCREENSHOTS;

/** Starts `npm run dev` on a free port; resolves once it answers. */
async function startDevServer() {
  const port = await freePort();
  const child = spawn('npm', ['run', 'dev', '--', '--port', String(port), '--strictPort'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let output = '';
  child.stdout.on('data', (data) => (output += data));
  child.stderr.on('data', (data) => (output += data));
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm run dev exited with ${child.exitCode}:\n${output}`);
    const answer = await fetch(url).catch(() => null);
    if (answer?.ok) break;
    if (Date.now() > deadline) throw new Error(`npm run dev did not answer on ${url}:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    output: () => output,
    // The whole process group: npm, its shell and vite.
    stop: () => process.kill(-child.pid, 'SIGTERM'),
  };
}

/**
 * Pixels that differ by more than rasterisation noise (Chromium's software
 * rasteriser moves a few anti-aliased pixels by 1/255 between runs), counted
 * by ImageMagick's compare.
 */
function differingPixels(first, second) {
  const dir = mkdtempSync(join(tmpdir(), 'tarsier-dev-compare-'));
  try {
    writeFileSync(join(dir, 'a.png'), first);
    writeFileSync(join(dir, 'b.png'), second);
    const result = spawnSync('compare', ['-metric', 'AE', '-fuzz', '2%', 'a.png', 'b.png', 'null:'], { cwd: dir, encoding: 'utf8' });
    if (result.status !== 0 && result.status !== 1) throw new Error(`compare failed: ${result.stderr}`);
    return Number(result.stderr.trim());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The CSP meta's policy of an HTML text. */
function metaPolicy(html) {
  return /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(html)?.[1] ?? null;
}

/** Computed styles and boxes of a few landmarks, the same selectors on both pages. */
function styleFacts() {
  const properties = [
    'fontFamily', 'fontSize', 'fontWeight', 'lineHeight', 'color', 'backgroundColor',
    'borderTopColor', 'borderTopWidth', 'paddingTop', 'paddingLeft', 'display',
  ];
  const bannerButtons = document.querySelectorAll('header button');
  const landmarks = {
    body: document.body,
    banner: document.querySelector('header'),
    brand: document.querySelector('header')?.firstElementChild,
    firstButton: bannerButtons[0],
    lastButton: bannerButtons[bannerButtons.length - 1],
    layers: document.querySelector('table[aria-label="Layers"]'),
    layerHeader: document.querySelector('table[aria-label="Layers"] th'),
    layerCell: document.querySelector('table[aria-label="Layers"] tbody td'),
  };
  return Object.fromEntries(
    Object.entries(landmarks).map(([name, element]) => {
      if (!element) return [name, null];
      const style = getComputedStyle(element);
      const box = element.getBoundingClientRect();
      return [
        name,
        {
          ...Object.fromEntries(properties.map((property) => [property, style[property]])),
          box: [box.x, box.y, box.width, box.height].map((value) => Math.round(value * 10) / 10),
        },
      ];
    }),
  );
}

describe('npm run dev', () => {
  let dev;
  let built;
  let browser;

  before(async () => {
    dev = await startDevServer();
    built = await startStaticServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await built?.close();
    dev?.stop();
  });

  /** Opens the sample image at `url`; returns what the page logged, its styles and a screenshot. */
  async function look(url, colorScheme) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: 'allow', colorScheme });
    try {
      await context.addInitScript(() => {
        window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation', (event) =>
          window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`),
        );
      });
      const page = await context.newPage();
      const problems = [];
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
      });
      await page.goto(url);
      await page.getByRole('button', { name: 'Open sample image' }).click();
      await waitForEnabledButton(page, 'Download report');
      await page.evaluate(() => {
        document.activeElement?.blur?.();
        window.scrollTo(0, 0);
      });
      const styles = await page.evaluate(styleFacts);
      // The time the analysis took differs from run to run, and its width moves the progress
      // bar: both pages show the same figure. The proxy field differs on purpose (the dev
      // server mounts the proxy at /registry-proxy): masked.
      await page.getByText(/done in /).evaluate((element) => {
        element.textContent = element.textContent.replace(/done in [^·]*/, 'done in 100 ms');
      });
      const screenshot = await page.screenshot({ mask: [page.getByLabel(/proxy/i)] });
      const violations = await page.evaluate(() => window.__cspViolations);
      const policy = await page.evaluate(
        () => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? null,
      );
      return { problems, violations, styles, screenshot, policy };
    } finally {
      await context.close();
    }
  }

  for (const colorScheme of ['light', 'dark']) test(`looks exactly like the build (${colorScheme}), with no console error and no CSP violation`, async () => {
    const fromDev = await look(dev.url, colorScheme);
    const fromBuild = await look(built.url, colorScheme);
    if (screenshotDir) {
      writeFileSync(join(screenshotDir, `tarsier-dev-${colorScheme}.png`), fromDev.screenshot);
      writeFileSync(join(screenshotDir, `tarsier-built-${colorScheme}.png`), fromBuild.screenshot);
    }
    assert.deepEqual(fromDev.problems, [], 'dev console');
    assert.deepEqual(fromDev.violations, [], 'dev CSP violations');
    assert.deepEqual(fromBuild.problems, [], 'built console');
    assert.deepEqual(fromBuild.violations, [], 'built CSP violations');
    assert.notEqual(fromDev.styles.body.fontFamily, '"Times New Roman"');
    for (const [name, facts] of Object.entries(fromBuild.styles)) assert.ok(facts, `${name} on the built page`);
    assert.deepEqual(fromDev.styles, fromBuild.styles);
    assert.equal(differingPixels(fromDev.screenshot, fromBuild.screenshot), 0, 'pixels that differ between the dev and built pages (TARSIER_E2E_SCREENSHOTS=/tmp keeps both)');
    // The dev page allows one nonce for the styles Vite injects, and nothing else that the build does not.
    const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(fromDev.policy)?.[0];
    assert.ok(nonce, `a nonce in the dev policy: ${fromDev.policy}`);
    assert.equal(fromDev.policy.replace(` ${nonce}`, ''), fromBuild.policy);
    assert.doesNotMatch(dev.output(), /error/i);
  });

  test('the built index.html keeps the strict policy of the source, with no unsafe-inline, unsafe-eval or nonce', () => {
    const source = metaPolicy(readFileSync(join(root, 'index.html'), 'utf8'));
    const builtPolicy = metaPolicy(readFileSync(join(distDir, 'index.html'), 'utf8'));
    assert.equal(builtPolicy, source);
    assert.doesNotMatch(builtPolicy, /'unsafe-inline'|'unsafe-eval'|'nonce-/);
    assert.match(builtPolicy, /(^|; )style-src 'self'(;|$)/);
    assert.match(builtPolicy, /(^|; )script-src 'self' 'wasm-unsafe-eval'(;|$)/);
  });
});
