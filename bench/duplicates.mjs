// Content identity for duplicates (issue 13): hash every member during the
// first pass, or hash only same-size candidates afterwards from the kept
// decompressed layer? Measures both on one big real layer, in Node.
//
//   node bench/duplicates.mjs [--runs N] [layer.tar.gz]
//
// Without a layer it builds bench/out/usr-layer.tar.gz once (GNU tar of
// /usr/share and /usr/bin, gzip -6 by pigz) and its decompressed copy. Each
// run times the first pass (BlobInspector over 4 MiB reads from the page
// cache) plain, with a second tar walker that splits member contents (the
// cost of a hook in the walker, an upper bound), and with per-member xxhash64
// and sha256 (hash-wasm); variants are interleaved so that load hits all
// alike. Then the lazy way: findDuplicates on the same layer. Prints medians
// of the process's CPU time (zlib's threads included; much steadier than wall
// time on a shared machine) and of wall time; writes bench/out/duplicates.json.
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import { outDir } from './generate.mjs';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Math.max(1, Number(args[runsAt + 1]) || 1) : 3;
const given = args.find((arg, index) => !arg.startsWith('--') && args[index - 1] !== '--runs');
const layer = given ? resolve(given) : join(outDir, 'usr-layer.tar.gz');
const tar = `${layer}.tar`;

mkdirSync(outDir, { recursive: true });
if (!existsSync(layer)) {
  console.log(`building ${layer} (tar of /usr/share /usr/bin, pigz -6)…`);
  execSync(`tar -C / -cf - usr/share usr/bin 2>/dev/null | pigz -6 > ${JSON.stringify(layer)}`, { shell: '/bin/bash', stdio: 'inherit' });
}
if (!existsSync(tar)) execSync(`pigz -dc < ${JSON.stringify(layer)} > ${JSON.stringify(tar)}`, { shell: '/bin/bash' });

const bundle = join(outDir, 'duplicates-bench');
await build({
  configFile: false,
  logLevel: 'warn',
  publicDir: false,
  build: { ssr: true, target: 'node20', outDir: bundle, emptyOutDir: true, rollupOptions: { input: { measure: new URL('./duplicates/measure.ts', import.meta.url).pathname }, output: { entryFileNames: '[name].mjs', format: 'es' } } },
});
const { firstPass, lazyDuplicates } = await import(join(bundle, 'measure.mjs'));

execSync(`cat ${JSON.stringify(layer)} ${JSON.stringify(tar)} > /dev/null`, { shell: '/bin/bash' });
const extras = ['none', 'walk', 'xxhash64', 'sha256'];
const times = Object.fromEntries(extras.map((extra) => [extra, []]));
const cpuTimes = Object.fromEntries(extras.map((extra) => [extra, []]));
let entries = null;
let hashed = 0;
const loads = [loadavg()[0]];
for (let run = 0; run < runs; run += 1) {
  for (const extra of extras) {
    const pass = await firstPass(layer, extra);
    times[extra].push(pass.ms);
    cpuTimes[extra].push(pass.cpuMs);
    entries ??= pass.result.entries;
    hashed = Math.max(hashed, pass.hashed);
  }
  loads.push(loadavg()[0]);
}
const lazy = [];
const lazyCpu = [];
let duplicates = null;
for (let run = 0; run < runs; run += 1) {
  const measured = await lazyDuplicates(entries, tar);
  lazy.push(measured.ms);
  lazyCpu.push(measured.cpuMs);
  duplicates = measured.duplicates;
}
loads.push(loadavg()[0]);

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const baseCpu = median(cpuTimes.none);
const files = entries.filter((entry) => entry.type === 'file' && entry.size > 0);
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const more = (ms, reference) => `${ms >= reference ? '+' : ''}${(((ms - reference) / reference) * 100).toFixed(1)} %`;
console.log(`layer: ${layer}: ${(statSync(layer).size / 1e6).toFixed(0)} MB gzip, ${(statSync(tar).size / 1e6).toFixed(0)} MB tar, ${files.length} files (${hashed} hashed per pass); runs: ${runs}; load average ${loads.map((l) => l.toFixed(1)).join(' → ')}`);
console.log('                          CPU time (process)              wall time');
for (const extra of extras) {
  const label = `first pass${extra === 'none' ? '' : ` + ${extra}`}`.padEnd(26);
  const cpu = median(cpuTimes[extra]);
  const wall = median(times[extra]);
  const cpuNote = extra === 'none' ? 'today  ' : more(cpu, baseCpu).padEnd(7);
  console.log(`${label}${s(cpu)} ${cpuNote} [${cpuTimes[extra].map(s).join(', ')}]   ${s(wall)} [${times[extra].map(s).join(', ')}]`);
}
console.log(`${'lazy, after the pass'.padEnd(26)}${s(median(lazyCpu))} ${more(median(lazyCpu), baseCpu)} of the pass [${lazyCpu.map(s).join(', ')}]   ${s(median(lazy))}: ${duplicates.hashedFiles} same-size candidates, ${(duplicates.hashedBytes / 1e6).toFixed(0)} of ${(files.reduce((sum, e) => sum + e.size, 0) / 1e6).toFixed(0)} MB; ${duplicates.groupCount} groups, ${(duplicates.wastedBytes / 1e6).toFixed(1)} MB duplicated`);
writeFileSync(join(outDir, 'duplicates.json'), JSON.stringify({ layer, runs, loads, times, cpuTimes, lazy, lazyCpu, hashedFiles: duplicates.hashedFiles, hashedBytes: duplicates.hashedBytes, groups: duplicates.groupCount, wastedBytes: duplicates.wastedBytes }, null, 2));
