// Registry images in Chromium through the reference proxy (proxy/server.mjs,
// started in-process with --allow for the registry): a registry without CORS
// headers, and one with token auth where the person signs in with the form.
// Credentials must never reach the URL, the report, storage (unless
// "Remember in this tab" is ticked: then sessionStorage only), the console or
// the proxy's log; an expired token on a blob fetch is renewed once.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRegistry } from '../helpers/registry.mjs';
import { downloadReport, openFiles, useApp, waitForText } from './harness.mjs';
import {
  archivePath,
  enterReference,
  imageFacts,
  inspectRaw,
  listen,
  pushArchive,
  referrersProbe,
  setProxy,
  signIn,
  startProxy,
  watchConsole,
} from './registry-fixtures.mjs';

const credentials = { username: 'ci-bot', password: 'pa55-w0rd-Zq9!xK' };
const basic = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');

describe('registries through the reference proxy', () => {
  const app = useApp({ before, after, afterEach });
  let open;
  let secured;
  let basicOnly;
  let limited;
  let proxy;
  let droppedReport;
  let openDigest;
  let securedDigest;

  before(async () => {
    open = await startRegistry({ cors: false });
    secured = await startRegistry({ cors: false, auth: { kind: 'token', ...credentials } });
    basicOnly = await startRegistry({ cors: false, auth: { kind: 'htpasswd', ...credentials } });
    // A registry stand-in that rate-limits one repository and denies another.
    limited = await listen((request, response) => {
      if (request.url.startsWith('/v2/team/busy/')) {
        response.writeHead(429, { 'Retry-After': '42', 'Content-Type': 'application/json' });
        response.end('{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}');
      } else if (request.url.startsWith('/v2/team/secret/')) {
        response.writeHead(403, { 'Content-Type': 'application/json' });
        response.end('{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}');
      } else {
        response.writeHead(404).end();
      }
    });
    limited.host = `127.0.0.1:${limited.port}`;
    proxy = await startProxy([open.host, secured.host, basicOnly.host, limited.host]);
    await pushArchive(`${open.host}/team/app:1.0`);
    openDigest = (await inspectRaw(`${open.host}/team/app:1.0`)).digest;
    await pushArchive(`${secured.host}/private/app:1.0`, { credentials });
    securedDigest = (await inspectRaw(`${secured.host}/private/app:1.0`, { credentials })).digest;
    await pushArchive(`${basicOnly.host}/private/app:1.0`, { credentials });
    const { page } = await app.open();
    await openFiles(page, [archivePath]);
    droppedReport = (await downloadReport(page)).report;
  });

  after(async () => {
    await proxy?.close();
    await open?.stop();
    await secured?.stop();
    await basicOnly?.stop();
    await limited?.close();
  });

  /** Opens the app with the proxy already set (as a returning visitor has it). */
  async function openWithProxy(hash = '') {
    const opened = await app.open(hash, {
      initScript: `localStorage.setItem('tarsier.registryProxy', ${JSON.stringify(proxy.url)});`,
    });
    return { ...opened, console: watchConsole(opened.page) };
  }

  /** Everything the page could leak credentials into. */
  async function leakSurfaces(page) {
    return page.evaluate(() => ({
      url: location.href,
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
    }));
  }

  /**
   * With a proxy set the app tries a registry directly first (it may send CORS
   * headers) and moves to the proxy when the browser refuses: Chromium logs
   * that first refusal for each registry and for the tag/referrer listing.
   */
  function directAttempts(registry) {
    return [new RegExp(`^Access to fetch at 'http://${registry.host}/v2/`), new RegExp(`^http://${registry.host}/v2/`)];
  }

  function assertNoCredentials(text, where) {
    assert.ok(!text.includes(credentials.password), `password in ${where}`);
    assert.ok(!text.includes(basic), `Basic credentials in ${where}`);
  }

  /** The credentials are nowhere: report, URL, storage, request URLs, console, proxy log. */
  async function assertNothingLeaked(page, { report, requested, logs }) {
    const surfaces = await leakSurfaces(page);
    assertNoCredentials(JSON.stringify(report), 'report.json');
    assertNoCredentials(surfaces.url, 'the URL');
    assertNoCredentials(surfaces.local, 'localStorage');
    assertNoCredentials(surfaces.session, 'sessionStorage');
    assertNoCredentials(requested.join('\n'), 'request URLs');
    assertNoCredentials(logs.texts.join('\n'), 'console');
    assertNoCredentials(proxy.lines.join('\n'), 'the proxy log');
  }

  test('registry without CORS: the field set to the proxy, the report equals the dropped archive', async () => {
    const { page, problems } = await app.open();
    const logs = watchConsole(page);
    await setProxy(page, proxy.url);
    const typed = `${open.host}/team/app:1.0`;
    await enterReference(page, typed);
    const { report } = await downloadReport(page);
    assert.deepEqual(report.errors, []);
    assert.equal(openDigest, droppedReport.images[0].manifestDigest);
    assert.deepEqual(imageFacts(report.images[0]), imageFacts(droppedReport.images[0]));
    assert.ok(proxy.lines.some((line) => line.includes(`/team/app/blobs/${droppedReport.images[0].layers[0].digest}`)), 'blobs came through the proxy');
    assert.equal(await page.evaluate(() => localStorage.getItem('tarsier.registryProxy')), proxy.url);

    // The pinned link, in a fresh profile that has the proxy set, reloads the same image.
    await page.waitForFunction((digest) => decodeURIComponent(location.hash).includes(`@${digest}`), openDigest);
    const fresh = await openWithProxy(new URL(page.url()).hash);
    const { report: again } = await downloadReport(fresh.page);
    assert.deepEqual(imageFacts(again.images[0]), imageFacts(report.images[0]));
    assert.deepEqual(logs.unexpected([referrersProbe, ...directAttempts(open)]), []);
    assert.deepEqual(problems.filter((line) => !/Failed to load resource|CORS/.test(line)), []);
  });

  test('token auth: the registry asks, the form signs in, nothing leaks', async () => {
    const { page, context } = await openWithProxy();
    const logs = watchConsole(page);
    const requested = [];
    context.on('request', (request) => requested.push(request.url()));
    const typed = `${secured.host}/private/app:1.0`;
    await enterReference(page, typed);
    await page.getByRole('form', { name: 'Sign in to registry' }).waitFor();
    assert.match(await page.getByRole('alert', { name: 'Registry error' }).innerText(), /wants a login for private\/app/);
    await signIn(page, credentials);

    const { report } = await downloadReport(page);
    assert.deepEqual(report.errors, []);
    assert.equal(report.images[0].manifestDigest, securedDigest);
    assert.deepEqual(imageFacts(report.images[0]), imageFacts(droppedReport.images[0]));
    await waitForText(page, `as ${credentials.username}`);
    assert.ok(secured.token.requests.some((request) => request.account === credentials.username && request.granted));

    await assertNothingLeaked(page, { report, requested, logs });
    assert.ok(!proxy.lines.join('\n').includes('Bearer'), 'no token in the proxy log');
    // The 401s: the registry's challenges (through the proxy) before the person signed in;
    // Chromium does not always name the URL of a failed HEAD, so the status text counts too.
    assert.deepEqual(
      logs.unexpected([referrersProbe, ...directAttempts(secured), /\/private\/app\/manifests\/1\.0$/, /status of 401 \(Unauthorized\)$/]),
      [],
    );

    // Signing out forgets them: a fresh load asks again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in to registry' }).waitFor();
  });

  test('htpasswd (Basic) auth: the form signs in, the report equals the dropped archive, nothing leaks', async () => {
    const { page, context } = await openWithProxy();
    const logs = watchConsole(page);
    const requested = [];
    context.on('request', (request) => requested.push(request.url()));
    await enterReference(page, `${basicOnly.host}/private/app:1.0`);
    await signIn(page, credentials);
    const { report } = await downloadReport(page);
    assert.deepEqual(report.errors, []);
    assert.equal(report.images[0].manifestDigest, droppedReport.images[0].manifestDigest);
    assert.deepEqual(imageFacts(report.images[0]), imageFacts(droppedReport.images[0]));
    assert.ok(proxy.lines.some((line) => line.includes(`${basicOnly.host}/v2/private/app/blobs/`)), 'blobs came through the proxy');
    await assertNothingLeaked(page, { report, requested, logs });
  });

  test('"Remember in this tab" keeps them in sessionStorage only; a reload signs in by itself', async () => {
    const { page } = await openWithProxy();
    await page.getByRole('button', { name: 'Sign in to registry' }).click();
    const form = page.getByRole('form', { name: 'Sign in to registry' });
    await form.getByLabel('Username').fill(credentials.username);
    await form.getByLabel('Password or token').fill(credentials.password);
    await form.getByLabel('Remember in this tab').check();
    await form.getByRole('button', { name: 'Sign in' }).click();
    await enterReference(page, `${secured.host}/private/app:1.0`);
    await downloadReport(page);
    const surfaces = await leakSurfaces(page);
    assert.ok(surfaces.session.includes(credentials.password), 'kept in sessionStorage as asked');
    assertNoCredentials(surfaces.local, 'localStorage');
    assertNoCredentials(surfaces.url, 'the URL');

    await page.reload();
    const { report } = await downloadReport(page);
    assert.equal(report.images[0].manifestDigest, securedDigest);
    await waitForText(page, `as ${credentials.username} (this tab)`);
  });

  test('a private link in a fresh profile offers the form, then opens the same view', async () => {
    const hash = `#/?ref=${secured.host}/private/app:1.0@${securedDigest}&layer=2&view=config`;
    const { page } = await openWithProxy(hash);
    const form = page.getByRole('form', { name: 'Sign in to registry' });
    await form.waitFor();
    await form.getByLabel('Username').fill(credentials.username);
    await form.getByLabel('Password or token').fill('wrong password');
    await form.getByRole('button', { name: 'Sign in' }).click();
    await waitForText(page, /rejected the username or password/);
    await form.getByLabel('Password or token').fill(credentials.password);
    await form.getByRole('button', { name: 'Sign in' }).click();
    const { report } = await downloadReport(page);
    assert.equal(report.images[0].manifestDigest, securedDigest);
    await page.getByRole('tablist', { name: 'View' }).getByRole('tab', { name: 'Config', selected: true }).waitFor();
    const params = new URLSearchParams(new URL(page.url()).hash.slice(2));
    assert.equal(params.get('layer'), '2');
    assertNoCredentials((await leakSurfaces(page)).session, 'sessionStorage (not ticked)');
  });

  test('an expired token on a blob fetch is renewed once and the layer still verifies', async () => {
    const { page, context } = await openWithProxy();
    const biggest = droppedReport.images[0].layers[0].digest;
    let refused = 0;
    // The first GET of the biggest layer answers as an expired token does (401 + challenge).
    await context.route(`**/private/app/blobs/${biggest}`, async (route) => {
      if (route.request().method() === 'GET' && refused === 0) {
        refused += 1;
        await route.fulfill({
          status: 401,
          headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"', 'Access-Control-Allow-Origin': '*' },
          body: '{"errors":[{"code":"UNAUTHORIZED","message":"token expired"}]}',
        });
        return;
      }
      await route.continue();
    });
    await page.getByRole('button', { name: 'Sign in to registry' }).click();
    await signIn(page, credentials);
    const tokensBefore = secured.token.requests.length;
    await enterReference(page, `${secured.host}/private/app:1.0`);
    const { report } = await downloadReport(page);
    assert.equal(refused, 1, 'the blob GET was refused once');
    assert.deepEqual(report.images[0].layers[0].verified, { digest: 'ok', diffId: 'ok' });
    assert.equal(report.images[0].layers[0].error, null);
    assert.deepEqual(imageFacts(report.images[0]), imageFacts(droppedReport.images[0]));
    // Check, model and renewal each asked the token service.
    assert.ok(secured.token.requests.length >= tokensBefore + 3, `${secured.token.requests.length - tokensBefore} token requests`);
  });

  test('429 with Retry-After, 403 and an unreachable proxy: messages that say what to do, the view kept', async () => {
    const { page } = await openWithProxy();
    await enterReference(page, `${open.host}/team/app:1.0`);
    await downloadReport(page);
    const hashBefore = new URL(page.url()).hash;
    const alert = page.getByRole('alert', { name: 'Registry error' });

    await enterReference(page, `${limited.host}/team/busy:1`);
    await waitForText(page, /is rate-limiting requests \(429\).*Try again in 42 seconds\./);
    await enterReference(page, `${limited.host}/team/secret:1`);
    await waitForText(page, /denied access to team\/secret.*Check the name and your permissions\./);
    await setProxy(page, 'http://127.0.0.1:1');
    await enterReference(page, `${open.host}/team/app:1.0`);
    await waitForText(page, /The Registry proxy at http:\/\/127\.0\.0\.1:1 did not answer.*npm run proxy/);
    assert.equal(await alert.count(), 1);
    assert.equal(new URL(page.url()).hash, hashBefore);
    assert.equal(await page.getByRole('button', { name: 'Download report' }).isEnabled(), true);
  });
});
