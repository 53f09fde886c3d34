/**
 * Tar exports of merged trees, checked with GNU tar: the root filesystem of
 * the umoci whiteout image, extracted by `tar -x`, must equal what
 * `umoci unpack` made of the same image (test/fixtures/generated/whiteout-unpacked);
 * the sample image's export must list its symlinks, hard links, setuid file
 * and long names the way `tar -tv` shows them; an export of layers with
 * devices, long owner names and binary xattrs must read back the same as
 * those layers to GNU tar and Python's tarfile, and extract to the same bytes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeEntries, encodeEntries } from '../../../../src/core/tar/entry-codec';
import { LayeredFilesystem } from '../../../../src/core/fs/filesystem';
import { blobChunks, decodeLayer } from '../../../../src/core/content/layer-content';
import { TarWalker } from '../../../../src/core/tar/walker';
import { END_OF_ARCHIVE, paddingFor, paxRecord, tarHeader, type TarHeaderFields } from '../../../../src/core/tar/writer';
import { exportMembers } from '../../../../src/core/fs/tree-export';
import { concatBytes, END, member } from '../../../helpers/craft-tar';
import { gnuTarListing } from '../../../helpers/gnu-tar-listing';
import type { SourceInput } from '../../../../src/sources/index';
import { analyse, fixtureFile, fixtureFolder, fixturesDir } from '../../../helpers/node-source';
import {
  BINARY_VALUE,
  CAPABILITY,
  HUGE_DEVICE,
  LONG_GNAME,
  LONG_UNAME,
  makeMetadataTars,
  pythonView,
  type MetadataTars,
} from '../../../helpers/make-metadata-tars';

const workDir = mkdtempSync(join(fixturesDir, '.tar-writer-'));
const metadataTars: MetadataTars = makeMetadataTars();
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
  rmSync(metadataTars.dir, { recursive: true, force: true });
});

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

  it('writes pax records whose length prefix counts their bytes, across a digit boundary', () => {
    const lengthPrefix = (record: Uint8Array): number => Number(Buffer.from(record).toString('latin1').split(' ')[0]);
    // 98 bytes without the prefix: two digits make 100, which needs three.
    const record = paxRecord('path', 'a'.repeat(91));
    expect(record.length).toBe(101);
    expect(lengthPrefix(record)).toBe(101);
    for (let length = 1; length < 1200; length += 1) {
      const candidate = paxRecord('path', 'x'.repeat(length));
      expect(candidate.length).toBe(lengthPrefix(candidate));
    }
    const accented = paxRecord('path', 'é'.repeat(50));
    expect(accented.length).toBe(lengthPrefix(accented));
    const binary = paxRecord('SCHILY.xattr.user.b', BINARY_VALUE);
    expect(binary.length).toBe(lengthPrefix(binary));
    expect(Buffer.from(binary.subarray(binary.length - BINARY_VALUE.length - 1, -1)).equals(BINARY_VALUE)).toBe(true);
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

  it('writes names that were not UTF-8 back byte for byte, and times before 1970 and past 2300, as GNU tar reads them', () => {
    const walked = walkTar(concatBytes(
      member({ name: Uint8Array.of(0x63, 0x61, 0x66, 0xe9), data: 'l', mtime: 1 }),
      member({ name: 'sym', typeFlag: '2', linkName: Uint8Array.of(0x74, 0xe9, 0x80) }),
      END,
    ));
    const path = join(workDir, 'bytes.tar');
    const parts: Uint8Array[] = [];
    for (const [entry, mtime] of [[walked[0], -315619200], [walked[1], 10413792000]] as const) {
      parts.push(tarHeader({ path: entry.path, type: entry.type as 'file' | 'symlink', size: entry.size, mode: entry.mode, uid: 0, gid: 0, mtime, linkTarget: entry.linkTarget, uname: 'caf\udce9' }));
      if (entry.size > 0) parts.push(Uint8Array.of(0x6c), paddingFor(1));
    }
    writeFileSync(path, Buffer.concat([...parts, END_OF_ARCHIVE]));
    const [file, link] = gnuTarListing(path).members;
    expect(file).toMatchObject({ name: walked[0].path, mtime: -315619200 });
    expect(link).toMatchObject({ name: 'sym', linkTarget: walked[1].linkTarget, mtime: 10413792000 });
    expect(Buffer.from(readFileSync(path)).includes(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]))).toBe(true);
  });

  it('refuses member names that climb out', () => {
    expect(() => tarHeader({ path: 'a/../../etc/passwd', type: 'file', size: 0, mode: 0o644, uid: 0, gid: 0, mtime: 0, linkTarget: null })).toThrow(/refusing/);
  });
});

function walkTar(bytes: Uint8Array): ReturnType<typeof decodeEntries> {
  const walker = new TarWalker({ keepEntries: true });
  walker.push(bytes);
  walker.finish();
  return decodeEntries(encodeEntries(walker.entries));
}

/** Walks a tar into entries, sent through the entry codec as the layer worker sends them. */
function entriesOfTar(path: string): ReturnType<typeof decodeEntries> {
  const walker = new TarWalker({ keepEntries: true });
  walker.push(new Uint8Array(readFileSync(path)));
  walker.finish();
  return decodeEntries(encodeEntries(walker.entries));
}

