/**
 * Both gzip decoders against `gzip -d` on streams made by gzip and pigz:
 * single and multi-member (concatenated files, pigz --independent blocks,
 * empty members), and broken copies: a member's CRC32 or ISIZE flipped, the
 * last trailer cut, junk after the last member. What `gzip -t` refuses, both
 * decoders refuse (fflate alone would decode every one of them silently).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InspectError, InspectErrorCode } from '../../../../src/core/errors';
import { createFflateGunzip, createNativeGunzip, type DecoderFactory } from '../../../../src/core/codec/gzip';

const work = mkdtempSync(join(tmpdir(), 'tarsier-gunzip-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const sh = (script: string): string => execFileSync('bash', ['-c', script], { cwd: work }).toString();
sh(`set -e
python3 -c "
import random; random.seed(3)
open('a', 'wb').write(random.randbytes(70000) + b'text ' * 30000)
open('b', 'wb').write(b'second member ' * 5000)"
gzip -9nc a > single.gz
pigz -c b > pigz.gz
{ gzip -nc a; printf '' | gzip -nc; pigz -c b; gzip -1nc a; } > multi.gz
pigz --independent -b 32 -c a > independent.gz`);

const bytes = (name: string): Uint8Array => new Uint8Array(readFileSync(join(work, name)));
const decoders: [string, DecoderFactory][] = [
  ['DecompressionStream', createNativeGunzip],
  ['fflate', createFflateGunzip],
];

async function decode(factory: DecoderFactory, input: Uint8Array, chunkSize: number): Promise<string> {
  const hash = createHash('sha256');
  const decoder = factory((chunk) => hash.update(chunk));
  for (let at = 0; at < input.length; at += chunkSize) await decoder.push(input.subarray(at, at + chunkSize));
  await decoder.finish();
  return hash.digest('hex');
}

async function failure(factory: DecoderFactory, input: Uint8Array, chunkSize: number): Promise<InspectError> {
  try {
    await decode(factory, input, chunkSize);
  } catch (error) {
    if (error instanceof InspectError) return error;
    throw error;
  }
  throw new Error('decoded without an error');
}

/** The gzip file `name` with one byte changed, `at` counted from the end when negative. */
function flipped(name: string, at: number): Uint8Array {
  const copy = bytes(name).slice();
  copy[at < 0 ? copy.length + at : at] ^= 0x01;
  return copy;
}

/** Offset where the second member of multi.gz starts (after `gzip -nc a`). */
const secondMember = Number(sh('gzip -nc a | wc -c'));

describe.each(decoders)('%s', (_name, factory) => {
  it.each(['single.gz', 'pigz.gz', 'multi.gz', 'independent.gz'])(
    'decodes %s to the bytes gzip -dc gives, in odd chunks',
    async (name) => {
      const expected = sh(`gzip -dc ${name} | sha256sum`).split(' ')[0];
      for (const chunkSize of [1 << 20, 4099, 61]) {
        // Browsers' DecompressionStream stops after one member; Node's reads them all.
        expect(await decode(factory, bytes(name), chunkSize)).toBe(expected);
      }
    },
  );

  const broken: [string, () => Uint8Array][] = [
    ['the CRC32 of the last member', () => flipped('single.gz', -8)],
    ['the ISIZE of the last member', () => flipped('single.gz', -1)],
    ['the CRC32 of the first of four members', () => flipped('multi.gz', secondMember - 6)],
    ['the ISIZE of the first of four members', () => flipped('multi.gz', secondMember - 2)],
    ['the last trailer, cut by 3 bytes', () => bytes('single.gz').subarray(0, bytes('single.gz').length - 3)],
  ];
  it.each(broken)('refuses a stream with %s changed, as gzip -t does', async (_what, make) => {
    const input = make();
    writeFileSync(join(work, 'broken.gz'), input);
    expect(() => sh('gzip -t broken.gz 2>/dev/null')).toThrow();
    for (const chunkSize of [1 << 20, 4099]) {
      const error = await failure(factory, input, chunkSize);
      expect([InspectErrorCode.BadCompression, InspectErrorCode.Truncated]).toContain(error.code);
    }
  });
});

describe('fflate', () => {
  it('names the member whose check fails', async () => {
    const error = await failure(createFflateGunzip, flipped('multi.gz', secondMember - 6), 4099);
    expect(error).toMatchObject({ code: InspectErrorCode.BadCompression });
    expect(error.message).toContain('CRC32 of member 1');
  });

  it('refuses junk after the last member', async () => {
    const input = new Uint8Array([...bytes('single.gz'), ...new TextEncoder().encode('junk after')]);
    expect((await failure(createFflateGunzip, input, 4099)).code).toBe(InspectErrorCode.BadCompression);
  });
});
