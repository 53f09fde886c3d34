// Links (docs/contracts.md, "Links"): every view has a hash URL; a dropped file's
// link names the file and image, asks for the file in a fresh browser, and
// restores the view once it is given. Back/forward move between views. The app
// is served from a sub-path (harness basePath) throughout.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { basePath, downloadFileList, downloadReport, fixturesDir, openFiles, readExpected, useApp, waitForText } from './harness.mjs';

const fixture = 'oci-archive.tar';
const expected = await readExpected(`${fixture}.json`);

/** The `#/?key=value&…` parameters of the page's URL. */
function hashParams(page) {
  const hash = new URL(page.url()).hash;
  assert.match(hash, /^#\/\?/, `hash form: ${hash}`);
  return Object.fromEntries(new URLSearchParams(hash.slice(3)));
}

async function selectedTab(page) {
  return page.getByRole('tab', { selected: true }).innerText();
}

describe('links', () => {
  const app = useApp({ before, after, afterEach });

  test('the app loads from a sub-path with its assets', async () => {
    const { page, problems } = await app.open();
    assert.ok(new URL(page.url()).pathname.startsWith(basePath));
    await page.getByLabel('Open image files').waitFor({ state: 'attached' });
    await page.getByRole('button', { name: 'Open sample image' }).waitFor();
    assert.deepEqual(problems, []);
  });

  test('file=/image= keys; back and forward between views; a fresh context restores the view', async () => {
    const { page, problems } = await app.open();
    const path = join(fixturesDir, fixture);
    await openFiles(page, [path]);
    await downloadReport(page);
    await page.waitForFunction(() => location.hash.includes('image='));
    const loaded = hashParams(page);
    assert.equal(loaded.file, fixture);
    assert.equal(loaded.size, String(statSync(path).size));
    assert.equal(loaded.image, expected.manifestDigest);

    // Moving between views pushes history entries; Back and Forward walk them.
    await page.getByRole('tab', { name: 'History' }).click();
    await page.waitForFunction(() => location.hash.includes('view=history'));
    assert.equal(await selectedTab(page), 'History');
    await page.getByRole('tab', { name: 'Config' }).click();
    await page.waitForFunction(() => location.hash.includes('view=config'));
    await page.goBack();
    await page.waitForFunction(() => location.hash.includes('view=history'));
    assert.equal(await selectedTab(page), 'History');
    await page.goBack();
    await page.waitForFunction(() => !/view=(history|config)/.test(location.hash));
    assert.equal(await selectedTab(page), 'Overview');
    await page.goForward();
    await page.waitForFunction(() => location.hash.includes('view=history'));
    assert.equal(await selectedTab(page), 'History');
    // Changing the hash by hand moves the view without reloading the source.
    await page.evaluate(() => {
      window.__tarsierSamePage = true;
      location.hash = location.hash.replace('view=history', 'view=config');
    });
    await page.waitForFunction(() => document.querySelector('[role=tab][aria-selected=true]')?.textContent?.trim() === 'Config');
    assert.equal(await page.evaluate(() => window.__tarsierSamePage), true, 'no reload');
    await page.evaluate(() => {
      location.hash = location.hash.replace('view=config', 'view=history');
    });
    await page.waitForFunction(() => document.querySelector('[role=tab][aria-selected=true]')?.textContent?.trim() === 'History');
    const link = new URL(page.url()).hash;
    assert.deepEqual(problems, []);

    // A fresh browser context: the link names the file and asks for it.
    const fresh = await app.open(link);
    await waitForText(fresh.page, fixture);
    const asked = await fresh.page.evaluate(() => document.body.innerText);
    const named = fixture.replace(/[.]/g, '\\.');
    assert.match(asked, new RegExp(`${named}[^\\n]*\\b(drop|choose|open|pick)\\b`, 'i'), 'one message names the file and asks for it');
    assert.ok(asked.includes(expected.manifestDigest) || asked.includes(expected.manifestDigest.slice(7, 19)), 'names the image');
    await openFiles(fresh.page, [path]);
    await downloadReport(fresh.page);
    await fresh.page.getByRole('tab', { selected: true }).waitFor();
    assert.equal(await selectedTab(fresh.page), 'History');
    const restored = hashParams(fresh.page);
    assert.equal(restored.view, 'history');
    assert.equal(restored.image, expected.manifestDigest);
    assert.equal(restored.file, fixture);
    // The history view lists the config's history lines (one is the ENV step).
    await waitForText(fresh.page, /APP_HOME/);
    assert.deepEqual(fresh.problems, []);
  });

  test('a layer link: layer= and view=changes select that layer', async () => {
    const { page, problems } = await app.open(`#/?file=${fixture}&image=${expected.manifestDigest}&layer=2&view=changes`);
    await openFiles(page, [join(fixturesDir, fixture)]);
    await downloadReport(page);
    assert.equal(await selectedTab(page), 'Changes');
    const params = hashParams(page);
    assert.equal(params.layer, '2');
    // Layer 2 deletes remove-me.txt with a whiteout: the changes view shows it.
    await waitForText(page, /remove-me\.txt/);
    assert.deepEqual(problems, []);
  });

  test('files.json of a changes link: layer 2 removes remove-me.txt with a whiteout', async () => {
    const { page, problems } = await app.open(`#/?file=${fixture}&image=${expected.manifestDigest}&layer=2&view=changes`);
    await openFiles(page, [join(fixturesDir, fixture)]);
    await downloadReport(page);
    const { name, list } = await downloadFileList(page);
    assert.equal(name, 'files.json');
    assert.equal(list.view, 'changes');
    assert.equal(list.layer, 2);
    assert.equal(list.image, expected.manifestDigest);
    // Layer 2's `tar -t`: its entries are what the changes view lists, whiteouts as the path they remove.
    assert.equal(list.entries.length, expected.layers[2].entries);
    const whiteout = list.entries.find((entry) => entry.type === 'whiteout');
    assert.equal(whiteout?.path, '/usr/share/tarsier/remove-me.txt');
    assert.ok(list.entries.every((entry) => entry.layer === 2));
    assert.deepEqual(problems, []);
  });
});
