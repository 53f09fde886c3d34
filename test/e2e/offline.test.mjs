// Offline and installable: after one visit (public/sw.js has cached every
// file of the build), the page reloaded with the network gone loads, opens
// the sample image and opens a dropped archive, zstd layers included; and
// Chromium finds the app installable from its manifest and icons.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { assertMatchesExpected, browserArgs, distDir, downloadReport, fixturesDir, useApp } from './harness.mjs';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Waits until the service worker controls the page and has finished installing (its cache is full). */
async function waitForServiceWorker(page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    }
  });
}

/**
 * Drops a file with its bytes handed to the page directly: with a service
 * worker in control, harness.dropFiles' routed fetch would not reach
 * Playwright, and offline it would reach nothing.
 */
async function dropBytes(page, path) {
  const bytes = (await readFile(path)).toString('base64');
  await page.evaluate(
    ([name, base64]) => {
      const binary = atob(base64);
      const data = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i += 1) data[i] = binary.charCodeAt(i);
      const transfer = new DataTransfer();
      transfer.items.add(new File([data], name, { lastModified: 0 }));
      for (const type of ['dragenter', 'dragover', 'drop']) {
        document.body.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
      }
    },
    [path.split('/').pop(), bytes],
  );
}

/** The manifest and layer digests of the sample the build serves, read from its tar with GNU tar. */
function shippedSample() {
  const archive = join(distDir, 'sample-image.tar');
  const member = (name) => JSON.parse(execFileSync('tar', ['-xOf', archive, name], { encoding: 'utf8' }));
  const manifestDigest = member('index.json').manifests[0].digest;
  const manifest = member(`blobs/sha256/${manifestDigest.slice('sha256:'.length)}`);
  return { manifestDigest, layerDigests: manifest.layers.map((layer) => layer.digest) };
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes) {
  assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

describe('offline', () => {
  const app = useApp({ before, after, afterEach });

  test('after one visit, the page reloaded offline opens the sample image and a dropped archive', async () => {
    const { page, context, problems } = await app.open('', { contextOptions: { serviceWorkers: 'allow' } });
    await waitForServiceWorker(page);
    const cached = await page.evaluate(async () => {
      const names = await caches.keys();
      const cache = await caches.open(names.find((name) => name.startsWith('tarsier-')));
      return (await cache.keys()).map((request) => new URL(request.url).pathname.split('/').pop());
    });
    for (const file of ['index.html', 'sample-image.tar', 'manifest.webmanifest', 'icon-192.png']) assert.ok(cached.includes(file), `${file} cached`);
    assert.ok(cached.some((file) => /^layer\.worker-.*\.js$/.test(file)), 'the layer worker cached before any image was opened');

    await context.setOffline(true);
    await page.reload();
    await page.getByRole('button', { name: 'Open sample image' }).click();
    const sample = (await downloadReport(page)).report;
    const shipped = shippedSample();
    assert.equal(sample.images[0].manifestDigest, shipped.manifestDigest);
    assert.deepEqual(
      sample.images[0].layers.map((layer) => [layer.digest, layer.verified]),
      shipped.layerDigests.map((digest) => [digest, { digest: 'ok', diffId: 'ok' }]),
    );

    await page.reload();
    const fixture = join(fixturesDir, 'oci-zstd.tar');
    await dropBytes(page, fixture);
    const dropped = (await downloadReport(page)).report;
    await assertMatchesExpected(dropped, 'oci-zstd.tar', { size: (await stat(fixture)).size });
    assert.ok(dropped.images[0].layers.every((layer) => layer.compression === 'zstd'));
    assert.deepEqual(problems.filter((line) => !/ERR_INTERNET_DISCONNECTED/.test(line)), []);
  });

  test('is installable: a manifest with 192 and 512 px PNG icons, a maskable one, and a theme colour', async (t) => {
    // Chromium offers no installs in incognito, which every newContext() is: a real profile here.
    const profile = await mkdtemp(join(tmpdir(), 'tarsier-profile-'));
    const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, args: browserArgs });
    t.after(async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    });
    const page = await context.newPage();
    await page.goto(app.server.url);
    await waitForServiceWorker(page);
    const cdp = await context.newCDPSession(page);
    const { errors, data } = await cdp.send('Page.getAppManifest');
    assert.deepEqual(errors, []);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    assert.deepEqual(installabilityErrors, []);

    const manifest = JSON.parse(data);
    assert.equal(manifest.display, 'standalone');
    assert.equal(manifest.start_url, './');
    const themeMeta = await page.locator('meta[name="theme-color"]').getAttribute('content');
    assert.equal(manifest.theme_color, themeMeta);
    const sizes = {};
    for (const icon of manifest.icons.filter((entry) => entry.type === 'image/png')) {
      const [width, height] = pngSize(await readFile(join(distDir, icon.src)));
      assert.equal(icon.sizes, `${width}x${height}`, icon.src);
      sizes[`${icon.purpose} ${icon.sizes}`] = icon.src;
    }
    assert.deepEqual(Object.keys(sizes).sort(), ['any 192x192', 'any 512x512', 'maskable 512x512']);
    // A maskable icon is full bleed: its corners are opaque, unlike the rounded logo's.
    const corner = async (file) =>
      page.evaluate(async (url) => {
        const bitmap = await createImageBitmap(await (await fetch(url)).blob());
        const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
        const context2d = canvas.getContext('2d');
        context2d.drawImage(bitmap, 0, 0);
        return context2d.getImageData(0, 0, 1, 1).data[3];
      }, file);
    assert.equal(await corner(sizes['maskable 512x512']), 255);
    assert.equal(await corner(sizes['any 512x512']), 0);

    const robots = await page.evaluate(async () => (await fetch('./robots.txt')).text());
    assert.match(robots, /^User-agent: \*$/m);
  });
});
