// The file explorer in Chromium: keyboard navigation of the tree, the viewer
// for each kind of file, downloads compared byte for byte with what GNU tar
// extracts, "Download file list" compared with `tar -tv` of the layers (OCI
// whiteouts applied in tar-listing.mjs), and copied links reopened in a fresh
// browser context.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { downloadFileList, fixturesDir, openFiles, readExpected, useApp, waitForText } from './harness.mjs';
import { expectedFileList, listLayer } from './tar-listing.mjs';

/** The browser has no save picker, so saves are streamed downloads that Playwright can read. */
const noSavePicker = 'delete Window.prototype.showSaveFilePicker; delete window.showSaveFilePicker;';

const archive = (name) => join(fixturesDir, name);
const tarMember = (archivePath, member) => execFileSync('tar', ['-xOf', archivePath, member], { maxBuffer: 1 << 28 });
const isGzip = (bytes) => bytes[0] === 0x1f && bytes[1] === 0x8b;
const uncompressed = (bytes) => (isGzip(bytes) ? execFileSync('gzip', ['-dc'], { input: bytes, maxBuffer: 1 << 28 }) : bytes);

/** Stored bytes of each layer of an OCI archive (manifest from skopeo) or a docker archive (manifest.json). */
async function layerBlobs(name) {
  if (name.startsWith('oci-')) {
    const manifest = JSON.parse(readFileSync(join(fixturesDir, 'expected', name, 'manifest.json'), 'utf8'));
    return manifest.layers.map((layer) => tarMember(archive(name), `blobs/sha256/${layer.digest.slice(7)}`));
  }
  const [entry] = JSON.parse(tarMember(archive(name), 'manifest.json').toString('utf8'));
  return entry.Layers.map((member) => tarMember(archive(name), member));
}

