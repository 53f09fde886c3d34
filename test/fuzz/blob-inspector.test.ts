/**
 * Fuzzes the one-pass blob inspector (src/core/blob-inspector.ts) on layers
 * as tars, gzip and zstd copies, mutated as tars and as compressed streams.
 * It must never throw for bad data (every problem goes into
 * `BlobResult.error`), and its result must hold together: a DiffID exactly
 * when the stream decoded to its end, the stored digest and size always, as
 * many entries as it counts, and for an uncompressed blob the DiffID is the
 * digest.
 */
import { createHash } from 'node:crypto';
import { BlobInspector } from '../../src/core/blob-inspector';
import { fuzzTest, type FuzzTarget } from './engine';
import { gzipMutators, zstdMutators } from './codec-mutators';
import { toolSeeds } from './seeds';
import { tarMutators } from './tar-mutators';

const target: FuzzTarget = {
  name: 'blob-inspector',
  iterations: 6_000,
  seeds: () => {
    const seeds = toolSeeds();
    return [...seeds.tars.slice(0, 4), ...seeds.gzip, ...seeds.zstd];
  },
  mutators: [...tarMutators, ...gzipMutators, ...zstdMutators],
  async run(input) {
    const inspector = new BlobInspector({ keepEntries: true });
    for (let at = 0; at < input.length; at += 65537) await inspector.write(input.subarray(at, at + 65537));
    const result = await inspector.close();
    const digest = `sha256:${createHash('sha256').update(input).digest('hex')}`;
    const problems: string[] = [];
    if (result.digest !== digest || result.size !== input.length) problems.push('wrong digest or size');
    if (result.entries.length !== result.entryCount) problems.push('entries and entryCount differ');
    if (result.compression === 'none' && result.diffId !== digest) problems.push('an uncompressed DiffID that is not the digest');
    if ((result.diffId === null) !== (result.uncompressedSize === null)) problems.push('DiffID without size or size without DiffID');
    if (result.diffId === null && result.error === null) problems.push('no DiffID and no error');
    if (problems.length > 0) throw new Error(`inconsistent result: ${problems.join(', ')}`);
  },
};

fuzzTest(target);
