/**
 * TarWalker and listTarMembers on tars made by GNU tar (every member type,
 * GNU/PAX/ustar/v7 formats, base-256 and PAX numbers, long names, device
 * numbers, owner names and extended attributes), checked against `tar -t`,
 * Python's tarfile and the files the tars were made from.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InspectError, InspectErrorCode } from '../../../../src/core/errors';
import { listTarMembers, looksLikeTar, TarWalker } from '../../../../src/core/tar/walker';
import { xattrKeyword } from '../../../../src/core/tar/writer';
import type { TarEntry } from '../../../../src/core/types';
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
import { gnuTarListing } from '../../../helpers/gnu-tar-listing';
import { bigGlobalHeader } from '../../../fuzz/seeds';
import {
  bytesOf,
  feed,
  LONG_NAME,
  LONG_TARGET,
  makeTars,
  PREFIXED_NAME,
  sh,
  tarListCount,
  type GeneratedTars,
} from '../../../helpers/make-tars';

let tars: GeneratedTars;
let metadataTars: MetadataTars;

beforeAll(() => {
  tars = makeTars();
  metadataTars = makeMetadataTars();
});

afterAll(() => {
  rmSync(tars.dir, { recursive: true, force: true });
  rmSync(metadataTars.dir, { recursive: true, force: true });
});

/** An entry's xattrs as Python lists them: stored keywords, values in hex. */
function xattrsAsStored(entry: TarEntry): Record<string, string> {
  return Object.fromEntries(
    Object.entries(entry.xattrs ?? {}).map(([name, value]) => [
      xattrKeyword(name),
      Buffer.from(value, 'latin1').toString('hex'),
    ]),
  );
}

function walk(bytes: Uint8Array, chunkSize = bytes.length || 1): TarWalker {
  const walker = new TarWalker({ keepEntries: true });
  feed(bytes, chunkSize, (chunk) => walker.push(chunk));
  walker.finish();
  return walker;
}

function byPath(entries: TarEntry[], path: string): TarEntry {
  const entry = entries.find((candidate) => candidate.path === path);
  if (!entry) throw new Error(`no entry ${path} in ${entries.map((e) => e.path).join(', ')}`);
  return entry;
}

function thrownBy(run: () => unknown): InspectError {
  try {
    run();
  } catch (error) {
    if (error instanceof InspectError) return error;
    throw error;
  }
  throw new Error('expected an InspectError');
}

/** End of the last member's padded data: where the end-of-archive marker starts. */
function endOfMembers(entries: TarEntry[]): number {
  const last = entries[entries.length - 1];
  return last.offset + Math.ceil(last.size / 512) * 512;
}

/** Rewrites a header's checksum field with `sum` (octal, as GNU tar writes it). */
function setChecksum(bytes: Uint8Array, headerOffset: number, sum: number): void {
  const field = `${sum.toString(8).padStart(6, '0')}\0 `;
  for (let i = 0; i < 8; i += 1) bytes[headerOffset + 148 + i] = field.charCodeAt(i);
}

function checksumOf(bytes: Uint8Array, headerOffset: number, signed: boolean): number {
  let sum = 0;
  for (let i = 0; i < 512; i += 1) {
    const byte = i >= 148 && i < 156 ? 0x20 : bytes[headerOffset + i];
    sum += signed && byte > 127 ? byte - 256 : byte;
  }
  return sum;
}

const formats = [
  'gnu',
  'pax',
  'ustar',
  'v7',
  'bigUidGnu',
  'bigUidPax',
  'paxGlobal',
  'unsafe',
  'sparseGnu',
  'sparsePax00',
  'sparsePax10',
] as const;

