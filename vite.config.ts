import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
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

/**
 * The dev server injects each module's CSS as a `<style>` element, which the
 * page's `style-src 'self'` blocks. Vite puts `html.cspNonce` on those
 * elements, so the dev page's policy allows that one nonce (new at every
 * start of the server) and nothing else: no 'unsafe-inline', and the built
 * index.html keeps the policy exactly as written.
 */
function devStyleNonce(): Plugin {
  const nonce = randomBytes(18).toString('base64');
  return {
    name: 'tarsier-dev-style-nonce',
    apply: 'serve',
    config: () => ({ html: { cspNonce: nonce } }),
    transformIndexHtml(html) {
      const policy = /(<meta\s+http-equiv="Content-Security-Policy"\s+content="[^"]*style-src 'self')/;
      if (!policy.test(html)) throw new Error("index.html: no style-src 'self' in the Content-Security-Policy meta");
      return html.replace(policy, `$1 'nonce-${nonce}'`);
    },
  };
}

/** Every file under `dir`, as paths relative to it with forward slashes. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/**
 * Writes the list of the build's files (source maps aside) into dist/sw.js,
 * with a hash of their bytes as the cache's version: the service worker
 * caches all of them on the first visit, and a new deployment is a new
 * sw.js, hence a new cache.
 */
function offlinePrecache(): Plugin {
  const placeholder = "const build = { version: 'dev', files: [] };";
  let outDir = '';
  return {
    name: 'tarsier-offline-precache',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const files = filesUnder(outDir).filter((file) => file !== 'sw.js' && !file.endsWith('.map'));
      const hash = createHash('sha256');
      for (const file of files) hash.update(`${file}\0`).update(readFileSync(join(outDir, file)));
      const worker = join(outDir, 'sw.js');
      const source = readFileSync(worker, 'utf8');
      if (!source.includes(placeholder)) throw new Error(`public/sw.js: the line ${placeholder} was not found`);
      const build = { version: hash.digest('hex').slice(0, 16), files };
      writeFileSync(worker, source.replace(placeholder, `const build = ${JSON.stringify(build)};`));
    },
  };
}

export default defineConfig({
  // Relative asset URLs: the built site works from any sub-path of a static host.
  base: './',
  plugins: [svelte(), registryProxy(), devStyleNonce(), offlinePrecache()],
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true },
  server: { host: '127.0.0.1' },
});
