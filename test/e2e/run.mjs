// Runs the end-to-end tests (test/e2e/*.test.mjs) with Node's test runner,
// one file at a time: each file starts its own Chromium and static server,
// and the 2-core machine is best used by one browser at a time. Expects a
// built app in dist/ (`npm run build`). Exits non-zero when a test fails;
// the runner's closing `# pass N` / `# fail N` lines are what CI reads.
//
//   node test/e2e/run.mjs                 # every file
//   node test/e2e/run.mjs links security  # only files whose name contains a word
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { distDir } from './harness.mjs';

const here = new URL('.', import.meta.url).pathname;
const words = process.argv.slice(2);
const files = readdirSync(here)
  .filter((name) => name.endsWith('.test.mjs'))
  .filter((name) => words.length === 0 || words.some((word) => name.includes(word)))
  .sort()
  .map((name) => join(here, name));

if (!existsSync(join(distDir, 'index.html'))) {
  console.error(`No built app in ${distDir}: run \`npm run build\` first.`);
  process.exit(1);
}
if (files.length === 0) {
  console.error(`No e2e test file matches ${words.join(', ')}.`);
  process.exit(1);
}

const started = Date.now();
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=tap', ...files], {
  stdio: 'inherit',
});
console.log(`# e2e wall time ${((Date.now() - started) / 1000).toFixed(1)} s for ${files.length} files`);
process.exit(result.status ?? 1);
