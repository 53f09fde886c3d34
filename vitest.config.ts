import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Compiles the `.svelte.ts` state modules (runes) that the state tests import.
  plugins: [svelte()],
  test: {
    include: ['test/unit/**/*.test.ts', 'test/fuzz/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    // The reference tools (GNU tar, bsdtar) print member names as the locale says: the tests
    // read them as UTF-8, also on a fresh Debian where no locale is set (GNU tar would print
    // "na\303\257ve" for "naïve"). A test that needs another locale sets LC_ALL itself.
    env: { LC_ALL: 'C.UTF-8' },
  },
});
