/**
 * Fuzzes the zstd decoder (src/core/codec/zstd.ts) on frames made by the
 * zstd tool (levels 1 and 19, no checksum, a 128 MiB window, several frames
 * and a skippable one). The engine's memory bound counts the WASM heap
 * (an ArrayBuffer), so a context leaked per corrupt stream shows as growth;
 * half the inputs are cancelled half way instead of finished, as a viewer
 * stops once it has its bytes.
 */
import { createZstdDecoder } from '../../src/core/codec/zstd';
import { fuzzTest, type FuzzTarget } from './engine';
import { zstdMutators } from './codec-mutators';
import { toolSeeds } from './seeds';

let runs = 0;

const target: FuzzTarget = {
  name: 'zstd',
  iterations: 8_000,
  seeds: () => toolSeeds().zstd,
  mutators: zstdMutators,
  async run(input) {
    runs += 1;
    const decoder = createZstdDecoder(() => {});
    const cancelHalfWay = runs % 2 === 0;
    try {
      const end = cancelHalfWay ? input.length >> 1 : input.length;
      for (let at = 0; at < end; at += 8191) await decoder.push(input.subarray(at, Math.min(end, at + 8191)));
      if (!cancelHalfWay) await decoder.finish();
    } finally {
      if (cancelHalfWay) decoder.cancel?.();
    }
  },
};

fuzzTest(target);
