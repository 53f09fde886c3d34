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

/** OCI distribution 1.1 referrers discovery: the API, then its `sha256-<hex>` tag fallback. */
const referrersProbe = /\/v2\/.+\/(referrers\/sha256:[0-9a-f]{64}|manifests\/sha256-[0-9a-f]{64})$/;

/** Records the URLs of 404 answers the page received. */
function watchNotFound(page) {
  const urls = [];
  page.on('response', (response) => {
    if (response.status() === 404) urls.push(new URL(response.url()).pathname);
  });
  return urls;
}

/**
 * Console lines a registry load may cause without anything being wrong, given
 * the 404s the page received: the app looks for signatures and SBOMs with the
 * referrers probes, which distribution 2.8 answers with 404 (the API route,
 * unknown to it, even without the configured CORS headers). Chromium logs
 * those; the page cannot suppress them. Returns the other lines.
 */
function unexplainedProblems(problems, notFound, registryHost) {
  assert.ok(notFound.every((path) => referrersProbe.test(path)), `only referrers probes are 404: ${notFound}`);
  let allowed404 = notFound.length;
  return problems.filter((problem) => {
    if (/status of 404 \(Not Found\)/.test(problem) && allowed404 > 0) {
      allowed404 -= 1;
      return false;
    }
    if (problem === 'console: Failed to load resource: net::ERR_FAILED') return false;
    const blocked = problem.match(/^console: Access to fetch at 'http:\/\/([^/]+)(\/[^' ?]*)[^']*' from origin .* blocked by CORS policy/);
    return !(blocked && blocked[1] === registryHost && referrersProbe.test(blocked[2]));
  });
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
    const notFound = watchNotFound(page);
    const reference = `${registry.host}/${repository}`;
    await loadReference(page, reference, '');
    const { report } = await downloadReport(page, 60_000);
    assert.equal(report.source.kind, 'registry');
    assert.equal(report.source.size, null);
    assert.ok(report.source.name.includes(reference), `source name ${report.source.name}`);
    assert.deepEqual(report.errors, []);
    assert.equal(report.images.length, 1);
    assert.deepEqual(imageFacts(report.images[0]), wanted);
    // The link pins the image by digest (docs/contracts.md, "Links": ref=host/repo:tag@sha256:…).
    const hash = new URLSearchParams(new URL(page.url()).hash.slice(3));
    assert.equal(hash.get('ref'), `${reference}@${expected.manifestDigest}`);
    assert.deepEqual(unexplainedProblems(problems, notFound, registry.host), []);
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
    const notFound = watchNotFound(page);
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
    // Trying the registry directly first (docs/contracts.md: direct when it sends CORS headers) makes
    // Chromium log the blocked requests to it; they are expected here, nothing else is.
    const direct = new RegExp(`^console: Access to fetch at 'http://${registry.host.replace(/[.]/g, '\\.')}/v2/.* blocked by CORS policy`);
    const rest = unexplainedProblems(problems, notFound, registry.host).filter((problem) => !direct.test(problem));
    assert.deepEqual(rest, []);
  });
});