describe('TarWalker', () => {
  it.each(formats)('counts the %s tar as tar -t does, at any chunk size', (format) => {
    const bytes = bytesOf(tars[format]);
    const whole = walk(bytes);
    expect(whole.entryCount).toBe(tarListCount(tars[format]));
    expect(whole.entries).toHaveLength(whole.entryCount);
    for (const size of [7, 513, 4096]) expect(walk(bytes, size).entries).toEqual(whole.entries);
  });

  it('walks one byte at a time', () => {
    const bytes = bytesOf(tars.ustar);
    expect(walk(bytes, 1).entries).toEqual(walk(bytes).entries);
  });

  it.each(['gnu', 'pax'] as const)(
    'reads every member of the %s tar as GNU tar stored it',
    (format) => {
      const entries = walk(bytesOf(tars[format])).entries;
      const listed = sh(`LC_ALL=C.UTF-8 tar --quoting-style=literal -tf '${tars[format]}'`, '/')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => line.replace(/^\.\/?/, '').replace(/\/$/, ''));
      expect(entries.map((entry) => entry.path)).toEqual(listed);

      expect(byPath(entries, '')).toMatchObject({ type: 'dir', rawPath: './' });
      expect(byPath(entries, LONG_NAME)).toMatchObject({
        type: 'file',
        size: 1,
        rawPath: `./${LONG_NAME}`,
      });
      expect(byPath(entries, 'long/far-link')).toMatchObject({
        type: 'symlink',
        linkTarget: LONG_TARGET,
      });
      expect(byPath(entries, 'dir/link')).toMatchObject({
        type: 'symlink',
        linkTarget: '../hello.txt',
      });
      const links = entries.filter((entry) => entry.type === 'hardlink');
      expect(links).toHaveLength(1);
      expect(['hello.txt', 'dir/hard']).toContain(links[0].linkTarget);
      expect(byPath(entries, 'fifo').type).toBe('fifo');
      expect(byPath(entries, 'null-dev')).toMatchObject({ type: 'char', devMajor: 1, devMinor: 3 });
      expect(entries.filter((entry) => 'devMajor' in entry || 'devMinor' in entry)).toHaveLength(1);
      expect(byPath(entries, 'short/d').type).toBe('dir');
      expect(byPath(entries, 'setuid').mode).toBe(0o4755);
      expect(byPath(entries, 'exact512')).toMatchObject({
        mode: 0o644,
        uid: 0,
        gid: 0,
        uname: 'root',
      });
      expect(byPath(entries, 'ünïcode.txt').size).toBe(1);
      expect(byPath(entries, 'big').mtime).toBe(Date.UTC(2024, 0, 2, 3, 4, 5) / 1000);
      expect(byPath(entries, '.wh.gone').whiteout).toBe('whiteout');
      expect(byPath(entries, 'opq/.wh..wh..opq').whiteout).toBe('opaque');
      expect(entries.filter((entry) => entry.whiteout !== null)).toHaveLength(2);
      expect(entries.some((entry) => entry.unsafe)).toBe(false);
    },
  );

  it('gives the offset of each member’s content in the stream', () => {
    const bytes = bytesOf(tars.pax);
    const walker = walk(bytes);
    expect(walker.whiteoutCount).toBe(2);
    for (const name of ['big', 'exact512', LONG_NAME, PREFIXED_NAME]) {
      const entry = byPath(walker.entries, name);
      const content = bytes.subarray(entry.offset, entry.offset + entry.size);
      expect(Buffer.from(content).equals(readFileSync(join(tars.dir, 'root', name)))).toBe(true);
    }
  });

  it('reads uids beyond the octal range (GNU base-256 and PAX records)', () => {
    for (const path of [tars.bigUidGnu, tars.bigUidPax]) {
      const entry = byPath(walk(bytesOf(path)).entries, 'big');
      expect(entry).toMatchObject({ uid: 4000000, gid: 4000001, uname: 'x', gname: 'y' });
    }
  });

  it('reads ustar prefix names, v7 headers and PAX global headers and xattrs', () => {
    expect(byPath(walk(bytesOf(tars.ustar)).entries, PREFIXED_NAME).size).toBe(1);
    const v7 = walk(bytesOf(tars.v7)).entries;
    expect(v7.map((entry) => [entry.path, entry.type])).toEqual([
      ['short', 'dir'],
      ['short/b', 'symlink'],
      ['short/a', 'file'],
      ['short/d', 'dir'],
      ['hello.txt', 'file'],
    ]);
    const global = walk(bytesOf(tars.paxGlobal)).entries;
    expect(byPath(global, 'hello.txt').xattrs).toEqual({ 'user.note': 'hi there' });
  });

  it.each([1 << 20, 7])(
    'reads device numbers, long owner names and binary xattrs as Python tarfile does (chunks of %i bytes)',
    (chunkSize) => {
      const entries = walk(bytesOf(metadataTars.layer0), chunkSize).entries;
      const python = pythonView(metadataTars.layer0);
      expect(entries.map((entry) => entry.path)).toEqual(python.map((member) => member.name));
      for (const member of python) {
        const entry = byPath(entries, member.name);
        expect([entry.uname, entry.gname]).toEqual([member.uname, member.gname]);
        const device = entry.devMajor === undefined ? undefined : [entry.devMajor, entry.devMinor];
        expect(device).toEqual(member.device);
        expect(xattrsAsStored(entry)).toEqual(member.xattrs);
      }
      expect(byPath(entries, 'dev/tty-max')).toMatchObject({ type: 'char', devMajor: 4095, devMinor: 1048575 });
      expect(byPath(entries, 'dev/sda3')).toMatchObject({ type: 'block', devMajor: 8, devMinor: 3 });
      expect(byPath(entries, 'etc/owned')).toMatchObject({ uid: 1000, uname: LONG_UNAME, gname: LONG_GNAME });
      const binary = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
      expect(byPath(entries, 'bin/ping').xattrs).toEqual({
        'security.capability': binary(CAPABILITY),
        'user.binary': binary(BINARY_VALUE),
        'user.text': binary(new TextEncoder().encode('héllo wörld')),
        'user.a=b%c': 'escaped name',
      });
    },
  );

  it('reads device numbers beyond ustar octal in GNU base-256, and ignores star SCHILY.devmajor/devminor as GNU tar does', () => {
    const [huge] = walk(bytesOf(metadataTars.layer1)).entries;
    expect(huge).toMatchObject({ path: 'dev/huge', type: 'char', devMajor: HUGE_DEVICE.major, devMinor: HUGE_DEVICE.minor });
    expect(pythonView(metadataTars.layer1)[0].device).toEqual([HUGE_DEVICE.major, HUGE_DEVICE.minor]);
    // GNU tar (and Go's archive/tar, which container runtimes extract with) make the device from the ustar fields.
    const [star] = walk(bytesOf(metadataTars.starDevices)).entries;
    const [gnu] = gnuTarListing(metadataTars.starDevices).members;
    expect(gnu.device).toEqual({ major: 1, minor: 2 });
    expect(star).toMatchObject({ path: 'dev/star', type: 'block', devMajor: 1, devMinor: 2 });
  });

  it('marks absolute and climbing names unsafe and keeps them inside the root', () => {
    const entries = walk(bytesOf(tars.unsafe)).entries;
    expect(entries[0]).toMatchObject({ path: 'hello.txt', rawPath: '../hello.txt', unsafe: true });
    expect(entries[1].rawPath?.startsWith('/')).toBe(true);
    expect(entries[1]).toMatchObject({ path: `${tars.dir.slice(1)}/root/dir/sub`, unsafe: true });
  });

  it.each(['sparseGnu', 'sparsePax00', 'sparsePax10'] as const)(
    'reads the sparse file of %s under its real name and size, and what follows it',
    async (format) => {
      const bytes = bytesOf(tars[format]);
      const entries = walk(bytes).entries;
      expect(entries.map((e) => [e.path, e.type, e.size])).toEqual([
        ['holes', 'file', 1200000],
        ['z-after.txt', 'file', 5],
      ]);
      const after = entries[1];
      expect(new TextDecoder().decode(bytes.subarray(after.offset, after.offset + 5))).toBe(
        'after',
      );
      const listing = await listTarMembers(async (o, l) => bytes.slice(o, o + l), bytes.length);
      expect(listing.members.map((m) => [m.name, m.dataOffset])).toEqual(
        entries.map((e) => [e.path, e.offset]),
      );
    },
  );

  it('accepts signed checksums and rejects wrong ones', () => {
    const bytes = bytesOf(tars.gnu);
    const entry = byPath(walk(bytes).entries, 'ünïcode.txt');
    const header = entry.offset - 512;
    expect(checksumOf(bytes, header, true)).not.toBe(checksumOf(bytes, header, false));
    setChecksum(bytes, header, checksumOf(bytes, header, true));
    expect(walk(bytes).entryCount).toBe(tarListCount(tars.gnu));
    setChecksum(bytes, header, checksumOf(bytes, header, false) + 1);
    const error = thrownBy(() => walk(bytes));
    expect(error.code).toBe(InspectErrorCode.BadTar);
    expect(error.message).toContain(`offset ${header}`);
  });

  it('reads base-256 sizes and rejects ones beyond 2^53', () => {
    const bytes = bytesOf(tars.v7);
    const entry = byPath(walk(bytes).entries, 'hello.txt');
    const header = entry.offset - 512;
    bytes.fill(0, header + 124, header + 136);
    bytes[header + 124] = 0x80;
    bytes[header + 135] = 6;
    setChecksum(bytes, header, checksumOf(bytes, header, false));
    expect(byPath(walk(bytes).entries, 'hello.txt').size).toBe(6);
    bytes.fill(0xff, header + 125, header + 136);
    setChecksum(bytes, header, checksumOf(bytes, header, false));
    expect(thrownBy(() => walk(bytes)).code).toBe(InspectErrorCode.BadTar);
  });

  it('rejects what is not a tar, at the first block', () => {
    const json = new TextEncoder().encode(
      JSON.stringify({ architecture: 'amd64', pad: 'x'.repeat(600) }),
    );
    const random = new Uint8Array(4096).map((_, i) => (i * 7919 + 13) % 251);
    for (const bytes of [json, random]) {
      const walker = new TarWalker();
      expect(thrownBy(() => walker.push(bytes.subarray(0, 512))).code).toBe(
        InspectErrorCode.BadTar,
      );
      expect(walker.recognised).toBe(false);
    }
    for (const bytes of [new Uint8Array(0), json.subarray(0, 100)]) {
      const walker = new TarWalker();
      walker.push(bytes);
      expect(thrownBy(() => walker.finish()).code).toBe(InspectErrorCode.BadTar);
    }
  });

  it('reports truncation inside a member, and ends cleanly at a cut header or a missing end marker, as GNU tar does', () => {
    const bytes = bytesOf(tars.gnu);
    const entries = walk(bytes).entries;
    const big = byPath(entries, 'big');
    const inMember = thrownBy(() => walk(bytes.subarray(0, big.offset + 1000), 7));
    expect(inMember).toMatchObject({ code: InspectErrorCode.Truncated, path: './big' });
    const cutHeader = join(tars.dir, 'cut-header.tar');
    writeFileSync(cutHeader, bytes.subarray(0, big.offset - 100));
    expect(gnuTarListing(cutHeader).status).toBe(0);
    expect(walk(bytes.subarray(0, big.offset - 100), 7).entries).toEqual(entries.slice(0, entries.indexOf(big)));
    const noMarker = walk(bytes.subarray(0, endOfMembers(entries)), 7);
    expect(noMarker.entries).toEqual(entries);
  });

  it('applies a 1 MiB global header to 1000 members without copying it into them', async () => {
    const bytes = bigGlobalHeader();
    const entries = walk(bytes, 4099).entries;
    expect(entries).toHaveLength(1000);
    expect(entries.every((entry) => entry.uid === 7 && entry.xattrs === undefined)).toBe(true);
    // What a member carries does not grow with the global header.
    expect(JSON.stringify(entries).length).toBeLessThan(200 * 1000);
    const listing = await listTarMembers(async (o, l) => bytes.slice(o, o + l), bytes.length);
    expect(listing.members.map((member) => member.uid)).toEqual(entries.map(() => 7));
  });

  it('refuses PAX records over 1 MiB without buffering them', () => {
    const bytes = bytesOf(tars.pax);
    const entry = byPath(walk(bytes).entries, LONG_NAME);
    let header = entry.offset - 1024;
    while (String.fromCharCode(bytes[header + 156]) !== 'x') header -= 512;
    bytes.fill(0, header + 124, header + 136);
    new TextEncoder().encodeInto('00010000000', bytes.subarray(header + 124));
    setChecksum(bytes, header, checksumOf(bytes, header, false));
    const error = thrownBy(() => walk(bytes));
    expect(error.code).toBe(InspectErrorCode.BadTar);
    expect(error.message).toContain('1 MiB');
  });
});

