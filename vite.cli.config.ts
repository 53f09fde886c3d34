import { defineConfig } from 'vite';

/**
 * The `tarsier` command for Node 20 (which cannot run .ts): src/cli/main.ts
 * and its layer thread bundled with src/core and src/sources into
 * dist-cli/*.mjs. Packages stay imports of node_modules (a Node build
 * externalises them), so the page and the command run the same fflate,
 * hash-wasm and zstddec. Built by `npm run build` and on `npm ci` (prepare).
 */
export default defineConfig({
  publicDir: false,
  build: {
    ssr: true,
    target: 'node20',
    outDir: 'dist-cli',
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: {
      input: { tarsier: 'src/cli/main.ts', 'layer-thread': 'src/cli/layer-thread.ts' },
      output: { format: 'es', entryFileNames: '[name].mjs', chunkFileNames: '[name]-[hash].mjs' },
    },
  },
});
