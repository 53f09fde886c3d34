// Input shapes the README's "What it reads" claims, beyond the image fixtures
// of fixtures.test.mjs, dropped on the page as a person drags them from a file
// manager: plain layers tarred with `tar -C dir -cf layer.tar .` by GNU tar (every
// format), bsdtar and busybox tar, go-containerregistry's tarball (plain, by
// digest, gzipped), a zstd-compressed docker save, an index entry of an
// unknown media type, JSON documents on their own, a tar that is not an
// image, and a layer without its end-of-archive blocks. Each downloaded
// report.json is checked against sha256sum, GNU tar and skopeo.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertMatchesExpected, downloadReport, dropFiles, expectedDir, fixturesDir, layerFacts, openFolder, useApp, waitForText } from './harness.mjs';
import { dotslashLayers } from '../helpers/dotslash-layers.mjs';

const sha256sum = (name) => `sha256:${execFileSync('sha256sum', [join(fixturesDir, name)], { encoding: 'utf8' }).split(' ')[0]}`;
const jsonOf = (name) => JSON.parse(readFileSync(join(fixturesDir, name), 'utf8'));

describe('input shapes, dropped on the page', () => {
  const app = useApp({ before, after, afterEach });

  /** Drops one fixture and returns its report.json, after checking nothing went wrong on the page. */
  async function dropped(name) {
    const { page, problems } = await app.open();
    await dropFiles(page, [join(fixturesDir, name)]);
    const { report } = await downloadReport(page, 60_000);
    assert.equal(report.source.name, name);
    assert.equal(report.source.size, statSync(join(fixturesDir, name)).size);
    assert.deepEqual(problems, [], 'no uncaught page errors or console errors');
    return { report, page };
  }

  for (const name of dotslashLayers) {
    test(`${name}: a single layer, every member counted as GNU tar lists it, with a note`, async () => {
      const { report } = await dropped(name);
      await assertMatchesExpected(report, name, { layerDigest: 'unchecked', size: report.source.size });
      assert.ok(report.notes.some((note) => note.includes('single layer')), JSON.stringify(report.notes));
      assert.equal(report.images[0].layers[0].digest, sha256sum(name), 'the layer digest is the sha256sum of the file');
    });
  }

  for (const name of ['ggcr-tarball.tar', 'ggcr-tarball.tar.gz', 'ggcr-tarball-by-digest.tar']) {
    test(`${name}: go-containerregistry's tarball is a docker-archive, every digest verified`, async () => {
      const { report } = await dropped(name);
      await assertMatchesExpected(report, name, { layerDigest: 'ok', size: report.source.size });
      // skopeo reads the same archive and names each layer by its DiffID.
      const skopeo = JSON.parse(readFileSync(join(expectedDir, name.replace('.gz', ''), 'skopeo-manifest.json'), 'utf8'));
      assert.deepEqual(report.images[0].layers.map((layer) => layer.diffId), skopeo.layers.map((layer) => layer.digest));
      assert.equal(report.images[0].configDigest, skopeo.config.digest);
    });
  }

  test('docker-archive-zstd.tar.zst: a zstd-compressed docker save, read in one streaming pass', async () => {
    const { report } = await dropped('docker-archive-zstd.tar.zst');
    await assertMatchesExpected(report, 'docker-archive-zstd.tar.zst', { layerDigest: 'ok', size: report.source.size });
    assert.ok(report.notes.some((note) => note.includes('zstd-compressed archive')));
  });

  test('oci-unknown-type.tar: an index entry of an unknown media type is listed, not an error', async () => {
    const { report } = await dropped('oci-unknown-type.tar');
    await assertMatchesExpected(report, 'oci-unknown-type.tar', { size: report.source.size });
    const index = jsonOf('oci-layout/index.json');
    const entries = report.indexes[0].manifests;
    assert.equal(entries.length, index.manifests.length + 1);
    assert.deepEqual({ kind: entries.at(-1).kind, present: entries.at(-1).present }, { kind: 'unknown', present: true });
  });

  test('doc-manifest.json: a manifest on its own, its digest the sha256sum of the file, its layers as it lists them', async () => {
    const { report } = await dropped('doc-manifest.json');
    const manifest = jsonOf('doc-manifest.json');
    assert.equal(report.source.kind, 'json');
    assert.deepEqual(report.errors, []);
    assert.equal(report.images[0].manifestDigest, sha256sum('doc-manifest.json'));
    assert.equal(report.images[0].configDigest, manifest.config.digest);
    assert.deepEqual(
      report.images[0].layers.map((layer) => [layer.digest, layer.size]),
      manifest.layers.map((layer) => [layer.digest, layer.size]),
    );
  });

  test('doc-index.json: an image index on its own lists every manifest and platform', async () => {
    const { report } = await dropped('doc-index.json');
    const index = jsonOf('doc-index.json');
    assert.equal(report.source.kind, 'json');
    assert.deepEqual(report.errors, []);
    assert.deepEqual(
      report.indexes[0].manifests.map((entry) => entry.digest),
      index.manifests.map((entry) => entry.digest),
    );
  });

  test('doc-config.json: a config on its own, its digest the sha256sum of the file', async () => {
    const { report } = await dropped('doc-config.json');
    const config = jsonOf('doc-config.json');
    assert.equal(report.source.kind, 'json');
    assert.deepEqual(report.errors, []);
    assert.equal(report.images[0].configDigest, sha256sum('doc-config.json'));
    assert.deepEqual(report.images[0].platform, { os: config.os, architecture: config.architecture, variant: config.variant ?? null });
    assert.equal(report.images[0].history, config.history.length);
  });

  test("a docker-archive's manifest.json on its own is identified, with a note to drop the archive", async () => {
    const { page, problems } = await app.open();
    const path = join(mkdtempSync(join(tmpdir(), 'tarsier-e2e-')), 'manifest.json');
    execFileSync('bash', ['-c', `tar -xOf "$1" manifest.json > "$2"`, '_', join(fixturesDir, 'docker-archive.tar'), path]);
    await dropFiles(page, [path]);
    const { report } = await downloadReport(page, 60_000);
    assert.equal(report.source.kind, 'json');
    assert.deepEqual(report.errors, []);
    assert.ok(report.notes.some((note) => note.includes('manifest.json on its own')), JSON.stringify(report.notes));
    assert.deepEqual(problems, []);
  });

  test('an OCI layout folder with a nested multi-platform index: absent platforms listed as not in this archive', async () => {
    const folder = join(mkdtempSync(join(tmpdir(), 'tarsier-e2e-')), 'multiplatform');
    execFileSync('bash', ['-c', 'mkdir -p "$2" && tar -xf "$1" -C "$2"', '_', join(fixturesDir, 'oci-multiplatform.tar'), folder]);
    const { page, problems } = await app.open();
    await openFolder(page, folder);
    const { report } = await downloadReport(page, 60_000);
    const expected = JSON.parse(readFileSync(join(expectedDir, 'oci-multiplatform.tar.json'), 'utf8'));
    assert.equal(report.source.kind, 'oci-layout');
    assert.deepEqual(report.errors, []);
    assert.deepEqual(
      report.images.map((image) => [image.manifestDigest, image.configDigest, image.layers.map(layerFacts)]),
      expected.images.map((image) => [image.manifestDigest, image.configDigest, image.layers]),
    );
    const nested = report.indexes.find((index) => index.digest === sha256sum('doc-index.json'));
    assert.deepEqual(nested.manifests.map((entry) => entry.present), [true, false, false]);
    await waitForText(page, /not in this archive/i);
    assert.deepEqual(problems, []);
  });

  test('a layer is told from its bytes, not its name: zstd bytes in a file named .tar', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tarsier-e2e-')), 'layer.tar');
    execFileSync('cp', [join(fixturesDir, 'layer.tar.zst'), path]);
    const { page, problems } = await app.open();
    await dropFiles(page, [path]);
    const { report } = await downloadReport(page, 60_000);
    const expected = JSON.parse(readFileSync(join(expectedDir, 'layer.tar.zst.json'), 'utf8'));
    assert.equal(report.images[0].layers[0].compression, 'zstd');
    assert.equal(report.images[0].layers[0].diffId, expected.layers[0].diffId);
    assert.equal(report.images[0].layers[0].entries, expected.layers[0].entries);
    assert.deepEqual(problems, []);
  });

  test('plain-files.tar: a tar that is not an image opens as a single layer, with a note', async () => {
    const { report } = await dropped('plain-files.tar');
    const members = execFileSync('tar', ['-tf', join(fixturesDir, 'plain-files.tar')], { encoding: 'utf8' }).trim().split('\n');
    assert.equal(report.source.kind, 'layer');
    assert.deepEqual(report.errors, []);
    assert.ok(report.notes.some((note) => note.includes('single layer')));
    assert.equal(report.images[0].layers[0].entries, members.length);
  });

  test('no-eof-marker.tar: a layer without its end-of-archive blocks is read whole', async () => {
    const { report } = await dropped('no-eof-marker.tar');
    const members = execFileSync('tar', ['-tf', join(fixturesDir, 'no-eof-marker.tar')], { encoding: 'utf8' }).trim().split('\n');
    assert.equal(report.images[0].layers[0].error, null);
    assert.equal(report.images[0].layers[0].entries, members.length);
  });

  test('no-oci-layout.tar: the missing oci-layout is named in a note (nothing is lost), and the image is still read', async () => {
    const { report } = await dropped('no-oci-layout.tar');
    assert.deepEqual(report.errors, []);
    assert.ok(report.notes.some((note) => note.includes('oci-layout is missing')), JSON.stringify(report.notes));
    assert.equal(report.images.length, 1);
    assert.ok(report.images[0].layers.every((layer) => layer.verified.diffId === 'ok'));
  });
});
