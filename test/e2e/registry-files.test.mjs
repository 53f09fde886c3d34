// Files of a registry image read long after it was opened: Debian's
// docker-registry with token auth whose tokens the registry refuses a few
// seconds after they were issued (Docker Hub's last 300 s), reached through the
// reference proxy (distribution answers a CORS preflight with 401 once auth is
// on, so a browser cannot talk to it directly). Once the token the
// image was opened with has expired and the decompressed layers are gone from
// the Origin Private File System, opening a file or saving a layer must fetch
// the blob again, renew the token on the 401 and still show the right bytes;
// a registry that keeps refusing gets a message naming the layer. No token
// may reach the URL, the report, the console or a download's name.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { startRegistry } from '../helpers/registry.mjs';
import { downloadReport, readExpected, keptLayers, useApp } from './harness.mjs';
import { archivePath, enterReference, pushArchive, referrersProbe, signIn, startProxy, watchConsole } from './registry-fixtures.mjs';

const credentials = { username: 'files-bot', password: 'fi1es-Pa55!q7' };
const basic = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
/** Seconds until the registry refuses a token; long enough for one load on a busy 2-core machine. */
const tokenLifetime = 4;
/** The browser has no save picker here, so saves are downloads that Playwright can read. */
const noSavePicker = 'delete Window.prototype.showSaveFilePicker; delete window.showSaveFilePicker;';

const expected = await readExpected('oci-archive.tar/manifest.json');
/** Layer 0 holds /etc/passwd and is the biggest blob (1 MB of gzip). */
const firstLayer = expected.layers[0];
const firstBlob = execFileSync('tar', ['-xOf', archivePath, `blobs/sha256/${firstLayer.digest.slice(7)}`], { maxBuffer: 1 << 26 });
const passwd = execFileSync('tar', ['-xzOf', '-', 'etc/passwd'], { input: firstBlob });

