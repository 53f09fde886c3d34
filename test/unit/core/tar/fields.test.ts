/**
 * Every header field read as GNU tar 1.34 reads it. Each case is a tar made
 * byte by byte (test/helpers/craft-tar.ts) holding what real tools write
 * (negative, fractional and far-future times, base-256 and big ids, global
 * headers, sparse maps, SCHILY/LIBARCHIVE/unknown keywords) and what they
 * never write (junk in a field, negative sizes, two `x` headers in a row,
 * data after a symlink, cut padding…). For each, GNU tar lists it (`tar -tvv
 * --numeric-owner --full-time`), and the streaming walker, fed in odd chunk
 * sizes, and the random-access lister must list the same members with the
 * same fields; where GNU tar exits with status 2 they must report an
 * InspectError naming the member and the field, and where it exits with 0
 * they must report nothing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InspectError, InspectErrorCode } from '../../../../src/core/errors';
import { listTarMembers, TarWalker } from '../../../../src/core/tar/walker';
import { cleanPath } from '../../../../src/core/fs/whiteout';
import type { TarEntry } from '../../../../src/core/types';
import { gnuTarListing, type GnuTarListing, type GnuTarMember } from '../../../helpers/gnu-tar-listing';
import { FIELD_CASES, type FieldCase } from './field-cases';

const dir = mkdtempSync(join(tmpdir(), 'tarsier-fields-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Walked {
  entries: TarEntry[];
  error: InspectError | null;
}

function walk(bytes: Uint8Array, chunkSize: number): Walked {
  const walker = new TarWalker({ keepEntries: true });
  try {
    for (let at = 0; at < bytes.length; at += chunkSize) walker.push(bytes.subarray(at, at + chunkSize));
    walker.finish();
    return { entries: walker.entries, error: null };
  } catch (error) {
    if (!(error instanceof InspectError)) throw error;
    return { entries: walker.entries, error };
  }
}

/** A member in the terms both sides share. */
function fromGnu(member: GnuTarMember): Record<string, unknown> {
  return {
    path: cleanPath(member.name),
    type: member.type,
    mode: member.mode,
    uid: member.uid,
    gid: member.gid,
    mtime: member.mtime,
    mtimeNanoseconds: member.mtimeNanoseconds,
    size: member.type === 'file' ? member.size : 0,
    device: member.device,
    linkTarget:
      member.type === 'hardlink' && member.linkTarget !== null ? cleanPath(member.linkTarget) : member.linkTarget,
  };
}

function fromEntry(entry: TarEntry): Record<string, unknown> {
  return {
    path: entry.path,
    type: entry.type,
    mode: entry.mode,
    uid: entry.uid,
    gid: entry.gid,
    mtime: entry.mtime,
    mtimeNanoseconds: entry.mtimeNanoseconds ?? 0,
    size: entry.size,
    device: entry.devMajor === undefined ? null : { major: entry.devMajor, minor: entry.devMinor },
    linkTarget: entry.linkTarget,
  };
}

function expectedMembers(testCase: FieldCase, gnu: GnuTarListing): Record<string, unknown>[] {
  const members = gnu.members.map(fromGnu);
  // GNU tar shows a negative time with a fraction one second late (it extracts it right).
  for (const [index, time] of Object.entries(testCase.gnuShowsTimeWrong ?? {})) {
    Object.assign(members[Number(index)], time);
  }
  return testCase.stopsBefore === undefined ? members : members.slice(0, testCase.stopsBefore);
}

describe.each(FIELD_CASES.map((testCase) => [testCase.title, testCase] as const))('%s', (_title, testCase) => {
  const file = join(dir, `${FIELD_CASES.indexOf(testCase)}.tar`);
  writeFileSync(file, testCase.bytes);
  const gnu = gnuTarListing(file);

  it('GNU tar says what the case expects of it', () => {
    expect(gnu.status).toBe(testCase.error ? 2 : 0);
    if (testCase.gnuSays) expect(gnu.messages.join('\n')).toContain(testCase.gnuSays);
  });

  it.each([1 << 20, 511, 7])('the walker lists what GNU tar lists (chunks of %i bytes)', (chunkSize) => {
    const walked = walk(testCase.bytes, chunkSize);
    expect(walked.entries.map(fromEntry)).toEqual(expectedMembers(testCase, gnu));
    if (!testCase.error) {
      expect(walked.error).toBeNull();
      return;
    }
    expect(walked.error).toBeInstanceOf(InspectError);
    expect(walked.error?.code).toBe(testCase.error.code ?? InspectErrorCode.BadTar);
    expect(walked.error?.message).toContain(testCase.error.field);
    if (testCase.error.member !== undefined) expect(walked.error?.path).toBe(testCase.error.member);
  });

  it('the lister lists the same, reading only inside the archive', async () => {
    const reads: [number, number][] = [];
    const listing = await listTarMembers(async (offset, length) => {
      reads.push([offset, length]);
      return testCase.bytes.slice(offset, offset + length);
    }, testCase.bytes.length, { windowSize: 1024 });
    for (const [offset, length] of reads) {
      expect(offset >= 0 && length >= 0 && offset + length <= testCase.bytes.length).toBe(true);
    }
    const walked = walk(testCase.bytes, 1 << 20);
    expect(listing.members.map((member) => [member.name, member.type, member.realSize, member.mode, member.uid, member.gid, member.mtime, member.linkTarget])).toEqual(
      walked.entries.map((entry) => [entry.path, entry.type, entry.size, entry.mode, entry.uid, entry.gid, entry.mtime, entry.linkTarget]),
    );
    expect(listing.error?.code ?? null).toBe(walked.error?.code ?? null);
    if (walked.error) expect(listing.error?.path).toBe(walked.error.path);
  });
});
