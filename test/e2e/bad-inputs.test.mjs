// Bad input never breaks the page: a visible message naming the file, no
// uncaught errors, the report still downloadable and listing the problem,
// and whatever could be read still there (docs/contracts.md, "Messages and errors").
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { downloadFileList, downloadReport, fixturesDir, layerFacts, openFiles, readExpected, useApp } from './harness.mjs';

const sample = await readExpected('oci-archive.tar.json');
const sampleLayers = sample.layers;
const hex = (digest) => digest.slice('sha256:'.length);

/** Every problem the report lists: source errors, image errors, layer errors. */
function problemsIn(report) {
  const listed = report.errors.map((error) => ({ where: 'errors[]', message: error.message, path: error.path }));
  for (const image of report.images) {
    for (const error of image.errors ?? []) listed.push({ where: 'image', message: error.message, path: error.path });
    for (const layer of image.layers) {
      if (layer.error) listed.push({ where: `layer ${layer.digest}`, message: layer.error, path: null, layer });
    }
  }
  return listed;
}

/** A message names the file when it carries the source's name, a member path, or the blob's digest. */
function assertNamesAFile(problem, sourceName) {
  const candidates = [sourceName, problem.path, problem.layer && hex(problem.layer.digest)].filter(Boolean);
  assert.ok(
    candidates.some((name) => problem.message.includes(name)),
    `"${problem.message}" (${problem.where}) names none of ${JSON.stringify(candidates)}`,
  );
}

/** The sample image's layers that are intact in a damaged copy still carry their tool-computed facts. */
function assertGoodLayers(report, indexes) {
  const layers = report.images[0].layers;
  for (const i of indexes) {
    assert.deepEqual(layerFacts(layers[i]), sampleLayers[i], `layer ${i}`);
    assert.deepEqual(layers[i].verified, { digest: 'ok', diffId: 'ok' }, `layer ${i} verified`);
    assert.equal(layers[i].error, null, `layer ${i} error`);
  }
}

const cases = {
  'empty.tar': (report) => {
    assert.equal(report.images.length, 0);
    assert.ok(report.errors.some((error) => /empty/i.test(error.message)), 'an error says the file is empty');
  },
  'not-a-tar.bin': (report) => {
    assert.equal(report.images.length, 0);
    assert.ok(report.errors.some((error) => /not a tar/i.test(error.message)), 'an error says it is not a tar');
  },
  'truncated-archive.tar': (report) => {
    const truncated = report.errors.find((error) => error.code === 'truncated');
    assert.ok(truncated, 'a "truncated" error');
    assert.match(truncated.message, new RegExp(hex(sampleLayers[0].digest)), 'names the blob the archive ends in');
  },
  'corrupt-gzip.tar': (report) => {
    const [broken] = report.images[0].layers;
    assert.equal(broken.digest, sampleLayers[0].digest);
    assert.equal(broken.verified.digest, 'mismatch', 'inverted bytes change the blob digest');
    assert.notEqual(broken.verified.diffId, 'ok');
    assert.match(broken.error, /gzip|corrupt|deflate/i);
    assertGoodLayers(report, [1, 2, 3]);
    assert.equal(report.images[0].configVerified, 'ok');
  },
  'missing-blob.tar': (report) => {
    const missing = report.images[0].layers[1];
    assert.equal(missing.digest, sampleLayers[1].digest);
    assert.match(missing.error, /missing|not in the archive/i);
    assert.notEqual(missing.verified.digest, 'ok');
    assertGoodLayers(report, [0, 2, 3]);
  },
  'digest-mismatch.tar': (report) => {
    const [image] = report.images;
    assert.equal(image.configDigest, sample.configDigest);
    assert.equal(image.configVerified, 'mismatch');
    assertGoodLayers(report, [0, 1, 2, 3]);
  },
  'no-index.tar': (report) => {
    assert.ok(report.errors.some((error) => /index\.json/.test(error.message)), 'an error names index.json');
    // The manifest and its blobs are all there: the image is still shown.
    assert.equal(report.images[0]?.manifestDigest, sample.manifestDigest);
    assertGoodLayers(report, [0, 1, 2, 3]);
  },
  'bad-manifest-json.tar': (report) => {
    assert.ok(report.errors.some((error) => /manifest\.json/.test(error.message)), 'an error names manifest.json');
    // The layers are still in the archive; their contents are the sample's.
    const layers = report.images[0]?.layers ?? [];
    assert.deepEqual(
      layers.map((layer) => layer.diffId),
      sampleLayers.map((layer) => layer.diffId),
    );
  },
  'unsafe-paths.tar': (report) => {
    const members = execFileSync('tar', ['-tf', join(fixturesDir, 'unsafe-paths.tar')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .filter(Boolean);
    assert.equal(report.images[0].layers[0].entries, members.length);
    assert.equal(report.images[0].layers[0].error, null);
  },
  'truncated-layer.tar.gz': (report) => {
    const [layer] = report.images[0].layers;
    assert.match(layer.error, /truncated/i);
    assert.notEqual(layer.diffId, sampleLayers[0].diffId);
  },
};

describe('bad inputs', () => {
  const app = useApp({ before, after, afterEach });

  for (const [name, check] of Object.entries(cases)) {
    test(name, async () => {
      const { page, problems } = await app.open();
      await openFiles(page, [join(fixturesDir, name)]);
      const { report } = await downloadReport(page, 60_000);
      assert.equal(report.source.name, name);
      assert.equal(report.source.size, statSync(join(fixturesDir, name)).size);
      check(report);

      const listed = problemsIn(report);
      const visible = await page.evaluate(() => document.body.innerText);
      assert.ok(visible.includes(name), 'the page names the file');
      if (name === 'unsafe-paths.tar') {
        // Not an image: opened as a single layer, and the page says so.
        assert.match(visible, new RegExp(`${name.replace('.', '\\.')}[^\\n]*single layer|single layer[^\\n]*${name.replace('.', '\\.')}`));
      } else {
        assert.ok(listed.length > 0, 'the report lists the problem');
      }
      for (const problem of listed) {
        assertNamesAFile(problem, name);
        assert.ok(visible.includes(problem.message), `visible: "${problem.message}"`);
      }
      assert.deepEqual(problems, [], 'no uncaught page errors or console errors');
    });
  }

  test('unsafe-paths.tar: the merged file list stays inside the image', async () => {
    const { page, problems } = await app.open();
    await openFiles(page, [join(fixturesDir, 'unsafe-paths.tar')]);
    await downloadReport(page, 60_000);
    await page.evaluate(() => {
      location.hash = location.hash.replace(/&?view=[^&]*/, '') + '&view=merged';
    });
    const { name, list } = await downloadFileList(page);
    assert.equal(name, 'files.json');
    assert.equal(list.view, 'merged');
    assert.ok(list.entries.length > 0);
    for (const entry of list.entries) {
      assert.ok(entry.path.startsWith('/'), `absolute: ${entry.path}`);
      assert.ok(!entry.path.split('/').includes('..'), `no ".." segment: ${entry.path}`);
      if (entry.type === 'hardlink') assert.ok(!entry.linkTarget.split('/').includes('..'), `hard link inside: ${entry.linkTarget}`);
    }
    assert.ok(list.entries.some((entry) => entry.path === '/safe/ok.txt'), 'the safe file is listed');
    assert.deepEqual(problems, []);
  });
});
