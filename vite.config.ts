import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
// @ts-expect-error: the reference proxy is plain Node JavaScript without type declarations.
import { createProxyHandler } from './proxy/server.mjs';

/**
 * `npm run dev` serves the registry proxy itself at /registry-proxy/, so that
 * typing an image name works with no second process. Local registries on
 * localhost:5000 are allowed as well as the common public ones.
 */
function registryProxy(): Plugin {
  return {
    name: 'tarsier-registry-proxy',
    configureServer(server) {
      server.middlewares.use(
        '/registry-proxy',
        createProxyHandler({ allow: ['localhost:5000', '127.0.0.1:5000'], log: (line: string) => server.config.logger.info(line) }),
      );
    },
  };
}

export default defineConfig({
  // Relative asset URLs: the built site works from any sub-path of a static host.
  base: './',
  plugins: [svelte(), registryProxy()],
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true },
  server: { host: '127.0.0.1' },
});
