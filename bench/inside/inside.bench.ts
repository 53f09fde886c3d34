/**
 * Times the inside-the-image analyses (OS, packages, binaries, host check,
 * SBOMs) in Node on a generated 1 GB image with about 109,000 files
 * (bench/inside/generate.py), reading through the same Rootfs helper as the
 * tests: layers kept uncompressed in temporary files, reads counted. Prints
 * a table and writes bench/out/inside.json. Figures, not assertions.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { it } from 'vitest';
import { analyseBinaries } from '../../src/core/analysis/binaries/index';
import { checkHost, hostPreset } from '../../src/core/analysis/host';
import { analyseOs } from '../../src/core/analysis/os-release';
import { analysePackages } from '../../src/core/analysis/packages/index';
import { cycloneDxBom } from '../../src/core/analysis/sbom/cyclonedx';
import { spdxDocument } from '../../src/core/analysis/sbom/spdx';
import { nodeSqlite, openImage, type OpenedImage } from '../../test/helpers/rootfs';

const out = new URL('../out/', import.meta.url).pathname;
const image = join(out, 'inside-1g.tar');
const debian = process.env.TARSIER_FIXTURE_CACHE ?? '/var/cache/tarsier-fixtures';

async function timed<T>(opened: OpenedImage, run: () => Promise<T>) {
  const before = { ...opened.reads };
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const started = performance.now();
  const result = await run();
  const ms = performance.now() - started;
  delay.disable();
  return {
    result,
    ms: Math.round(ms),
    reads: opened.reads.calls - before.calls,
    bytesRead: opened.reads.bytes - before.bytes,
    maxEventLoopDelayMs: Math.round(delay.max / 1e6),
  };
}

it('analyses a 1 GB image with 100k files', async () => {
  if (!existsSync(image)) {
    execFileSync('python3', [new URL('generate.py', import.meta.url).pathname, join(debian, 'debian-bookworm-minbase.tar'), image], { stdio: 'inherit' });
  }
  const started = performance.now();
  const opened = await openImage(image);
  const firstPassMs = Math.round(performance.now() - started);
  const files = opened.rootfs.layers.reduce((n, layer) => n + layer.length, 0);
  const os = await timed(opened, () => analyseOs(opened.rootfs));
  const packages = await timed(opened, () => analysePackages(opened.rootfs, { osId: os.result?.id ?? null, sqlite: nodeSqlite }));
  const binaries = await timed(opened, () => analyseBinaries(opened.rootfs, { platform: { architecture: 'amd64' } }));
  const host = await timed(opened, async () => checkHost({ platform: { architecture: 'amd64' }, os: os.result, binaries: binaries.result }, hostPreset('rhel8-amd64') ?? (() => { throw new Error('preset'); })()));
  const subject = { name: 'bench', digest: 'sha256:00', purl: 'pkg:oci/bench@sha256:00', os: null, created: '2025-01-01T00:00:00Z', toolVersion: 'bench' };
  const sbom = await timed(opened, async () => JSON.stringify([spdxDocument(subject, packages.result.packages), cycloneDxBom(subject, packages.result.packages)]).length);
  await opened.close();
  const rows = { os, packages, binaries, host, sbom };
  const figures = {
    image: { bytes: opened.uncompressedBytes, entries: files, elf: binaries.result.summary.elf, packages: packages.result.packages.length },
    firstPassMs,
    analyses: Object.fromEntries(Object.entries(rows).map(([name, row]) => [name, { ms: row.ms, reads: row.reads, bytesRead: row.bytesRead, maxEventLoopDelayMs: row.maxEventLoopDelayMs }])),
    heapUsedMB: Math.round(process.memoryUsage().heapUsed / 1e6),
    loadAverage: loadavg().map((n) => Math.round(n * 100) / 100),
  };
  writeFileSync(join(out, 'inside.json'), `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`image: ${(figures.image.bytes / 1e9).toFixed(2)} GB uncompressed, ${files} entries, ${figures.image.elf} ELF files, ${figures.image.packages} packages; load average ${figures.loadAverage.join(' ')}`);
  console.log(`first pass (hash + tar walk, not part of these analyses): ${firstPassMs} ms`);
  for (const [name, row] of Object.entries(figures.analyses)) {
    console.log(`${name.padEnd(9)} ${String(row.ms).padStart(6)} ms  ${String(row.reads).padStart(7)} reads  ${(row.bytesRead / 1e6).toFixed(1).padStart(7)} MB read  event loop delay ≤ ${row.maxEventLoopDelayMs} ms`);
  }
});
