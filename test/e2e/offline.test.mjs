// Offline (docs/contracts.md, "Automation hooks"): after the first load the app works without a network,
// through public/sw.js. The sample image must open with the network gone.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { downloadReport, readExpected, useApp } from './harness.mjs';

describe('offline', () => {
  const app = useApp({ before, after, afterEach });

  test('a second visit without network still opens the app and the sample image', async () => {
    const { page, context } = await app.open('', { contextOptions: { serviceWorkers: 'allow' } });
    await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) {
        await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
      }
      return registration.active?.state;
    });
    // Visit once more online so that every asset of the page went through the worker's cache.
    await page.reload();
    await page.getByRole('button', { name: 'Open sample image' }).click();
    await downloadReport(page);
    await context.setOffline(true);
    await page.reload();
    await page.getByRole('button', { name: 'Open sample image' }).click();
    const { report } = await downloadReport(page);
    const expected = await readExpected('sample-image.tar.json');
    assert.equal(report.images[0].manifestDigest, expected.manifestDigest);
    assert.ok(report.images[0].layers.every((layer) => layer.verified.diffId === 'ok'));
  });
});
