#!/usr/bin/env node
// The `tarsier` command (package.json `bin`): src/cli built into dist-cli/ by
// `npm run build:cli`, which `npm ci` and `npm install` run too (`prepare`).
import { existsSync } from 'node:fs';

const entry = new URL('../dist-cli/tarsier.mjs', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('tarsier: the command is not built yet: run `npm run build:cli` in the checkout\n');
  process.exit(2);
}
await import(entry.href);
