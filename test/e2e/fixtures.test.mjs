// Every good image fixture, opened in Chromium through "Open image files": the
// downloaded report.json must agree with the values that skopeo, sha256sum,
// gzip/zstd and `tar -t` computed (test/fixtures/generated/expected/).
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { assertMatchesExpected, downloadReport, fixturesDir, openFiles, useApp } from './harness.mjs';

/**
 * Fixture → whether its layer digests can be checked: a descriptor (OCI) or a
 * file named by the digest (skopeo's `<diffid>.tar`) gives something to compare
 * against; `<id>/layer.tar` (Docker 1.10–24, legacy) and single layers do not.
 */
const fixtures = {
  'docker-archive.tar': { layerDigest: 'ok' },
  'docker-archive.tar.gz': { layerDigest: 'ok' },
  'docker-archive-legacy.tar': { layerDigest: 'unchecked' },
  'docker-archive-v1.10.tar': { layerDigest: 'unchecked' },
  'docker-archive-oci.tar': { layerDigest: 'ok' },
  'docker-archive-multi.tar': { layerDigest: 'ok' },
  'docker-archive-two-tags.tar': { layerDigest: 'ok' },
  'docker-archive-untagged.tar': { layerDigest: 'ok' },
  'oci-archive.tar': { layerDigest: 'ok' },
  'oci-archive-dotslash.tar': { layerDigest: 'ok' },
  'oci-zstd.tar': { layerDigest: 'ok' },
  'oci-uncompressed.tar': { layerDigest: 'ok' },
  'oci-multiplatform.tar': { layerDigest: 'ok' },
  'oci-artifact.tar': { layerDigest: 'ok' },
  'layer.tar': { layerDigest: 'unchecked' },
  'layer.tar.gz': { layerDigest: 'unchecked' },
  'layer.tar.zst': { layerDigest: 'unchecked' },
  'layer-pax.tar': { layerDigest: 'unchecked' },
};

describe('every good fixture, opened as a file', () => {
  const app = useApp({ before, after, afterEach });

  for (const [name, options] of Object.entries(fixtures)) {
    test(name, async () => {
      const { page, problems } = await app.open();
      const path = join(fixturesDir, name);
      await openFiles(page, [path]);
      const { name: savedAs, report } = await downloadReport(page, 60_000);
      assert.equal(savedAs, 'report.json');
      await assertMatchesExpected(report, name, { ...options, size: statSync(path).size });
      assert.deepEqual(problems, []);
    });
  }

  test('oci-multiplatform.tar: indexes[] lists every platform of the image index, blobs present or not', async () => {
    const { page, problems } = await app.open();
    await openFiles(page, [join(fixturesDir, 'oci-multiplatform.tar')]);
    const { report } = await downloadReport(page, 60_000);
    // doc-index.json is the image index blob of this archive, written by the fixture script with jq.
    const indexBytes = readFileSync(join(fixturesDir, 'doc-index.json'));
    const index = JSON.parse(indexBytes);
    const digest = `sha256:${createHash('sha256').update(indexBytes).digest('hex')}`;
    const listed = report.indexes.find((entry) => entry.digest === digest);
    assert.ok(listed, `indexes[] has ${digest}: ${JSON.stringify(report.indexes)}`);
    assert.equal(listed.mediaType, index.mediaType);
    const platformText = (platform) =>
      typeof platform === 'string' ? platform : [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
    assert.deepEqual(
      listed.manifests.map((entry) => ({ digest: entry.digest, platform: platformText(entry.platform) })),
      index.manifests.map((entry) => ({ digest: entry.digest, platform: platformText(entry.platform) })),
    );
    assert.deepEqual(problems, []);
  });

  test('Open sample image: the shipped sample equals expected/sample-image.tar.json', async () => {
    const { page, problems } = await app.open();
    await page.getByRole('button', { name: 'Open sample image' }).click();
    const { report } = await downloadReport(page, 60_000);
    await assertMatchesExpected(report, 'sample-image.tar', { size: statSync(join(fixturesDir, 'sample-image.tar')).size });
    assert.deepEqual(problems, []);
  });
});