describe('listTarMembers', () => {
  function reader(bytes: Uint8Array, reads: number[] = []) {
    return async (offset: number, length: number): Promise<Uint8Array> => {
      reads.push(length);
      return bytes.slice(offset, offset + length);
    };
  }

  it.each(['gnu', 'pax', 'paxGlobal', 'bigUidGnu'] as const)(
    'lists the %s tar like the walker, reading whole windows',
    async (format) => {
      const bytes = bytesOf(tars[format]);
      const entries = walk(bytes).entries;
      for (const windowSize of [1024, 4096, undefined]) {
        const reads: number[] = [];
        const listing = await listTarMembers(reader(bytes, reads), bytes.length, { windowSize });
        expect(listing.error).toBeNull();
        expect(
          listing.members.map((m) => [m.name, m.type, m.size, m.dataOffset, m.linkTarget, m.mode]),
        ).toEqual(entries.map((e) => [e.path, e.type, e.size, e.offset, e.linkTarget, e.mode]));
        if (windowSize === undefined) expect(reads).toHaveLength(1);
      }
      const far = (await listTarMembers(reader(bytes), bytes.length)).members.find(
        (member) => member.name === LONG_NAME,
      );
      expect(far?.rawName).toBe(`./${LONG_NAME}`);
      expect(far && far.headerOffset < far.dataOffset - 512).toBe(true);
    },
  );

  it('skips member data: a 300 kB member costs no read', async () => {
    const bytes = bytesOf(tars.ustar);
    const reads: number[] = [];
    const listing = await listTarMembers(reader(bytes, reads), bytes.length, { windowSize: 1024 });
    expect(listing.members.map((m) => m.name)).toContain('big');
    expect(reads.reduce((a, b) => a + b, 0)).toBeLessThan(bytes.length);
  });

  it('lists a truncated member, as GNU tar does, and names it in the error', async () => {
    const bytes = bytesOf(tars.gnu);
    const entries = walk(bytes).entries;
    const bigIndex = entries.findIndex((entry) => entry.path === 'big');
    const cut = bytes.subarray(0, entries[bigIndex].offset + 100);
    const listing = await listTarMembers(reader(cut), cut.length);
    expect(listing.members.map((m) => m.name)).toEqual(
      entries.slice(0, bigIndex + 1).map((e) => e.path),
    );
    expect(listing.error).toMatchObject({ code: InspectErrorCode.Truncated, path: './big' });
  });

  it('stops at a corrupt header with BadTar, and accepts a missing end marker', async () => {
    const bytes = bytesOf(tars.gnu);
    const entries = walk(bytes).entries;
    const noMarker = bytes.subarray(0, endOfMembers(entries));
    expect((await listTarMembers(reader(noMarker), noMarker.length)).members).toHaveLength(
      entries.length,
    );
    bytes[entries[5].offset - 512 + 150] ^= 0x01;
    const listing = await listTarMembers(reader(bytes), bytes.length);
    expect(listing.members).toHaveLength(5);
    expect(listing.error?.code).toBe(InspectErrorCode.BadTar);
  });

  it('honours an abort signal', async () => {
    const bytes = bytesOf(tars.gnu);
    const controller = new AbortController();
    controller.abort();
    await expect(
      listTarMembers(reader(bytes), bytes.length, { signal: controller.signal }),
    ).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('looksLikeTar', () => {
  it('recognises tar headers and nothing else', () => {
    expect(looksLikeTar(bytesOf(tars.gnu).subarray(0, 512))).toBe(true);
    expect(looksLikeTar(bytesOf(tars.v7).subarray(0, 512))).toBe(true);
    const json = new TextEncoder().encode(`{"schemaVersion":2,${' '.repeat(600)}}`);
    expect(looksLikeTar(json.subarray(0, 512))).toBe(false);
    expect(looksLikeTar(new Uint8Array(512))).toBe(false);
    expect(looksLikeTar(bytesOf(tars.gnu).subarray(0, 100))).toBe(false);
  });
});
