/**
 * Fuzzes the streaming tar walker (src/core/tar/walker.ts): seeds from GNU
 * tar, bsdtar, Python and busybox, the hand-made tars of the field tests and
 * a 1 MiB global header before 1000 members; header-aware mutators that fix
 * checksums (tar-mutators.ts). Besides the engine's checks (typed errors
 * only, time and memory bounds), the walk must not depend on how the bytes
 * are cut: fed whole and in 509-byte (65537 for big inputs) chunks it gives
 * the same entries and the same error.
 */
import { InspectError } from '../../src/core/errors';
import { TarWalker } from '../../src/core/tar/walker';
import type { TarEntry } from '../../src/core/types';
import { fuzzTest, type FuzzTarget } from './engine';
import { bigGlobalHeader, craftedTars, toolSeeds } from './seeds';
import { tarMutators } from './tar-mutators';

function walk(input: Uint8Array, chunkSize: number): { entries: TarEntry[]; error: string | null } {
  const walker = new TarWalker({ keepEntries: true });
  try {
    for (let at = 0; at < input.length; at += chunkSize) walker.push(input.subarray(at, at + chunkSize));
    walker.finish();
    return { entries: walker.entries, error: null };
  } catch (error) {
    if (!(error instanceof InspectError)) throw error;
    return { entries: walker.entries, error: error.code };
  }
}

const target: FuzzTarget = {
  name: 'tar-walker',
  iterations: 20_000,
  seeds: () => [...toolSeeds().tars, ...craftedTars()],
  replays: () => [bigGlobalHeader()],
  mutators: tarMutators,
  run(input) {
    const whole = walk(input, Math.max(1, input.length));
    const chunkSize = input.length < 65536 ? 509 : 65537;
    const cut = walk(input, chunkSize);
    if (JSON.stringify(whole) !== JSON.stringify(cut)) {
      throw new Error(`the walk depends on chunking: ${whole.entries.length} entries/${whole.error} whole, ${cut.entries.length}/${cut.error} in ${chunkSize}-byte chunks`);
    }
    for (const entry of whole.entries) {
      if (entry.offset > input.length || entry.size < 0 || !Number.isFinite(entry.mtime)) {
        throw new Error(`impossible entry ${JSON.stringify(entry).slice(0, 200)}`);
      }
    }
  },
};

fuzzTest(target);
