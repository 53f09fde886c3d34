import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Compiles the `.svelte.ts` state modules (runes) that the state tests import.
  plugins: [svelte()],
  test: {
    include: ['test/unit/**/*.test.ts', 'test/fuzz/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
