/**
 * Tar exports of merged trees, checked with GNU tar: the root filesystem of
 * the umoci whiteout image, extracted by `tar -x`, must equal what
 * `umoci unpack` made of the same image (test/fixtures/generated/whiteout-unpacked);
 * the sample image's export must list its symlinks, hard links, setuid file
 * and long names the way `tar -tv` shows them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LayeredFilesystem } from '../../../src/core/filesystem';
import { blobChunks, decodeLayer } from '../../../src/core/layer-content';
import { END_OF_ARCHIVE, paddingFor, paxRecord, tarHeader } from '../../../src/core/tar-writer';
import { exportMembers } from '../../../src/core/tree-export';
import type { SourceInput } from '../../../src/sources/index';
import { analyse, fixtureFile, fixtureFolder, fixturesDir } from '../../helpers/node-source';

const workDir = mkdtempSync(join(fixturesDir, '.tar-writer-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** Opens an image and decodes every layer into memory (the fixtures are small). */
async function openImage(input: SourceInput): Promise<{ filesystem: LayeredFilesystem; tars: Uint8Array[] }> {
  const { source, results } = await analyse(input);
  const filesystem = new LayeredFilesystem();
  const tars: Uint8Array[] = [];
  for (const layer of source.images[0].layers) {
    const outcome = results.get(layer.key);
    if (!outcome || !('result' in outcome) || layer.location?.kind !== 'blob') throw new Error('unreadable layer');
    filesystem.applyLayer(outcome.result.entries);
    const chunks: Uint8Array[] = [];
    const blob = layer.location.blob;
    await decodeLayer(new AbortController().signal, () => blobChunks(blob), outcome.result.compression, (chunk) => {
      chunks.push(chunk.slice());
      return false;
    });
    tars.push(new Uint8Array(Buffer.concat(chunks)));
  }
  return { filesystem, tars };
}

/** Writes the export of `directory` after the last layer to a file, as the save job does. */
function writeExport(image: { filesystem: LayeredFilesystem; tars: Uint8Array[] }, directory: string, name: string): string {
  const parts: Uint8Array[] = [];
  const last = image.filesystem.layerCount - 1;
  for (const member of exportMembers(image.filesystem.rootAfter(last), directory)) {
    parts.push(tarHeader(member.fields));
    if (member.content !== null) {
      const { layer, offset } = member.content;
      parts.push(image.tars[layer].subarray(offset, offset + member.fields.size), paddingFor(member.fields.size));
    }
  }
  parts.push(END_OF_ARCHIVE);
  const path = join(workDir, name);
  writeFileSync(path, Buffer.concat(parts));
  return path;
}

function gnuTar(args: string[]): string {
  return execFileSync('tar', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('tar export of a merged tree', () => {
  it('extracts to exactly what umoci unpack made of the whiteout image', async () => {
    const image = await openImage(await fixtureFolder('whiteout-layout'));
    const tar = writeExport(image, '/', 'whiteout-rootfs.tar');
    const target = mkdtempSync(join(workDir, 'x-'));
    gnuTar(['-xf', tar, '-C', target]);
    const differences = execFileSync('diff', ['-r', '--no-dereference', target, join(fixturesDir, 'whiteout-unpacked')], { encoding: 'utf8' });
    expect(differences).toBe('');
    const expectedMode = statSync(join(fixturesDir, 'whiteout-unpacked', 'etc', 'keep.conf')).mode & 0o7777;
    expect(statSync(join(target, 'etc', 'keep.conf')).mode & 0o7777).toBe(expectedMode);
  });

  it('keeps symlinks, hard links, the setuid bit and long pax names of the sample image', async () => {
    const image = await openImage({ kind: 'file', file: await fixtureFile('oci-archive.tar') });
    const listing = gnuTar(['-tvf', writeExport(image, '/', 'sample-rootfs.tar')]);
    expect(listing).toMatch(/^lrwxrwxrwx 0\/0 +0 \S+ \S+ bin\/sh -> busybox$/m);
    expect(listing).toMatch(/^-rwsr-xr-x 0\/0 .* usr\/bin\/su-tool$/m);
    expect(listing).toMatch(/^hrw.* link to /m);
    const longName = listing.split('\n').map((line) => line.split(' ').pop() ?? '').find((name) => (name.split('/').pop() ?? '').length === 103);
    expect(longName).toBeDefined();
    // Whiteouts are applied, not exported, and the opaque directory hides build.log.
    expect(listing).not.toMatch(/\.wh\.|remove-me\.txt|build\.log/);
    expect(listing).toMatch(/ var\/log\/app\.log$/m);
  });

  it('exports one directory under its own name, with content matching the layer', async () => {
    const image = await openImage({ kind: 'file', file: await fixtureFile('oci-archive.tar') });
    const tar = writeExport(image, '/etc', 'etc.tar');
    const names = gnuTar(['-tf', tar]).trim().split('\n');
    expect(names[0]).toBe('etc/');
    expect(names).toContain('etc/passwd');
    expect(names.every((name) => name.startsWith('etc/'))).toBe(true);
    const passwd = gnuTar(['-xOf', tar, 'etc/passwd']);
    expect(passwd).toContain('root:x:0:0');
  });

  it('writes pax records whose length prefix counts itself, across a digit boundary', () => {
    const record = paxRecord('path', 'a'.repeat(92));
    expect(record.length).toBe(Number(record.split(' ')[0]));
    for (let length = 1; length < 1200; length += 1) {
      const candidate = paxRecord('path', 'x'.repeat(length));
      expect(Buffer.byteLength(candidate)).toBe(Number(candidate.split(' ')[0]));
    }
    expect(Buffer.byteLength(paxRecord('path', 'é'.repeat(50)))).toBe(Number(paxRecord('path', 'é'.repeat(50)).split(' ')[0]));
  });

  it('puts names longer than 100 bytes and non-ASCII names in a pax header that GNU tar reads', () => {
    const name = `${'deep/'.repeat(40)}naïve-file.txt`;
    const content = new TextEncoder().encode('hello\n');
    const header = tarHeader({ path: name, type: 'file', size: content.length, mode: 0o640, uid: 3_000_000, gid: 7, mtime: 1735689600, linkTarget: null });
    const path = join(workDir, 'pax.tar');
    writeFileSync(path, Buffer.concat([header, content, paddingFor(content.length), END_OF_ARCHIVE]));
    expect(gnuTar(['-tf', path]).trim()).toBe(name);
    expect(gnuTar(['-tvf', path, '--numeric-owner'])).toMatch(/^-rw-r----- 3000000\/7 +6 /);
    expect(readFileSync(path).length % 512).toBe(0);
  });

  it('refuses member names that climb out', () => {
    expect(() => tarHeader({ path: 'a/../../etc/passwd', type: 'file', size: 0, mode: 0o644, uid: 0, gid: 0, mtime: 0, linkTarget: null })).toThrow(/refusing/);
  });
});
