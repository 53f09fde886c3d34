// The first pass keeps every compressed layer decompressed in the Origin
// Private File System (workers/storage/layer-store.ts), named by its DiffID, so that
// files open right after the scan without decoding the layer again. What is
// kept must be exactly the layer (its sha256 is its name), and nothing may be
// kept of a layer that failed.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bigLayer } from './big-layer.mjs';
import { downloadReport, fixturesDir, openFiles, readExpected, keptLayers, useApp, waitForText } from './harness.mjs';

const hexOf = (diffId) => diffId.replace(/^sha256:/, '');

/** A size as the app writes it: decimal units, three significant digits. */
function decimalSize(bytes) {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2)} ${units[unit]}`;
}

/** Opens `fixture`, waits for the report, and returns the expected layers and what the page stored. */
async function scan(page, fixture) {
  await openFiles(page, [join(fixturesDir, fixture)]);
  const { report } = await downloadReport(page);
  return { report, stored: await keptLayers(page) };
}

describe('decompressed layers kept by the first pass', () => {
  const app = useApp({ before, after, afterEach });

  for (const fixture of ['oci-archive.tar', 'oci-zstd.tar']) {
    test(`${fixture}: each compressed layer is kept, named by its DiffID, and not written again when reopened`, async () => {
      const expected = await readExpected(`${fixture}.json`);
      const { page, problems } = await app.open();
      const { stored } = await scan(page, fixture);
      const compressed = expected.layers.filter((layer) => layer.compression !== 'none');
      assert.ok(compressed.length >= 2, 'the fixture has compressed layers');
      for (const layer of compressed) {
        const hex = hexOf(layer.diffId);
        const data = stored.find((file) => file.name === `${hex}.tar`);
        assert.ok(data, `${hex}.tar is stored`);
        assert.equal(data.hex, hex, 'the stored bytes hash to their DiffID');
        assert.equal(data.size, layer.uncompressedSize);
        assert.ok(stored.some((file) => file.name === `${hex}.done`), `${hex}.done marks it complete`);
      }
      assert.deepEqual(stored.filter((file) => file.name.startsWith('pending-')), [], 'no unfinished files are left');

      // Opened again: the layers are known by their expected DiffIDs and not rewritten.
      await scan(page, fixture);
      const again = await keptLayers(page);
      for (const layer of compressed) {
        const name = `${hexOf(layer.diffId)}.tar`;
        assert.equal(again.find((file) => file.name === name)?.modified, stored.find((file) => file.name === name)?.modified, `${name} was not written again`);
      }
      assert.deepEqual(problems, []);
    });
  }

  test('a gzipped OCI archive (read in one streaming pass): its gzip layers are kept too', async () => {
    const expected = await readExpected('oci-archive.tar.json');
    const directory = mkdtempSync(join(tmpdir(), 'tarsier-kept-'));
    try {
      const archive = join(directory, 'oci-archive.tar.gz');
      writeFileSync(archive, execFileSync('gzip', ['-c', join(fixturesDir, 'oci-archive.tar')], { maxBuffer: 1 << 28 }));
      const { page, problems } = await app.open();
      await openFiles(page, [archive]);
      await downloadReport(page);
      const stored = await keptLayers(page);
      for (const layer of expected.layers) {
        const hex = hexOf(layer.diffId);
        assert.equal(stored.find((file) => file.name === `${hex}.tar`)?.hex, hex, `${hex}.tar is kept and hashes to its name`);
      }
      assert.deepEqual(problems, []);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  test('the landing page says what is kept on this device, and Clear deletes it', async () => {
    const expected = await readExpected('oci-archive.tar.json');
    const { page, problems } = await app.open();
    await scan(page, 'oci-archive.tar');
    const expectedKept = new Map(expected.layers.filter((layer) => layer.compression !== 'none').map((layer) => [layer.diffId, layer.uncompressedSize]));
    const keptBytes = [...expectedKept.values()].reduce((sum, size) => sum + size, 0);
    // A fresh start of the app in the same browser profile.
    await page.goto(page.url().replace(/#.*$/, ''));
    await page.reload();
    const note = page.getByRole('listitem', { name: 'Kept on this device' });
    await note.waitFor();
    const text = await note.innerText();
    assert.match(text, new RegExp(`Decompressed copies of ${expectedKept.size} layers`));
    assert.ok(text.includes(`(${decimalSize(keptBytes)})`), `${text} names ${decimalSize(keptBytes)}`);
    await note.getByRole('button', { name: 'Clear' }).click();
    await note.waitFor({ state: 'detached' });
    assert.deepEqual((await keptLayers(page)).filter((file) => file.name.endsWith('.tar') || file.name.endsWith('.done')), []);
    assert.deepEqual(problems, []);
  });

  test('a layer that was not kept: the viewer says how far its decoding got, then shows the file', async () => {
    const layer = bigLayer();
    const { page, problems } = await app.open();
    await openFiles(page, [layer.archive]);
    await downloadReport(page, 120_000);
    // What a private window that stopped keeping, or a cleared store, leaves: nothing.
    await page.evaluate(async () => (await navigator.storage.getDirectory()).removeEntry('tarsier-layers', { recursive: true }));
    // The last member of the 534 MB layer: the whole layer is decoded to reach it.
    await page.evaluate(() => (location.hash += '&view=merged&path=/data/text-99.txt'));
    const progress = page.getByRole('progressbar', { name: 'Decompressing the layer' });
    await progress.waitFor({ timeout: 30_000 });
    const [value, max] = await Promise.all([progress.getAttribute('value'), progress.getAttribute('max')]);
    assert.ok(Number(max) > layer.uncompressedSize * 0.9 && Number(max) <= layer.uncompressedSize, `progress ends near the layer's end (${max})`);
    assert.ok(Number(value) >= 0 && Number(value) < Number(max));
    await waitForText(page, 'the quick brown tarsier jumps over the lazy registry, line 99.0', 60_000);
    await progress.waitFor({ state: 'detached' });
    assert.deepEqual(problems, []);
  });

  test('uncompressed layers are read in place, not copied', async () => {
    const { page, problems } = await app.open();
    const { report, stored } = await scan(page, 'oci-uncompressed.tar');
    assert.ok(report.images[0].layers.every((layer) => layer.compression === 'none'));
    assert.deepEqual(stored, []);
    assert.deepEqual(problems, []);
  });

  for (const fixture of ['truncated-layer.tar.gz', 'corrupt-gzip.tar']) {
    test(`${fixture}: nothing is kept of a layer that failed`, async () => {
      const { page } = await app.open();
      const { report, stored } = await scan(page, fixture);
      const layers = report.images[0].layers;
      assert.ok(layers.some((layer) => layer.error), 'the fixture has a failing layer');
      const good = layers.filter((layer) => !layer.error && layer.compression !== 'none').map((layer) => `${hexOf(layer.diffId)}.tar`);
      const data = stored.filter((file) => file.name.endsWith('.tar'));
      assert.deepEqual(data.map((file) => file.name).sort(), [...new Set(good)].sort(), 'exactly the layers read without error are kept');
      for (const file of data) assert.equal(`${file.hex}.tar`, file.name, 'every kept file hashes to its name');
      assert.deepEqual(stored.filter((file) => file.name.startsWith('pending-')), []);
    });
  }
});
