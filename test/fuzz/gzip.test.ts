/**
 * Fuzzes both gzip decoders (src/core/codec/gzip.ts): DecompressionStream,
 * and fflate with the CRC32/ISIZE checks of gunzip-checked.ts, on streams
 * made by gzip and pigz (single, multi-member, empty, with FNAME). Node's
 * zlib is the reference: wherever it decodes, the decoder must decode the
 * same bytes, and it must never accept what zlib refuses as a failed data
 * check (the CRC32 or ISIZE) — the bug fflate alone had.
 */
import { gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { createFflateGunzip, createNativeGunzip, type DecoderFactory } from '../../src/core/codec/gzip';
import { InspectError } from '../../src/core/errors';
import { fuzzTest, type FuzzTarget } from './engine';
import { gzipMutators } from './codec-mutators';
import { toolSeeds } from './seeds';

function reference(input: Uint8Array): { digest: string } | { error: string } {
  try {
    return { digest: createHash('sha256').update(gunzipSync(input)).digest('hex') };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

function gzipTarget(name: string, factory: DecoderFactory, iterations: number): FuzzTarget {
  return {
    name,
    iterations,
    seeds: () => toolSeeds().gzip,
    mutators: gzipMutators,
    async run(input) {
      const hash = createHash('sha256');
      const decoder = factory((chunk) => hash.update(chunk));
      let ours: InspectError | null = null;
      try {
        for (let at = 0; at < input.length; at += 4099) await decoder.push(input.subarray(at, at + 4099));
        await decoder.finish();
      } catch (error) {
        if (!(error instanceof InspectError)) throw error;
        ours = error;
      }
      const zlib = reference(input);
      if (ours === null && 'error' in zlib && /check/.test(zlib.error)) {
        throw new Error(`decoded what zlib refuses: ${zlib.error}`);
      }
      if (ours === null && 'digest' in zlib && hash.digest('hex') !== zlib.digest) {
        throw new Error('decoded other bytes than zlib');
      }
      if (ours !== null) throw ours;
    },
  };
}

fuzzTest(gzipTarget('gzip-native', createNativeGunzip, 4_000));
fuzzTest(gzipTarget('gzip-fflate', createFflateGunzip, 8_000));
