import { defineConfig } from 'vitest/config';

/** `npm run bench:inside`: the inside-the-image analyses timed in Node (bench/inside/README.md). */
export default defineConfig({
  test: {
    include: ['bench/inside/*.bench.ts'],
    environment: 'node',
    testTimeout: 1_800_000,
    hookTimeout: 1_800_000,
  },
});
