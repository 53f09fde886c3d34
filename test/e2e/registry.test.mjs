// Registry images: Debian's docker-registry on 127.0.0.1, the sample pushed
// with skopeo (digests preserved), loaded by typing its reference into
// "Image reference" — directly when the registry sends CORS headers, through
// the reference proxy when it does not. The report must describe the same
// image as the oci-archive.tar fixture does.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createProxyServer } from '../../proxy/server.mjs';
import { pushOciLayout, startRegistry } from '../helpers/registry.mjs';
import { downloadReport, fixturesDir, layerFacts, readExpected, useApp } from './harness.mjs';

const expected = await readExpected('oci-archive.tar.json');
const repository = 'tarsier/sample:1';

/** The facts a registry load and a dropped archive of the same image must share. */
function imageFacts(image) {
  return {
    manifestDigest: image.manifestDigest,
    manifestMediaType: image.manifestMediaType,
    configDigest: image.configDigest,
    configVerified: image.configVerified,
    history: image.history,
    layers: image.layers.map((layer) => ({ ...layerFacts(layer), verified: layer.verified, error: layer.error })),
  };
}

const wanted = {
  manifestDigest: expected.manifestDigest,
  manifestMediaType: expected.images[0].manifestMediaType,
  configDigest: expected.configDigest,
  configVerified: 'ok',
  history: expected.images[0].history,
  layers: expected.layers.map((layer) => ({ ...layer, verified: { digest: 'ok', diffId: 'ok' }, error: null })),
};

/**
 * The app asks for the OCI 1.1 referrers API (/v2/<name>/referrers/<digest>)
 * to find signatures and SBOMs; distribution 2.8 answers it with a 404 that
 * lacks the configured CORS headers, which Chromium logs as a console error
 * the page cannot suppress. Those two lines are the only ones tolerated.
 */
function isReferrersProbe(problem) {
  return /\/referrers\/sha256:[0-9a-f]{64}' from origin .* blocked by CORS policy/.test(problem) || problem === 'console: Failed to load resource: net::ERR_FAILED';
}

/** Sets "Registry proxy", types the reference into "Image reference" and presses Enter. */
async function loadReference(page, reference, proxyUrl) {
  const proxy = page.getByLabel('Registry proxy');
  await proxy.fill(proxyUrl);
  await proxy.press('Tab');
  const field = page.getByLabel('Image reference');
  await field.fill(reference);
  await field.press('Enter');
}

describe('registry images', () => {
  const app = useApp({ before, after, afterEach });
  const started = [];
  after(async () => {
    for (const stop of started.reverse()) await stop();
  });

  test('a registry with CORS headers, loaded directly', async () => {
    const registry = await startRegistry({ cors: true });
    started.push(() => registry.stop());
    await pushOciLayout(join(fixturesDir, 'oci-layout'), `${registry.host}/${repository}`);
    const { page, problems } = await app.open();
    const reference = `${registry.host}/${repository}`;
    await loadReference(page, reference, '');
    const { report } = await downloadReport(page, 60_000);
    assert.equal(report.source.kind, 'registry');
    assert.equal(report.source.size, null);
    assert.ok(report.source.name.includes(reference), `source name ${report.source.name}`);
    assert.deepEqual(report.errors, []);
    assert.equal(report.images.length, 1);
    assert.deepEqual(imageFacts(report.images[0]), wanted);
    // The link pins the image by digest (DESIGN.md, "Links": ref=host/repo:tag@sha256:…).
    const hash = new URLSearchParams(new URL(page.url()).hash.slice(3));
    assert.equal(hash.get('ref'), `${reference}@${expected.manifestDigest}`);
    assert.deepEqual(problems.filter((problem) => !isReferrersProbe(problem)), []);
  });

  test('a registry without CORS headers, through the proxy set in "Registry proxy"', async () => {
    const registry = await startRegistry({ cors: false });
    started.push(() => registry.stop());
    await pushOciLayout(join(fixturesDir, 'oci-layout'), `${registry.host}/${repository}`);
    const proxied = [];
    const proxy = createProxyServer({ allow: [registry.host], defaults: false, log: (line) => proxied.push(line) });
    await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    started.push(() => new Promise((resolve) => proxy.close(resolve)));
    const proxyUrl = `http://127.0.0.1:${proxy.address().port}`;

    const { page, problems } = await app.open();
    const reference = `${registry.host}/${repository}`;
    await loadReference(page, reference, proxyUrl);
    const { report } = await downloadReport(page, 60_000);
    assert.equal(report.source.kind, 'registry');
    assert.deepEqual(report.errors, []);
    assert.deepEqual(imageFacts(report.images[0]), wanted);
    // The blobs came through the proxy (its log names method, host, path and status).
    for (const digest of [expected.configDigest, ...expected.layers.map((layer) => layer.digest)]) {
      assert.ok(proxied.some((line) => line.includes(`/blobs/${digest}`)), `proxied: ${digest}`);
    }
    // Trying the registry directly first (DESIGN.md: direct when it sends CORS headers) makes
    // Chromium log the blocked requests; nothing else may be logged.
    const directProbe = new RegExp(`^console: Access to fetch at 'http://${registry.host}/v2/.* blocked by CORS policy`);
    // Through the proxy the referrers probes (the API, then the `sha256-<hex>` tag fallback of OCI
    // distribution 1.1) are plain 404s, which Chromium logs as failed loads.
    const notFound = proxied.filter((line) => / 404$/.test(line));
    assert.ok(notFound.every((line) => /\/referrers\/sha256:|\/manifests\/sha256-[0-9a-f]{64}/.test(line)), `404s: ${notFound}`);
    const logged404 = problems.filter((problem) => /status of 404/.test(problem));
    assert.equal(logged404.length, notFound.length);
    const rest = problems.filter((problem) => !isReferrersProbe(problem) && !directProbe.test(problem) && !logged404.includes(problem));
    assert.deepEqual(rest, []);
  });
});
