// A gzipped docker save (`docker save | gzip`) is read in one streaming pass;
// its large members are kept in the browser's private storage meanwhile, so
// files deep inside its layers open afterwards like in any other archive.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { downloadReport, fixturesDir, openFiles, useApp, waitForText } from './harness.mjs';

const fixture = 'docker-archive.tar.gz';

describe('gzipped archive', () => {
  const app = useApp({ before, after, afterEach });

  test('a file inside a layer of docker-archive.tar.gz opens and reads as GNU tar extracts it', async () => {
    const { page, problems } = await app.open();
    await openFiles(page, [join(fixturesDir, fixture)]);
    await downloadReport(page);
    const hash = new URL(page.url()).hash.replace(/&view=[^&]*/, '');
    await page.evaluate((next) => {
      location.hash = next;
    }, `${hash}&view=merged&path=/etc/passwd`);
    const expected = execFileSync('bash', [
      '-c',
      `cd "$(mktemp -d)" && tar -xzf ${JSON.stringify(join(fixturesDir, fixture))} && for layer in $(jq -r '.[0].Layers[]' manifest.json); do tar -xOf "$layer" etc/passwd 2>/dev/null; done | tail -n 2`,
    ], { encoding: 'utf8' });
    const firstLine = expected.split('\n')[0];
    assert.ok(firstLine.startsWith('root:'), `fixture's /etc/passwd starts with root: (${firstLine})`);
    await waitForText(page, firstLine);
    assert.ok(!(await page.locator('body').innerText()).includes('cannot be read again'));
    assert.deepEqual(problems, []);
  });
});
