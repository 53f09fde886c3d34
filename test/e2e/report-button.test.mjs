// Download report is a promise to scripts that wait for it: enabled means the
// report is final. A MutationObserver, installed before the app's own scripts,
// records every state of the button across several inputs opened one after
// the other in one page; the test fails on any enable before the analysis is
// over (issue 10, defect 5: it was enabled for 7–50 ms right after a source opened).
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { downloadReport, fixturesDir, openFiles, openFolder, useApp } from './harness.mjs';

/**
 * Runs in the page before the app. Records the button's state (absent,
 * disabled, enabled) whenever it changes, with whether the analysis was still
 * running at that moment (its Cancel button shown) and the input it belongs to.
 */
const recorder = () => {
  const records = [];
  let input = 'none';
  let last = null;
  const button = () =>
    [...document.querySelectorAll('button')].find((element) => element.textContent?.trim() === 'Download report') ?? null;
  const cancelShown = () => [...document.querySelectorAll('button')].some((element) => element.textContent?.trim() === 'Cancel');
  const look = () => {
    const found = button();
    const state = found === null ? 'absent' : found.disabled ? 'disabled' : 'enabled';
    if (state === last) return;
    last = state;
    records.push({ input, state, busy: cancelShown(), at: performance.now() });
  };
  new MutationObserver(look).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['disabled'] });
  window.__reportButton = {
    records,
    /** Starts the records of the next input. */
    next(name) {
      input = name;
    },
  };
};

/** The inputs, opened in this order in one page; each names how it is opened. */
const inputs = [
  { name: 'sample-image.tar', open: (page) => page.getByRole('button', { name: 'Open sample image' }).click() },
  { name: 'docker-archive.tar', open: (page) => openFiles(page, [join(fixturesDir, 'docker-archive.tar')]) },
  { name: 'oci-layout', open: (page) => openFolder(page, join(fixturesDir, 'oci-layout')) },
  { name: 'layer.tar.gz', open: (page) => openFiles(page, [join(fixturesDir, 'layer.tar.gz')]) },
  { name: 'not-a-tar.bin', open: (page) => openFiles(page, [join(fixturesDir, 'not-a-tar.bin')]) },
  { name: 'truncated-archive.tar', open: (page) => openFiles(page, [join(fixturesDir, 'truncated-archive.tar')]) },
  { name: 'docker-archive.tar.gz', open: (page) => openFiles(page, [join(fixturesDir, 'docker-archive.tar.gz')]) },
];

describe('Download report', () => {
  const app = useApp({ before, after, afterEach });

  test('is never enabled before the analysis of what was opened is over, across inputs of every kind', async () => {
    const { page, problems } = await app.open('', { initScript: recorder });
    await page.getByRole('button', { name: 'Open sample image' }).waitFor();
    for (const input of inputs) {
      await page.evaluate((name) => window.__reportButton.next(name), input.name);
      await input.open(page);
      const { report } = await downloadReport(page, 60_000);
      // The report saved once the button allowed it is that input's, complete.
      assert.equal(report.source.name, input.name, 'the report is of the input just opened');
      assert.equal(typeof report.timings.analysisMs, 'number', `${input.name}: analysisMs is set`);
    }
    const records = await page.evaluate(() => window.__reportButton.records);

    const early = records.filter((record) => record.state === 'enabled' && record.busy);
    assert.deepEqual(early, [], 'enabled while the analysis was running (Cancel shown)');
    assert.ok(records.every((record) => record.input !== 'none' || record.state === 'absent'), 'no button before any input');
    for (const input of inputs) {
      const states = records.filter((record) => record.input === input.name).map((record) => record.state);
      // From the input on: disabled (appearing so, or turning so from the previous report), then enabled once, for good.
      assert.deepEqual(
        states,
        states[0] === 'absent' ? ['absent', 'disabled', 'enabled'] : ['disabled', 'enabled'],
        `${input.name}: the button's states`,
      );
    }
    assert.deepEqual(problems, []);
  });
});
