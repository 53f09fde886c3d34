// The overall progress moves with the work done, also where the stored bytes
// barely move: over the 2 GiB gzip bomb (2 MB stored), the text must keep
// changing as the uncompressed count grows (issue 10, defect 8: it sat at
// "1.09 MB of 3.18 MB · 3.7 s left" for 30 s). Every text the progress shows
// is recorded by a MutationObserver installed before the app's scripts.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { downloadReport, fixturesDir, openFiles, readExpected, useApp } from './harness.mjs';

const recorder = () => {
  const texts = [];
  const look = () => {
    const text = document.querySelector('[aria-label="Analysis progress"]')?.textContent?.replace(/\s+/g, ' ').trim() ?? null;
    if (text !== null && text !== texts.at(-1)) texts.push(text);
  };
  new MutationObserver(look).observe(document, { subtree: true, childList: true, characterData: true });
  window.__progressTexts = texts;
};

const UNITS = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };
const bytes = (value, unit) => Number(value) * UNITS[unit];

/** The counts a running progress text shows: stored read, uncompressed, entries. */
function countsOf(text) {
  const match = /([\d.]+) (B|kB|MB|GB) of [\d.]+ (?:B|kB|MB|GB) · ([\d.]+) (B|kB|MB|GB) uncompressed, ([\d,]+) entr/.exec(text);
  if (!match) return null;
  return { stored: bytes(match[1], match[2]), uncompressed: bytes(match[3], match[4]), entries: Number(match[5].replace(/,/g, '')) };
}

describe('progress', () => {
  const app = useApp({ before, after, afterEach });

  test('over a decompression bomb, the progress text changes as the uncompressed count grows', async () => {
    const expected = await readExpected('bomb-image.tar.json');
    const { page, problems } = await app.open('', { initScript: recorder });
    await openFiles(page, [join(fixturesDir, 'bomb-image.tar')]);
    const { report } = await downloadReport(page, 180_000);
    assert.equal(report.images[0].layers[0].uncompressedSize, expected.layers[0].uncompressedSize);
    const texts = await page.evaluate(() => window.__progressTexts);
    const running = texts.map(countsOf).filter((counts) => counts !== null);

    const middle = texts[Math.floor(texts.length / 2)];
    console.log(`# bomb progress: ${texts.length} texts; halfway: "${middle}"; last running: "${texts.at(-2)}"`);
    const uncompressed = running.map((counts) => counts.uncompressed);
    // 2 GiB in steps of at most ~66 MB (64 KiB of stored bytes at most per report): dozens of texts, not one.
    assert.ok(new Set(uncompressed).size >= 10, `the uncompressed count moved ${new Set(uncompressed).size} times: ${texts.slice(0, 5).join(' | ')}`);
    for (let i = 1; i < running.length; i++) {
      assert.ok(uncompressed[i] >= uncompressed[i - 1], `the uncompressed count never goes back (${texts[i]})`);
      assert.ok(running[i].stored >= running[i - 1].stored, `the stored count never goes back (${texts[i]})`);
    }
    assert.ok(Math.max(...uncompressed) > 1e9, 'the count reached past 1 GB while running');
    // The stored count moves too, a 64 KiB piece at a time, instead of standing at one value until the end.
    assert.ok(new Set(running.map((counts) => counts.stored)).size >= 3, 'the stored count moved while running');
    assert.match(texts.at(-1), /1\/1 layers · done in/);
    assert.deepEqual(problems, []);
  });
});
