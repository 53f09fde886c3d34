// OCI layout folders, picked through "Open folder" and dropped on the page,
// and a single file dropped through a synthetic `drop` event.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { assertMatchesExpected, downloadReport, dropFiles, fixturesDir, openFolder, useApp } from './harness.mjs';

/**
 * Drops real paths (files or folders) at the page's centre through the
 * DevTools protocol's drag events: Chromium then builds the DataTransfer from
 * the disk itself, so folders arrive as FileSystemDirectoryEntry, as they do
 * when a person drags a folder from their file manager.
 */
async function dropPaths(page, paths) {
  const session = await page.context().newCDPSession(page);
  const { width, height } = page.viewportSize();
  const data = { items: [], files: paths, dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop']) {
    await session.send('Input.dispatchDragEvent', { type, x: width / 2, y: height / 2, data, modifiers: 0 });
  }
  await session.detach();
}

describe('folders and drops', () => {
  const app = useApp({ before, after, afterEach });

  for (const name of ['oci-layout', 'oci-zstd', 'whiteout-layout']) {
    test(`"Open folder" with ${name}/`, async () => {
      const { page, problems } = await app.open();
      await openFolder(page, join(fixturesDir, name));
      const { report } = await downloadReport(page, 60_000);
      await assertMatchesExpected(report, name, { size: null });
      assert.deepEqual(problems, []);
    });
  }

  test('a folder dropped on the page (CDP drag with a directory path)', async () => {
    const { page, problems } = await app.open();
    await dropPaths(page, [join(fixturesDir, 'oci-layout')]);
    const { report } = await downloadReport(page, 60_000);
    await assertMatchesExpected(report, 'oci-layout', { size: null });
    assert.deepEqual(problems, []);
  });

  test('a file dropped through a synthetic drop event (DataTransfer built in the page)', async () => {
    const { page, problems } = await app.open();
    const path = join(fixturesDir, 'oci-zstd.tar');
    await dropFiles(page, [path]);
    const { report } = await downloadReport(page, 60_000);
    await assertMatchesExpected(report, 'oci-zstd.tar', { size: statSync(path).size });
    assert.deepEqual(problems, []);
  });
});
