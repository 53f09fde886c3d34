// Registry images in Chromium, straight from a registry that sends CORS
// headers (Debian's docker-registry on 127.0.0.1, "Registry proxy" empty):
// the report of the pushed oci-archive fixture equals the report of the same
// file dropped, zstd layers and a two-platform index verify, the platform
// choice is remembered, links reload the same image and view, a missing image
// keeps the view, and the panel lists tags (paged) and the SBOM referrer.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRegistry } from '../helpers/registry.mjs';
import { downloadReport, openFiles, useApp, waitForText } from './harness.mjs';
import {
  archivePath,
  enterReference,
  imageFacts,
  inspectRaw,
  pushArchive,
  pushSbomReferrer,
  pushTwoPlatformIndex,
  referrersProbe,
  sbomArtifactType,
  watchConsole,
} from './registry-fixtures.mjs';

/** Tags beyond one page of the tag list (the app asks for 100 per page). */
const extraTags = 110;

describe('registry with CORS headers, direct mode', () => {
  const app = useApp({ before, after, afterEach });
  let registry;
  let gzip;
  let zstd;
  let multi;
  let sbom;
  let droppedReport;

  before(async () => {
    registry = await startRegistry({ cors: true });
    await pushArchive(`${registry.host}/team/app:1.0`);
    gzip = await inspectRaw(`${registry.host}/team/app:1.0`);
    await pushArchive(`${registry.host}/team/app-zstd:1.0`, { zstd: true });
    zstd = await inspectRaw(`${registry.host}/team/app-zstd:1.0`);
    multi = await pushTwoPlatformIndex(`${registry.host}/team/multi:v1`);
    sbom = await pushSbomReferrer(registry.url, 'team/app', {
      mediaType: gzip.manifest.mediaType,
      digest: gzip.digest,
      size: gzip.size,
    });
    const manifestBytes = JSON.stringify(gzip.manifest);
    for (let i = 0; i < extraTags; i += 1) {
      const response = await fetch(`${registry.url}/v2/team/app/manifests/t${String(i).padStart(3, '0')}`, {
        method: 'PUT',
        headers: { 'Content-Type': gzip.manifest.mediaType },
        body: manifestBytes,
      });
      assert.equal(response.status, 201);
    }
    // The same image dropped as a file: what the registry report must equal.
    const { page } = await app.open();
    await openFiles(page, [archivePath]);
    droppedReport = (await downloadReport(page)).report;
  });

  after(async () => {
    await registry?.stop();
  });

  /** Opens the app with the "Registry proxy" setting empty (direct mode) from the first script on. */
  async function openDirect(hash = '') {
    const opened = await app.open(hash, { initScript: () => localStorage.setItem('tarsier.registryProxy', '') });
    return { ...opened, console: watchConsole(opened.page) };
  }

  test('gzip image: report equals the dropped OCI archive; the pinned link reloads image and view', async () => {
    const { page, console: logs } = await openDirect();
    const typed = `${registry.host}/team/app:1.0`;
    await enterReference(page, typed);
    const { report } = await downloadReport(page);
    assert.equal(report.source.kind, 'registry');
    assert.equal(report.source.size, null);
    assert.deepEqual(report.errors, []);
    assert.equal(report.images.length, 1);
    assert.equal(gzip.digest, droppedReport.images[0].manifestDigest, 'skopeo kept the digests');
    assert.deepEqual(imageFacts(report.images[0]), imageFacts(droppedReport.images[0]));
    for (const layer of report.images[0].layers) assert.deepEqual(layer.verified, { digest: 'ok', diffId: 'ok' });
    const pinned = `${typed}@${gzip.digest}`;
    assert.ok(report.images[0].refs.includes(pinned), `refs ${report.images[0].refs}`);

    // The link names the image by digest; open it (with another view) in a fresh context.
    await page.waitForFunction((digest) => decodeURIComponent(location.hash).includes(`@${digest}`), gzip.digest);
    const hash = new URL(page.url()).hash;
    assert.match(decodeURIComponent(hash), new RegExp(`ref=${pinned.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const fresh = await openDirect(`${hash}&layer=1&view=history`);
    const { report: again } = await downloadReport(fresh.page);
    assert.deepEqual(imageFacts(again.images[0]), imageFacts(report.images[0]));
    await fresh.page.getByRole('tablist', { name: 'View' }).getByRole('tab', { name: 'History', selected: true }).waitFor();
    const params = new URLSearchParams(new URL(fresh.page.url()).hash.slice(2));
    assert.equal(params.get('layer'), '1');
    assert.equal(params.get('ref'), pinned);
    assert.deepEqual(logs.unexpected([referrersProbe]), []);
    assert.deepEqual(fresh.console.unexpected([referrersProbe]), []);
  });

  test('zstd layers: verified, same DiffIDs and entries as the gzip image', async () => {
    const { page, console: logs } = await openDirect();
    await enterReference(page, `${registry.host}/team/app-zstd:1.0`);
    const { report } = await downloadReport(page);
    assert.deepEqual(report.errors, []);
    const [image] = report.images;
    assert.equal(image.manifestDigest, zstd.digest);
    assert.deepEqual(image.layers.map((layer) => layer.digest), zstd.manifest.layers.map((layer) => layer.digest));
    assert.deepEqual(image.layers.map((layer) => layer.compression), ['zstd', 'zstd', 'zstd', 'zstd']);
    const dropped = droppedReport.images[0];
    assert.equal(image.configDigest, dropped.configDigest);
    assert.deepEqual(
      image.layers.map(({ diffId, entries, whiteouts, uncompressedSize }) => ({ diffId, entries, whiteouts, uncompressedSize })),
      dropped.layers.map(({ diffId, entries, whiteouts, uncompressedSize }) => ({ diffId, entries, whiteouts, uncompressedSize })),
    );
    for (const layer of image.layers) assert.deepEqual(layer.verified, { digest: 'ok', diffId: 'ok' });
    assert.deepEqual(logs.unexpected([referrersProbe]), []);
  });

  test('two-platform index: linux/amd64 by default, the choice is remembered, a link names its platform', async () => {
    const reference = `${registry.host}/team/multi:v1`;
    const { page, context, console: logs } = await openDirect();
    await enterReference(page, reference);
    const { report } = await downloadReport(page);
    assert.deepEqual(report.errors, []);
    assert.equal(report.indexes.length, 1);
    assert.equal(report.indexes[0].digest, multi.index.digest);
    assert.deepEqual(
      report.images.map((image) => ({ manifest: image.manifestDigest, config: image.configDigest, diffIds: image.layers.map((l) => l.diffId) })),
      multi.images.map((image) => ({ manifest: image.manifest.digest, config: image.config.digest, diffIds: image.diffIds })),
    );
    await page.getByRole('button', { name: 'linux/amd64', pressed: true }).waitFor();
    await page.getByRole('button', { name: 'linux/arm64' }).click();
    await page.getByRole('button', { name: 'linux/arm64', pressed: true }).waitFor();

    // Same browser profile, new tab: the remembered platform is picked.
    const second = await context.newPage();
    await second.goto(app.server.url);
    await enterReference(second, reference);
    await second.getByRole('button', { name: 'linux/arm64', pressed: true }).waitFor();
    const arm = multi.images[1].manifest.digest;
    await second.waitForFunction((digest) => location.hash.includes(digest), arm);
    await second.close();

    // A fresh profile follows the link's platform.
    const linked = await openDirect(`#/?ref=${reference}@${multi.index.digest}&platform=linux/arm64`);
    await linked.page.getByRole('button', { name: 'linux/arm64', pressed: true }).waitFor();
    assert.deepEqual(logs.unexpected([referrersProbe]), []);
  });

  test('a missing image shows what to do next to the field and keeps the loaded view', async () => {
    const { page, console: logs } = await openDirect();
    await enterReference(page, `${registry.host}/team/app:1.0`);
    await downloadReport(page);
    const hashBefore = new URL(page.url()).hash;
    await enterReference(page, `${registry.host}/team/nothing-here:1`);
    const alert = page.getByRole('alert', { name: 'Registry error' });
    await alert.waitFor();
    assert.match(await alert.innerText(), /has no manifest team\/nothing-here:1.*Check the repository name/s);
    assert.equal(new URL(page.url()).hash, hashBefore);
    await waitForText(page, `${registry.host}/team/app:1.0`);
    assert.equal(await page.getByRole('button', { name: 'Download report' }).isEnabled(), true);
    await enterReference(page, 'team/App:1');
    await waitForText(page, /"team\/App:1" is not a valid image reference: .*must be lowercase/);
    assert.deepEqual(logs.unexpected([referrersProbe, /team\/nothing-here\/manifests\/1$/]), []);
  });

  test('panel: every tag (two pages of the tag list) and the SBOM referrer', async () => {
    const { page, console: logs } = await openDirect();
    await enterReference(page, `${registry.host}/team/app:1.0`);
    const referrers = page.getByRole('table', { name: 'Referrers' });
    await referrers.waitFor();
    const row = referrers.getByRole('row').filter({ hasText: sbomArtifactType });
    assert.match(await row.innerText(), /SBOM/);
    assert.equal(await row.locator(`code[title="${sbom.digest}"]`).count(), 1);

    const tags = page.getByRole('list', { name: 'Tags' });
    await tags.waitFor();
    const total = extraTags + 3; // 1.0, sbom, the sha256-… referrers tag
    await waitForText(page, new RegExp(`Tags\\s+${total}`));
    assert.equal(await tags.getByRole('listitem').count(), 60);
    await page.getByRole('button', { name: /Show more/ }).click();
    assert.equal(await tags.getByRole('listitem').count(), total);

    // Opening the referrer loads the artifact by digest.
    await row.getByRole('button', { name: 'Open' }).click();
    await page.waitForFunction((digest) => decodeURIComponent(location.hash).includes(`team/app@${digest}`), sbom.digest);
    const { report } = await downloadReport(page);
    assert.equal(report.images[0].manifestDigest, sbom.digest);
    assert.deepEqual(logs.unexpected([referrersProbe]), []);
  });
});