describe('tar export of device numbers, owner names and extended attributes', () => {
  const layerPaths = [metadataTars.layer0, metadataTars.layer1];
  const image = { filesystem: new LayeredFilesystem(), tars: layerPaths.map((path) => new Uint8Array(readFileSync(path))) };
  for (const path of layerPaths) image.filesystem.applyLayer(entriesOfTar(path));
  const exported = writeExport(image, '/', 'metadata-rootfs.tar');
  const xattrListing = (path: string): string => gnuTar(['--xattrs', "--xattrs-include=*", '--numeric-owner', '-tvvf', path]);

  it('reads back to Python tarfile as the layers it was made from', () => {
    const expected = [...pythonView(metadataTars.layer0), ...pythonView(metadataTars.layer1)];
    expected.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    expect(pythonView(exported)).toEqual(expected);
  });

  it('lists as GNU tar lists the layers: devices as major,minor, names, xattrs', () => {
    const listing = xattrListing(exported);
    const hugeLine = /^crw--w---- +0\/0 +5000,3000000 2025-01-01 00:00 dev\/huge$/m;
    expect(listing).toMatch(hugeLine);
    expect(listing.replace(hugeLine, '').replace(/\n\n/, '\n')).toBe(xattrListing(metadataTars.layer0));
    expect(listing).toMatch(/^crw-r--r-- +0\/0 +4095,1048575 .* dev\/tty-max$/m);
    expect(listing).toMatch(/^brw-r--r-- +0\/0 +8,3 .* dev\/sda3$/m);
    expect(listing).toMatch(/^ {2}x: +20 security\.capability$/m);
    expect(gnuTar(['-tvf', exported])).toMatch(new RegExp(`^-rw-r--r-- +${LONG_UNAME}/${LONG_GNAME} +6 .* etc/owned$`, 'm'));
  });

  it('extracts, as root with GNU tar, to the same attribute bytes and device numbers', () => {
    const target = mkdtempSync(join(workDir, 'x-'));
    gnuTar(['--xattrs', '--xattrs-include=*', '--exclude=dev/huge', '-xpf', exported, '-C', target]);
    const read = (attribute: string): string =>
      execFileSync('python3', ['-c', `import os,sys; print(os.getxattr(sys.argv[1], sys.argv[2]).hex())`, join(target, 'bin/ping'), attribute], { encoding: 'utf8' }).trim();
    expect(read('security.capability')).toBe(CAPABILITY.toString('hex'));
    expect(read('user.binary')).toBe(BINARY_VALUE.toString('hex'));
    expect(read('user.a=b%c')).toBe(Buffer.from('escaped name').toString('hex'));
    expect(statSync(join(target, 'bin/ping6')).ino).toBe(statSync(join(target, 'bin/ping')).ino);
    const device = execFileSync('python3', ['-c', `import os,sys; r=os.stat(sys.argv[1]).st_rdev; print(os.major(r), os.minor(r))`, join(target, 'dev/tty-max')], { encoding: 'utf8' });
    expect(device.trim()).toBe('4095 1048575');
  });

  it('walks back into the entries it was made from', () => {
    const original = new Map([...entriesOfTar(metadataTars.layer0), ...entriesOfTar(metadataTars.layer1)].map((entry) => [entry.path, entry]));
    const again = entriesOfTar(exported);
    expect(again.map((entry) => entry.path).sort()).toEqual([...original.keys()].sort());
    for (const entry of again) {
      const { offset: _offset, ...rest } = entry;
      const { offset: _originalOffset, ...expected } = original.get(entry.path) ?? entry;
      expect(rest).toEqual(expected);
    }
    expect(again.find((entry) => entry.path === 'dev/huge')).toMatchObject({ devMajor: HUGE_DEVICE.major, devMinor: HUGE_DEVICE.minor });
  });

  it('writes a hard link whose target is not exported as a file with the target’s xattrs', () => {
    const etc = pythonView(writeExport(image, '/etc', 'metadata-etc.tar'));
    const link = etc.find((member) => member.name === 'etc/ping-link');
    const ping = pythonView(metadataTars.layer0).find((member) => member.name === 'bin/ping');
    expect(link).toMatchObject({ type: '0', size: 4, mode: 0o755, xattrs: ping?.xattrs });
    expect(Object.keys(link?.xattrs ?? {})).toHaveLength(4);
  });

  it('writes a hard link to a device outside the export as that device', () => {
    const linked = { filesystem: new LayeredFilesystem(), tars: [metadataTars.layer0, metadataTars.deviceLink].map((path) => new Uint8Array(readFileSync(path))) };
    for (const path of [metadataTars.layer0, metadataTars.deviceLink]) linked.filesystem.applyLayer(entriesOfTar(path));
    const etc = pythonView(writeExport(linked, '/etc', 'device-link-etc.tar'));
    expect(etc.find((member) => member.name === 'etc/disk-link')).toMatchObject({ type: '4', device: [8, 3] });
    // Exported with its target, it stays a link to the member already written.
    const whole = pythonView(writeExport(linked, '/', 'device-link-root.tar'));
    expect(whole.find((member) => member.name === 'etc/disk-link')).toMatchObject({ type: '1', linkname: 'dev/sda3' });
  });

  it('writes device numbers beyond 7 octal digits in base-256, byte for byte as Python does', () => {
    const ours = tarHeader({ path: 'dev/huge', type: 'char', size: 0, mode: 0o620, uid: 0, gid: 0, mtime: 1735689600, linkTarget: null, uname: 'root', gname: 'tty', devMajor: HUGE_DEVICE.major, devMinor: HUGE_DEVICE.minor });
    const python = readFileSync(metadataTars.layer1).subarray(0, 512);
    expect(Buffer.from(ours.subarray(329, 345)).equals(python.subarray(329, 345))).toBe(true);
    expect(ours[337]).toBe(0x80);
  });

  it('keeps uname/gname of 31 bytes in ustar and longer or non-ASCII ones in pax records', () => {
    const names = ['n'.repeat(31), 'n'.repeat(32), 'jürgen'];
    const parts: Uint8Array[] = names.map((uname, i) => {
      const fields: TarHeaderFields = { path: `f${i}`, type: 'file', size: 0, mode: 0o644, uid: 1, gid: 2, mtime: 0, linkTarget: null, uname, gname: uname };
      return tarHeader(fields);
    });
    expect(parts[0]).toHaveLength(512);
    expect(parts[1].length).toBeGreaterThan(512);
    const path = join(workDir, 'names.tar');
    writeFileSync(path, Buffer.concat([...parts, END_OF_ARCHIVE]));
    expect(pythonView(path).map((member) => [member.uname, member.gname])).toEqual(names.map((name) => [name, name]));
  });

  it('refuses xattr values that are not binary strings', () => {
    const fields: TarHeaderFields = { path: 'f', type: 'file', size: 0, mode: 0o644, uid: 0, gid: 0, mtime: 0, linkTarget: null, xattrs: { 'user.x': 'snow ☃' } };
    expect(() => tarHeader(fields)).toThrow(/not a binary string/);
  });
});
