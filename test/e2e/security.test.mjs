// Security of the built app: a strict CSP without inline or eval'd scripts,
// no CSP violations in any view, and hostile names and labels shown as text.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { distDir, downloadReport, fixturesDir, openFiles, useApp, waitForText } from './harness.mjs';

const hostileFile = '<img src=x onerror=alert(1)>';
const hostileLabel = '<img src=y onerror=alert(2)><script>alert(3)</script>';
const hostileHistory = 'RUN echo "<img src=w onerror=alert(4)>"';

/** Records CSP violations and alert() calls from the very first script on. */
const watchScript = () => {
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
  });
};

/**
 * An OCI archive with one gzip layer holding a file named like an HTML tag,
 * and a config whose label and history carry HTML. Built with GNU tar and
 * gzip into test/fixtures/generated/e2e-hostile-names.tar.
 */
function buildHostileImage() {
  const work = join(fixturesDir, 'e2e-hostile-names');
  rmSync(work, { recursive: true, force: true });
  const rootfs = join(work, 'rootfs');
  const layout = join(work, 'layout');
  mkdirSync(rootfs, { recursive: true });
  mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(rootfs, hostileFile), 'hello\n');
  const tarOptions = ['--sort=name', '--mtime=@1735689600', '--owner=0', '--group=0', '--numeric-owner'];
  execFileSync('tar', [...tarOptions, '-C', rootfs, '-cf', join(work, 'layer.tar'), '.']);
  const layerTar = readFileSync(join(work, 'layer.tar'));
  execFileSync('gzip', ['-n', '-9', join(work, 'layer.tar')]);
  const layerGz = readFileSync(join(work, 'layer.tar.gz'));
  const sha = (bytes) => createHash('sha256').update(bytes).digest('hex');
  const blob = (bytes) => {
    writeFileSync(join(layout, 'blobs', 'sha256', sha(bytes)), bytes);
    return { digest: `sha256:${sha(bytes)}`, size: bytes.length };
  };
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Labels: { 'org.example.note': hostileLabel, [hostileLabel]: 'key' }, Cmd: [hostileLabel] },
      rootfs: { type: 'layers', diff_ids: [`sha256:${sha(layerTar)}`] },
      history: [{ created: '2025-01-01T00:00:00Z', created_by: hostileHistory }],
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...blob(config) },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...blob(layerGz) }],
      annotations: { 'org.opencontainers.image.description': hostileLabel },
    }),
  );
  const manifestDescriptor = { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...blob(manifest) };
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ ...manifestDescriptor, annotations: { 'org.opencontainers.image.ref.name': 'hostile' } }],
    }),
  );
  const archive = join(fixturesDir, 'e2e-hostile-names.tar');
  execFileSync('tar', [...tarOptions, '-C', layout, '-cf', archive, 'oci-layout', 'index.json', 'blobs']);
  rmSync(work, { recursive: true, force: true });
  return { archive, manifestDigest: manifestDescriptor.digest };
}

/** Elements that hostile text would have created, had it been parsed as HTML. */
async function injectedElements(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('img, script')]
      .filter((element) => /^(x|y|w)$/.test(element.getAttribute('src') ?? '') || /alert\(/.test(element.textContent ?? ''))
      .map((element) => element.outerHTML),
  );
}

describe('security', () => {
  const app = useApp({ before, after, afterEach });

  test('the built index.html carries a CSP meta: script-src self, no unsafe-inline / unsafe-eval', () => {
    const html = readFileSync(join(distDir, 'index.html'), 'utf8');
    const meta = html.match(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i);
    assert.ok(meta, 'CSP meta tag');
    const directives = Object.fromEntries(
      meta[1]
        .split(';')
        .map((part) => part.trim().split(/\s+/))
        .filter((tokens) => tokens[0])
        .map(([name, ...values]) => [name, values]),
    );
    assert.ok(directives['script-src'], 'script-src directive');
    assert.ok(directives['script-src'].includes("'self'"));
    for (const [name, values] of Object.entries(directives)) {
      assert.ok(!values.includes("'unsafe-inline'"), `${name} has no 'unsafe-inline'`);
      assert.ok(!values.includes("'unsafe-eval'"), `${name} has no 'unsafe-eval'`);
    }
    assert.deepEqual(directives['object-src'], ["'none'"]);
    // No inline scripts in the built page itself.
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i);
  });

  test('no CSP violations or console errors across every view of the sample', async () => {
    const { page, problems } = await app.open('', { initScript: watchScript });
    await page.getByRole('button', { name: 'Open sample image' }).click();
    await downloadReport(page);
    for (const view of ['Changes', 'Merged', 'History', 'Config', 'Overview']) {
      await page.getByRole('tab', { name: view }).click();
      await page.waitForFunction((name) => document.querySelector('[role=tab][aria-selected=true]')?.textContent?.trim() === name, view);
      await page.waitForTimeout(300);
    }
    assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
    assert.deepEqual(problems.filter((problem) => /Content Security Policy|Refused to/i.test(problem)), []);
    assert.deepEqual(problems, []);
  });

  test('a file named like an <img> tag and HTML in labels and history are shown as text', async () => {
    const { archive, manifestDigest } = buildHostileImage();
    const { page, problems } = await app.open('', { initScript: watchScript });
    const dialogs = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      dialog.dismiss().catch(() => {});
    });
    await openFiles(page, [archive]);
    const { report } = await downloadReport(page);
    assert.equal(report.images[0].manifestDigest, manifestDigest);
    assert.deepEqual(report.images[0].layers[0].verified, { digest: 'ok', diffId: 'ok' });
    await waitForText(page, hostileLabel);
    for (const view of ['Changes', 'Merged', 'History', 'Config']) {
      await page.getByRole('tab', { name: view }).click();
      await page.waitForFunction((name) => document.querySelector('[role=tab][aria-selected=true]')?.textContent?.trim() === name, view);
      if (view === 'Changes' || view === 'Merged') await waitForText(page, hostileFile);
      if (view === 'History') await waitForText(page, hostileHistory);
      assert.deepEqual(await injectedElements(page), [], `${view}: no element made from hostile text`);
    }
    assert.deepEqual(dialogs, [], 'no alert() ran');
    assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
    assert.deepEqual(problems, []);
  });
});
