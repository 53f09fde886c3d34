/**
 * The differential tar test: one tree with every member kind and metadata
 * (test/helpers/make-differential-tars.ts), archived by GNU tar in five
 * formats, bsdtar in four, Python's tarfile in two and busybox tar, plus
 * gzip, pigz, multi-member gzip and zstd copies. For every archive the
 * streaming walker (fed in odd chunk sizes) and the random-access lister
 * must list exactly what `tar --numeric-owner --full-time -tvv --xattrs`
 * lists (names, types, sizes, modes, owners, device numbers, link targets,
 * times to the nanosecond, xattr names and lengths), names must be the ones
 * Python's tarfile reads, xattr values the ones it reads, and the blob
 * inspector's DiffID must be the sha256 of the decompressed stream.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobInspector } from '../../../../src/core/blob-inspector';
import { createFflateGunzip, createNativeGunzip } from '../../../../src/core/codec/gzip';
import { cleanPath } from '../../../../src/core/fs/whiteout';
import { listTarMembers, TarWalker } from '../../../../src/core/tar/walker';
import type { TarEntry } from '../../../../src/core/types';
import { gnuTarListing, type GnuTarMember } from '../../../helpers/gnu-tar-listing';
import { makeDifferentialTars, type DifferentialTars } from '../../../helpers/make-differential-tars';

let made: DifferentialTars;
beforeAll(() => {
  made = makeDifferentialTars();
}, 120_000);
afterAll(() => rmSync(made.dir, { recursive: true, force: true }));

const ARCHIVES = ['gnu-v7', 'gnu-ustar', 'gnu-oldgnu', 'gnu-gnu', 'gnu-posix', 'bsd-pax', 'bsd-gnutar', 'bsd-ustar', 'bsd-v7', 'python-pax', 'python-gnu', 'busybox'];
const COMPRESSED = [
  'gnu-posix.tar.gz',
  'bsd-pax.tar.gz (pigz)',
  'gnu-gnu.multi.tar.gz (gzip + pigz members)',
  'python-pax.tar.zst',
  'busybox.tar.zst (long window)',
];

const bytesOf = (path: string): Uint8Array => new Uint8Array(readFileSync(path));

function walk(bytes: Uint8Array, chunkSize: number): TarEntry[] {
  const walker = new TarWalker({ keepEntries: true });
  for (let at = 0; at < bytes.length; at += chunkSize) walker.push(bytes.subarray(at, at + chunkSize));
  walker.finish();
  return walker.entries;
}

function fromGnu(member: GnuTarMember): Record<string, unknown> {
  return {
    path: cleanPath(member.name),
    type: member.type,
    size: member.type === 'file' ? member.size : 0,
    mode: member.mode,
    uid: member.uid,
    gid: member.gid,
    device: member.device,
    mtime: member.mtime,
    mtimeNanoseconds: member.mtimeNanoseconds,
    linkTarget: member.type === 'hardlink' && member.linkTarget !== null ? cleanPath(member.linkTarget) : member.linkTarget,
    xattrs: member.xattrs,
  };
}

function fromEntry(entry: TarEntry): Record<string, unknown> {
  return {
    path: entry.path,
    type: entry.type,
    size: entry.size,
    mode: entry.mode,
    uid: entry.uid,
    gid: entry.gid,
    device: entry.devMajor === undefined ? null : { major: entry.devMajor, minor: entry.devMinor },
    mtime: entry.mtime,
    mtimeNanoseconds: entry.mtimeNanoseconds ?? 0,
    linkTarget: entry.linkTarget,
    xattrs: Object.fromEntries(Object.entries(entry.xattrs ?? {}).map(([name, value]) => [name, value.length])),
  };
}

const PYTHON_VIEW = String.raw`
import json, sys, tarfile
out = []
for m in tarfile.open(sys.argv[1], encoding='utf-8'):
    out.append(dict(name=m.name, uid=m.uid, gid=m.gid, mtime=m.mtime,
                    xattrs={k[13:]: v.encode('utf-8', 'surrogateescape').hex() for k, v in m.pax_headers.items() if k.startswith('SCHILY.xattr.')}))
print(json.dumps(out))
`;

/** Python's tarfile's view (names with surrogateescape, as the walker decodes them). */
function pythonView(path: string): { name: string; uid: number; gid: number; mtime: number; xattrs: Record<string, string> }[] {
  return JSON.parse(execFileSync('python3', ['-c', PYTHON_VIEW, path], { encoding: 'utf8' }));
}