/** A file's bytes as GNU tar extracts them from a layer blob. */
function extract(blob, path) {
  return execFileSync('tar', ['-xOf', '-', path.replace(/^\//, '')], { input: uncompressed(blob), maxBuffer: 1 << 28 });
}

async function openExplorer(app, fixture, hash = '', setup = {}) {
  const opened = await app.open('', { initScript: noSavePicker, ...setup });
  await openFiles(opened.page, [archive(fixture)]);
  await waitForText(opened.page, /\d+\/\d+ layers · done/, 60_000);
  if (hash) await opened.page.evaluate((extra) => (location.hash += extra), hash);
  return opened;
}

/** Rows of the tree as drawn: path → row element state. */
async function cursorPath(page) {
  return page.evaluate(() => {
    const tree = document.querySelector('[role="tree"]');
    const id = tree?.getAttribute('aria-activedescendant');
    return id ? document.getElementById(id)?.dataset.path ?? null : null;
  });
}

const routeParam = (page, key) => page.evaluate((name) => new URLSearchParams(location.hash.replace(/^#\/?\??/, '')).get(name), key);

/** `hexdump -C`-like first line of bytes, as the viewer writes it. */
function firstHexLine(bytes) {
  const hex = [...bytes.subarray(0, 16)].map((b) => b.toString(16).padStart(2, '0'));
  return `00000000${hex.slice(0, 8).join(' ')} ${hex.slice(8).join(' ')}`;
}

describe('file explorer', () => {
  const app = useApp({ before, after, afterEach });

  test('keyboard: walk the merged tree, open an ELF, a symlink and a text file', async () => {
    const { page, problems } = await openExplorer(app, 'oci-archive.tar');
    const blobs = await layerBlobs('oci-archive.tar');
    await page.keyboard.press('3'); // the Merged view (shortcut)
    const tree = page.getByRole('tree', { name: 'Files' });
    await tree.waitFor();
    await page.waitForSelector('[role="treeitem"][data-path="/bin"]');
    await tree.focus();
    assert.equal(await cursorPath(page), '/bin');
    await page.keyboard.press('ArrowRight'); // expand /bin
    await page.waitForSelector('[role="treeitem"][data-path="/bin/busybox"]');
    await page.keyboard.press('ArrowDown');
    assert.equal(await cursorPath(page), '/bin/busybox');
    await page.keyboard.press('Enter');
    assert.equal(await routeParam(page, 'path'), '/bin/busybox');
    const elf = page.getByLabel('ELF summary');
    await elf.waitFor();
    assert.match(await elf.innerText(), /ELF 64-bit little-endian[\s\S]*x86-64[\s\S]*none \(static\)/);
    const busybox = extract(blobs[0], '/bin/busybox');
    const hexLine = await page.locator('[aria-label="Hex dump"] .line').first().innerText();
    assert.equal(hexLine.replace(/\s+/g, ' ').startsWith(firstHexLine(busybox).replace(/\s+/g, ' ').replace(/^00000000/, '00000000 ')), true, hexLine);
    await waitForText(page, `${busybox.length.toLocaleString('en-US')} bytes`);

    // j moves down inside the tree (elsewhere it switches layers): /bin/cat is a symlink to busybox.
    await page.keyboard.press('j');
    assert.equal(await cursorPath(page), '/bin/cat');
    assert.equal(await routeParam(page, 'layer'), null, 'j inside the tree must not change the layer');
    await page.keyboard.press('Enter');
    await waitForText(page, /Symbolic link to busybox\s*→ resolves to \/bin\/busybox/);
    await page.getByLabel('ELF summary').waitFor();

    // Left goes to the parent, Left again collapses it; type-ahead jumps to /etc.
    await page.keyboard.press('ArrowLeft');
    assert.equal(await cursorPath(page), '/bin');
    await page.keyboard.press('ArrowLeft');
    await page.waitForSelector('[data-path="/bin/busybox"]', { state: 'detached' });
    await page.keyboard.type('et');
    assert.equal(await cursorPath(page), '/etc');
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('[data-path="/etc/passwd"]');
    await page.keyboard.press('ArrowRight'); // into the first child
    await page.waitForTimeout(900); // let the type-ahead buffer expire
    await page.keyboard.type('pas');
    assert.equal(await cursorPath(page), '/etc/passwd');
    await page.keyboard.press('Enter');
    const text = page.getByRole('region', { name: 'File content' });
    await text.waitFor();
    const lines = await text.locator('.code').allInnerTexts();
    assert.deepEqual(lines, extract(blobs[0], '/etc/passwd').toString('utf8').trimEnd().split('\n'));
    await page.keyboard.press('End');
    assert.equal(await cursorPath(page), '/var');
    await page.keyboard.press('Home');
    assert.equal(await cursorPath(page), '/bin');
    assert.deepEqual(problems, []);
  });

  test('Download file saves the bytes GNU tar extracts', async () => {
    const { page, problems } = await openExplorer(app, 'docker-archive.tar', '&view=merged&path=/bin/busybox');
    const blobs = await layerBlobs('docker-archive.tar');
    const button = page.getByRole('button', { name: 'Download file', exact: true });
    await button.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    const saved = await readFile(await download.path());
    assert.ok(saved.equals(extract(blobs[0], '/bin/busybox')), 'saved bytes differ from tar -xO');
    assert.equal(download.suggestedFilename(), 'busybox');
    assert.deepEqual(problems, []);
  });

  test('Download directory as tar, a layer as stored, and the merged root filesystem', async () => {
    const { page, problems } = await openExplorer(app, 'oci-archive.tar', '&view=merged&layer=3&path=/etc');
    const blobs = await layerBlobs('oci-archive.tar');
    const layers = blobs.map((blob) => listLayer(uncompressed(blob)));
    const merged = expectedFileList(layers, 'merged', 3);
    const saveFrom = async (click) => {
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), click()]);
      return { name: download.suggestedFilename(), bytes: await readFile(await download.path()) };
    };
    const paths = (entries) => entries.map((entry) => entry.path).sort();

    const directory = await saveFrom(() => page.getByRole('button', { name: 'Download directory as tar' }).click());
    assert.equal(directory.name, 'etc.tar');
    const inDirectory = listLayer(directory.bytes).filter((entry) => entry.path !== '/');
    const wanted = merged.filter((entry) => entry.path.startsWith('/etc/'));
    // The tar holds the directory itself under its own name, as `tar -C / -cf etc.tar etc` does.
    assert.deepEqual(paths(inDirectory), ['/etc', ...paths(wanted)]);

    await page.getByText('Downloads', { exact: true }).click();
    const stored = await saveFrom(() => page.getByRole('button', { name: 'Layer 3 as stored' }).click());
    assert.ok(stored.bytes.equals(blobs[3]), 'layer 3 as stored differs from the blob in the archive');

    await page.getByText('Downloads', { exact: true }).click();
    const rootfs = await saveFrom(() => page.getByRole('button', { name: 'Root filesystem after layer 3 (tar)' }).click());
    assert.deepEqual(paths(listLayer(rootfs.bytes).filter((entry) => entry.path !== '/')), paths(merged));
    const passwd = execFileSync('tar', ['-xOf', '-', 'etc/passwd'], { input: rootfs.bytes });
    assert.ok(passwd.equals(extract(blobs[0], '/etc/passwd')));
    assert.deepEqual(problems, []);
  });

  for (const fixture of ['oci-archive.tar', 'docker-archive.tar']) {
    test(`Download file list of ${fixture} equals tar -tv of its layers`, async () => {
      const layers = (await layerBlobs(fixture)).map((blob) => listLayer(uncompressed(blob)));
      const { page, problems } = await openExplorer(app, fixture);
      const image = (await readExpected(`${fixture}.json`)).images[0];
      const imageId = image.manifestDigest ?? image.configDigest;
      for (const view of ['merged', 'changes']) {
        for (let layer = 0; layer < layers.length; layer++) {
          await page.evaluate(([v, n]) => (location.hash = location.hash.replace(/&view=[^&]*|&layer=[^&]*|&path=[^&]*/g, '') + `&layer=${n}&view=${v}`), [view, layer]);
          const { name, list } = await downloadFileList(page);
          assert.equal(name, 'files.json');
          assert.deepEqual({ image: list.image, layer: list.layer, view: list.view }, { image: imageId, layer, view });
          const sorted = [...list.entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.type < b.type ? -1 : 1));
          assert.deepEqual(sorted, expectedFileList(layers, view, layer), `${fixture} ${view} layer ${layer}`);
        }
      }
      assert.deepEqual(problems, []);
    });
  }

  test('a copied link reopens in a fresh context: it asks for the file, then lands on the view and line', async () => {
    const first = await openExplorer(app, 'oci-archive.tar', '&view=merged&layer=1&path=/etc/passwd&line=2');
    await first.page.locator('.line.marked[data-line="2"]').waitFor();
    const link = first.page.url();
    assert.match(link, /view=merged/);

    const second = await app.open(link.slice(link.indexOf('#')), { initScript: noSavePicker });
    await waitForText(second.page, /This link is for oci-archive\.tar/);
    await openFiles(second.page, [archive('oci-archive.tar')]);
    const marked = second.page.locator('.line.marked[data-line="2"]');
    await marked.waitFor({ timeout: 60_000 });
    assert.match(await marked.innerText(), /app:x:1000:1000/);
    assert.equal(await second.page.locator('[role="treeitem"][aria-selected="true"]').getAttribute('data-path'), '/etc/passwd');
    assert.equal(await second.page.locator('[role="tab"][aria-selected="true"]').innerText(), 'Merged');
    assert.equal(await routeParam(second.page, 'layer'), '1');
    assert.deepEqual([...first.problems, ...second.problems], []);
  });

  test('wasted space: the files later layers overwrite or delete, as tar and the merged files.json say', async () => {
    const { page, problems } = await openExplorer(app, 'oci-archive.tar', '&view=merged&layer=3');
    const blobs = await layerBlobs('oci-archive.tar');
    const { list } = await downloadFileList(page);
    const final = new Map(list.entries.map((entry) => [entry.path, entry]));
    // A file member is wasted when the merged tree does not show it: its path is gone or a later layer wrote it.
    const wasted = blobs.flatMap((blob, layer) =>
      listLayer(uncompressed(blob))
        .filter((entry) => entry.type === 'file' && !entry.path.split('/').pop().startsWith('.wh.'))
        .filter((entry) => final.get(entry.path)?.layer !== layer)
        .map((entry) => ({ ...entry, layer })),
    );
    assert.ok(wasted.length > 0, 'the fixture deletes and replaces files');
    const summary = page.getByText(/^Efficiency/);
    await summary.click();
    const table = page.getByRole('table', { name: 'Wasted space by path' });
    await table.waitFor();
    const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.trim())));
    const expected = [...wasted].sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : 1));
    assert.deepEqual(
      rows.map(([path, copies, bytes, layers]) => ({ path: path.replace(/\s*deleted$/, ''), copies, bytes, layers })),
      expected.map((entry) => ({ path: entry.path, copies: '1', bytes: `${entry.size} B`, layers: String(entry.layer) })),
    );
    const total = wasted.reduce((sum, entry) => sum + entry.size, 0);
    assert.match(await summary.innerText(), new RegExp(`${total} B of the .* of files the layers store`));
    // A path leads to the changes of the layer that wrote the wasted copy.
    await table.getByRole('button', { name: expected[0].path }).click();
    assert.equal(await routeParam(page, 'view'), 'changes');
    assert.equal(await routeParam(page, 'layer'), String(expected[0].layer));
    assert.equal(await routeParam(page, 'path'), expected[0].path);
    assert.deepEqual(problems, []);
  });

  test('a deleted path in the changes view, and search across layers', async () => {
    const { page, problems } = await openExplorer(app, 'oci-archive.tar', '&view=changes&layer=2&path=/usr/share/tarsier/remove-me.txt');
    await waitForText(page, /Deleted by layer 2/);
    const row = page.locator('[role="treeitem"][data-path="/usr/share/tarsier/remove-me.txt"]');
    await row.waitFor();
    assert.match(await row.innerText(), /deleted/);
    await page.getByLabel('Search all layers').fill('remove-me');
    const results = page.getByRole('list', { name: 'Search results' });
    await results.waitFor();
    const hits = await results.locator('.hit').allInnerTexts();
    assert.ok(hits.some((hit) => /remove-me\.txt\s+L1[\s\S]*gone/.test(hit)), hits.join('\n'));
    await results.locator('.hit', { hasText: 'L1' }).first().click();
    assert.equal(await routeParam(page, 'layer'), '1');
    assert.equal(await routeParam(page, 'view'), 'changes');
    await page.getByRole('region', { name: 'File content' }).waitFor();
    await waitForText(page, 'this file is deleted by the next layer');
    assert.deepEqual(problems, []);
  });

  test('extended attributes: file capabilities as getcap prints them, text values, binary sizes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tarsier-caps-'));
    const root = join(dir, 'root');
    mkdirSync(join(root, 'bin'), { recursive: true });
    writeFileSync(join(root, 'bin/ping'), 'ping');
    execFileSync('setcap', ['cap_net_admin,cap_net_raw+ep', join(root, 'bin/ping')]);
    execFileSync('python3', ['-c', "import os,sys; os.setxattr(sys.argv[1], 'user.origin', b'built by ci'); os.setxattr(sys.argv[1], 'user.blob', bytes([0, 255, 1]))", join(root, 'bin/ping')]);
    const getcap = execFileSync('getcap', ['-n', join(root, 'bin/ping')], { encoding: 'utf8' }).trim().split(' ').slice(1).join(' ');
    const layer = join(dir, 'caps-layer.tar');
    execFileSync('tar', ['--format=pax', '--xattrs', '--xattrs-include=*', '--sort=name', '-cf', layer, '-C', root, 'bin']);
    const { page, problems } = await app.open('', { initScript: noSavePicker });
    await openFiles(page, [layer]);
    await waitForText(page, /1\/1 layers · done/, 60_000);
    await page.evaluate(() => (location.hash += '&view=merged&path=/bin/ping'));
    const attributes = page.getByLabel('Extended attributes');
    await attributes.waitFor();
    const pairs = await attributes.evaluate((list) => [...list.querySelectorAll('dt')].map((term) => [term.innerText.trim(), term.nextElementSibling.innerText.trim()]));
    assert.deepEqual(pairs, [
      ['security.capability', getcap],
      ['user.blob', '3 bytes, binary'],
      ['user.origin', 'built by ci'],
    ]);
    assert.equal(getcap, 'cap_net_admin,cap_net_raw=ep');
    assert.deepEqual(problems, []);
  });

  test('images, JSON, binary and a paged 4 MB text file in a layer made by GNU tar', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tarsier-kinds-'));
    const root = join(dir, 'root');
    mkdirSync(join(root, 'data'), { recursive: true });
    writeFileSync(join(root, 'data/pixel.png'), png2x2());
    writeFileSync(join(root, 'data/config.json'), '{"b":[1,2],"a":{"c":"d"}}');
    writeFileSync(join(root, 'data/blob.bin'), Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251)));
    writeFileSync(join(root, 'data/big.txt'), Array.from({ length: 300_000 }, (_, i) => `line ${i + 1} ${'x'.repeat(i % 7)}`).join('\n') + '\n');
    const layer = join(dir, 'kinds-layer.tar');
    execFileSync('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '-cf', layer, '-C', root, 'data']);

    const { page, problems } = await app.open('', { initScript: noSavePicker });
    await openFiles(page, [layer]);
    await waitForText(page, /1\/1 layers · done/, 60_000);
    const go = (path, extra = '') => page.evaluate(([p, e]) => (location.hash = location.hash.replace(/&view=[^&]*|&path=[^&]*|&line=[^&]*/g, '') + `&view=merged&path=${p}${e}`), [path, extra]);

    await go('/data/pixel.png');
    const image = page.getByRole('img', { name: 'Image /data/pixel.png' });
    await image.waitFor();
    assert.match(await image.getAttribute('src'), /^blob:/);
    await page.waitForFunction(() => document.querySelector('img[alt="Image /data/pixel.png"]')?.naturalWidth === 2);

    await go('/data/config.json');
    await waitForText(page, 'JSON, re-indented');
    const json = await page.getByRole('region', { name: 'File content' }).locator('.code').allInnerTexts();
    assert.deepEqual(json, JSON.stringify({ b: [1, 2], a: { c: 'd' } }, null, 2).split('\n'));

    await go('/data/blob.bin');
    const hex = page.getByRole('region', { name: 'Hex dump' });
    await hex.waitFor();
    await waitForText(page, /bytes 0x0–0x10000 of 200,000 bytes/);
    await page.getByRole('button', { name: 'Next ▸' }).click();
    await waitForText(page, /bytes 0x10000–0x20000/);
    const bytes = readFileSync(join(root, 'data/blob.bin'));
    const second = await hex.locator('.line').first().innerText();
    assert.ok(second.startsWith('00010000'), second);
    assert.ok(second.replace(/\s+/g, ' ').includes([...bytes.subarray(0x10000, 0x10008)].map((b) => b.toString(16).padStart(2, '0')).join(' ')), second);

    await go('/data/big.txt', '&line=250000');
    const marked = page.locator('.line.marked[data-line="250000"]');
    await marked.waitFor({ timeout: 30_000 });
    assert.match(await marked.innerText(), new RegExp(`^250000\\s*line 250000 ${'x'.repeat(249_999 % 7)}$`));
    // Not all of it is read yet, and the page says so.
    await waitForText(page, /lines loaded \([\d.]+ MB of [\d.]+ MB\)/);
    assert.deepEqual(problems, []);
  });
});

/** A 2×2 RGB PNG (PNG spec: signature, IHDR, IDAT of zlib data, IEND), made here. */
function png2x2() {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(2, 0);
  header.writeUInt32BE(2, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.from([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