describe('registry layers read again after the token expired', () => {
  const app = useApp({ before, after, afterEach });
  let registry;
  let proxy;
  const repository = 'private/app';

  before(async () => {
    registry = await startRegistry({ cors: false, auth: { kind: 'token', ...credentials } });
    proxy = await startProxy([registry.host]);
    // skopeo keeps a token for at least 60 s whatever it is told: push with long-lived ones.
    await pushArchive(`${registry.host}/${repository}:1.0`, { credentials });
    registry.token.setLifetime(tokenLifetime);
  });

  after(async () => {
    await proxy?.close();
    await registry?.stop();
  });

  /**
   * Opens the image from the registry (signing in with the form) with every
   * request's Authorization header and every blob answer recorded.
   */
  async function openSignedIn() {
    const opened = await app.open('', {
      initScript: `${noSavePicker} localStorage.setItem('tarsier.registryProxy', ${JSON.stringify(proxy.url)});`,
    });
    const { page, context } = opened;
    const logs = watchConsole(page);
    // Routing turns Chromium's HTTP cache off (Playwright): a blob GET by digest is cacheable, and
    // an answer from the cache would skip the registry, and with it the expired token's 401.
    await context.route('**/blobs/**', (route) => route.continue());
    const authorizations = new Set();
    const blobAnswers = [];
    context.on('request', (request) => {
      const value = request.headers().authorization;
      if (value) authorizations.add(value);
    });
    context.on('response', (response) => {
      const request = response.request();
      if (request.method() === 'GET' && new URL(response.url()).pathname.endsWith(`/v2/${repository}/blobs/${firstLayer.digest}`)) {
        blobAnswers.push(response.status());
      }
    });
    await enterReference(page, `${registry.host}/${repository}:1.0`);
    await signIn(page, credentials);
    const { report } = await downloadReport(page);
    assert.deepEqual(report.errors, []);
    assert.deepEqual(report.images[0].layers[0].verified, { digest: 'ok', diffId: 'ok' });
    return { ...opened, logs, authorizations, blobAnswers };
  }

  /** Waits until every token issued so far is refused by the registry. */
  async function outliveTokens() {
    const last = Math.max(...registry.token.requests.filter((request) => request.granted).map((request) => request.issuedAt));
    const wait = last + tokenLifetime * 1000 + 1000 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  /** Deletes the decompressed layers the first pass kept, so that reads must go to the registry. */
  async function forgetKeptLayers(page) {
    // The first pass kept the registry's layers too (no second download to open a file).
    const kept = (await keptLayers(page)).filter((file) => file.name.endsWith('.tar'));
    assert.ok(kept.length > 0, 'the first pass kept the layers');
    for (const file of kept) assert.equal(`${file.hex}.tar`, file.name);
    await page.evaluate(async () => {
      const root = await navigator.storage.getDirectory();
      await root.removeEntry('tarsier-layers', { recursive: true });
    });
    assert.deepEqual(await keptLayers(page), []);
  }

  const goTo = (page, extra) => page.evaluate((keys) => (location.hash = location.hash.replace(/&(view|layer|path|line)=[^&]*/g, '') + keys), extra);

  async function saveFrom(page, click) {
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), click()]);
    return { name: download.suggestedFilename(), bytes: await readFile(await download.path()) };
  }

  function assertNoSecrets(text, where, authorizations) {
    assert.ok(!text.includes(credentials.password), `password in ${where}`);
    assert.ok(!text.includes(basic), `Basic credentials in ${where}`);
    for (const value of authorizations) {
      const secret = value.replace(/^(Bearer|Basic) /, '');
      assert.ok(!text.includes(secret), `an Authorization value in ${where}`);
    }
  }

  test('opening a file and saving a layer renew the expired token; the bytes are the blob’s', async () => {
    const { page, logs, authorizations, blobAnswers } = await openSignedIn();
    await outliveTokens();
    await forgetKeptLayers(page);
    const answersBefore = blobAnswers.length;
    const tokensBefore = registry.token.requests.length;

    await goTo(page, '&view=merged&path=/etc/passwd');
    const text = page.getByRole('region', { name: 'File content' });
    const failed = page.getByRole('alert').filter({ hasText: 'Could not read the file' });
    await text.or(failed).waitFor({ timeout: 60_000 });
    assert.equal(await failed.count(), 0, await failed.allInnerTexts().then((texts) => texts.join()));
    assert.deepEqual(await text.locator('.code').allInnerTexts(), passwd.toString('utf8').trimEnd().split('\n'));
    // The GET with the load-time token was refused, the renewed one answered.
    assert.deepEqual(blobAnswers.slice(answersBefore), [401, 200]);
    assert.ok(
      registry.token.requests.slice(tokensBefore).some((request) => request.granted && request.account === credentials.username),
      'the token was renewed with the signed-in account',
    );
    const file = await saveFrom(page, () => page.getByRole('button', { name: 'Download file', exact: true }).click());
    assert.equal(file.name, 'passwd');
    assert.ok(file.bytes.equals(passwd), 'saved /etc/passwd differs from tar -xO of the blob');

    // "as stored" always fetches the blob again; the token renewed above has expired meanwhile.
    await outliveTokens();
    const tokensBeforeSave = registry.token.requests.length;
    await goTo(page, '&view=merged&layer=0&path=/etc');
    await page.getByText('Downloads', { exact: true }).click();
    const stored = await saveFrom(page, () => page.getByRole('button', { name: 'Layer 0 as stored' }).click());
    assert.ok(stored.bytes.equals(firstBlob), 'layer 0 as stored differs from the blob');
    assert.ok(registry.token.requests.length > tokensBeforeSave, 'renewed again for the save');
    assert.deepEqual(blobAnswers.slice(-2), [401, 200]);

    const { report } = await downloadReport(page);
    assert.ok(authorizations.size >= 3, `saw ${authorizations.size} Authorization values`);
    assertNoSecrets(page.url(), 'the page URL', authorizations);
    assertNoSecrets(JSON.stringify(report), 'report.json', authorizations);
    assertNoSecrets(`${file.name} ${stored.name}`, 'download names', authorizations);
    assertNoSecrets(logs.texts.join('\n'), 'the console', authorizations);
    assertNoSecrets(proxy.lines.join('\n'), 'the proxy log', authorizations);
    assertNoSecrets(
      await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })),
      'storage',
      authorizations,
    );
    // Chromium logs every 401 (the sign-in challenge, each expired token), the referrers probes'
    // 404s and the first, refused, direct attempts before the app moves to the proxy.
    const direct = [new RegExp(`^Access to fetch at 'http://${registry.host}/v2/`), new RegExp(`^http://${registry.host}/v2/`)];
    assert.deepEqual(logs.unexpected([referrersProbe, /status of 401 \(Unauthorized\)$/, /net::ERR_FAILED$/, ...direct]), []);
  });

  test('a registry that refuses the renewed token too: a message naming the layer', async () => {
    const { page, context } = await openSignedIn();
    await forgetKeptLayers(page);
    const tokensBefore = registry.token.requests.length;
    let refused = 0;
    await context.route(`**/v2/${repository}/blobs/${firstLayer.digest}`, async (route) => {
      if (route.request().method() !== 'GET') return route.continue();
      refused += 1;
      await route.fulfill({
        status: 401,
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"', 'Access-Control-Allow-Origin': '*' },
        body: '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
      });
    });
    await goTo(page, '&view=merged&path=/etc/passwd');
    const alert = page.getByRole('alert').filter({ hasText: 'Could not read the file' });
    await alert.waitFor({ timeout: 60_000 });
    const message = await alert.innerText();
    assert.match(message, new RegExp(`/v2/${repository}/blobs/${firstLayer.digest}: the registry refused the layer \\(401 Unauthorized\\) even with a renewed token`));
    assert.equal(refused, 2, 'one GET with the old token, one with the renewed one');
    assert.ok(registry.token.requests.length > tokensBefore, 'a renewal was asked for');
    assert.ok(!/Bearer|Basic/.test(message), 'no credentials in the message');
  });
});
