/**
 * The gzip decoder hands a bomb over from DecompressionStream to fflate once
 * the output passes 256 MiB at over 100× the input (src/core/codec/gzip.ts); the bytes
 * delivered must be exactly `gzip -dc`'s, whatever the chunking at the switch,
 * and a wrong CRC32 must still be caught after it.
 */
import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSha256Hasher } from '../../../../src/core/codec/digest';
import { createNativeGunzip } from '../../../../src/core/codec/gzip';
import { InspectErrorCode } from '../../../../src/core/errors';

const work = mkdtempSync(join(tmpdir(), 'tarsier-gunzip-bomb-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const bombPath = join(work, 'zeros.gz');
// 300 MiB of zeros with a little text at the end, so that a lost or doubled byte changes the hash.
execSync(`{ head -c 314572800 /dev/zero; echo tail-marker; } | gzip -1 > ${bombPath}`, { shell: '/bin/bash' });
const expected = execSync(`gzip -dc ${bombPath} | sha256sum`, { shell: '/bin/bash', encoding: 'utf8' }).split(' ')[0];
const compressed = new Uint8Array(readFileSync(bombPath));

describe('gzip bombs switch decoders without losing a byte', () => {
  for (const chunkSize of [61, 4099, 1 << 20]) {
    it(`in chunks of ${chunkSize} bytes`, { timeout: 120_000 }, async () => {
      const hasher = await createSha256Hasher();
      let size = 0;
      const decoder = createNativeGunzip((chunk) => {
        hasher.update(chunk);
        size += chunk.length;
      });
      for (let offset = 0; offset < compressed.length; offset += chunkSize) {
        await decoder.push(compressed.subarray(offset, offset + chunkSize));
      }
      await decoder.finish();
      expect(size).toBe(314572800 + 'tail-marker\n'.length);
      expect(hasher.digest()).toBe(`sha256:${expected}`);
    });
  }

  it('refuses the bomb with its CRC32 changed, after the switch', { timeout: 120_000 }, async () => {
    const broken = compressed.slice();
    broken[broken.length - 8] ^= 0x01;
    let size = 0;
    const decoder = createNativeGunzip((chunk) => (size += chunk.length));
    const run = async (): Promise<void> => {
      for (let offset = 0; offset < broken.length; offset += 1 << 20) await decoder.push(broken.subarray(offset, offset + (1 << 20)));
      await decoder.finish();
    };
    await expect(run()).rejects.toMatchObject({ code: InspectErrorCode.BadCompression });
    expect(size).toBeGreaterThan(256 * 1024 * 1024);
  });
});