describe.each(ARCHIVES)('%s', (name) => {
  it('the walker lists what GNU tar lists, in chunks of 1 MiB, 4099 and 511 bytes', () => {
    const path = made.tars[name];
    const gnu = gnuTarListing(path);
    expect(gnu.status, gnu.messages.join('\n')).toBe(0);
    const expected = gnu.members.map(fromGnu);
    expect(expected.length).toBeGreaterThan(15);
    const bytes = bytesOf(path);
    for (const chunkSize of [1 << 20, 4099, 511]) expect(walk(bytes, chunkSize).map(fromEntry)).toEqual(expected);
  });

  it('the walker reads the names, owners, times and xattr values Python tarfile reads', () => {
    const entries = walk(bytesOf(made.tars[name]), 1 << 20);
    const python = pythonView(made.tars[name]);
    // Python drops the trailing slash of directory names.
    expect(entries.map((entry) => [(entry.rawPath ?? entry.path).replace(/(.)\/+$/, '$1'), entry.uid, entry.gid])).toEqual(
      python.map((member) => [member.name, member.uid, member.gid]),
    );
    expect(entries.map((entry) => entry.mtime + (entry.mtimeNanoseconds ?? 0) / 1e9)).toEqual(
      python.map((member) => expect.closeTo(member.mtime, 6)),
    );
    for (const [index, member] of python.entries()) {
      const xattrs = Object.entries(entries[index].xattrs ?? {}).map(([key, value]) => [key, Buffer.from(value, 'latin1').toString('hex')]);
      expect(Object.fromEntries(xattrs)).toEqual(member.xattrs);
    }
  });

  it('the lister lists the same members as the walker', async () => {
    const bytes = bytesOf(made.tars[name]);
    const entries = walk(bytes, 1 << 20);
    const listing = await listTarMembers(async (offset, length) => bytes.slice(offset, offset + length), bytes.length, { windowSize: 4096 });
    expect(listing.error).toBeNull();
    expect(listing.members.map((member) => [member.name, member.type, member.realSize, member.mode, member.uid, member.gid, member.mtime, member.linkTarget, member.dataOffset])).toEqual(
      entries.map((entry) => [entry.path, entry.type, entry.size, entry.mode, entry.uid, entry.gid, entry.mtime, entry.linkTarget, entry.offset]),
    );
  });
});

describe.each(COMPRESSED)('%s', (name) => {
  it.each([
    ['the default decoders', undefined],
    ['fflate for gzip', createFflateGunzip],
  ] as const)('the blob inspector gives the DiffID of the decompressed stream and the walker’s entries (%s)', async (_what, gzip) => {
    const [path, original] = made.compressed[name];
    const isGzip = path.endsWith('.gz');
    if (!isGzip && gzip !== undefined) return;
    const decompressed = execFileSync('bash', ['-c', `${isGzip ? 'gzip' : 'zstd --long=27'} -dc '${path}' | sha256sum`]).toString().split(' ')[0];
    expect(decompressed).toBe(execFileSync('sha256sum', [original]).toString().split(' ')[0]);
    const bytes = bytesOf(path);
    for (const chunkSize of [1 << 20, 65537, 4099]) {
      const inspector = new BlobInspector({ keepEntries: true, gzip: gzip ?? createNativeGunzip });
      for (let at = 0; at < bytes.length; at += chunkSize) await inspector.write(bytes.subarray(at, at + chunkSize));
      const result = await inspector.close();
      expect(result.error).toBeNull();
      expect(result.diffId).toBe(`sha256:${decompressed}`);
      expect(result.entries).toEqual(walk(bytesOf(original), 1 << 20));
    }
  });
});
