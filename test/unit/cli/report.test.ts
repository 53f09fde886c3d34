/**
 * `tarsier report`, built as `npm run build` builds it and run as a process,
 * against the report the same core makes in this process from the same
 * inputs by another road: layers inspected here one after the other, their
 * bytes for the analyses decompressed by Node's zlib and the zstd command
 * (not by the command's worker threads and kept copies). Also its exit
 * status, rules and messages.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { version } from '../../../package.json';
import { analyseSource, withAnalyses } from '../../../src/core/analysis/analysed-report';
import { contentAnalysers } from '../../../src/core/analysis/content-analysers';
import { sqlJsReader } from '../../../src/core/analysis/packages/rpm-sqlite';
import type { ReadLayerBytes } from '../../../src/core/analysis/rootfs';
import type { RuleSet } from '../../../src/core/analysis/rules';
import { parseRulesFile } from '../../../src/core/analysis/rules-file';
import { InspectErrorCode } from '../../../src/core/errors';
import type { ImageModel, LayerModel } from '../../../src/core/image/model';
import { buildReport, type LayerOutcome } from '../../../src/core/image/report';
import { openSource, type SourceInput } from '../../../src/sources/index';
import { fixtureFile, fixtureFolder, fixturesDir, inspectLocation, nodeEnvironment } from '../../helpers/node-source';
import { readTar } from '../../helpers/tar-reader';

const repo = join(__dirname, '../../..');
const built = join(fixturesDir, 'cli-build');
let work: string;

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('node', [join(built, 'tarsier.mjs'), ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The stored bytes of a layer, read here (a scanned layer: cut from the decompressed outer archive). */
async function storedBytes(layer: LayerModel, archive: string): Promise<Uint8Array> {
  const location = layer.location;
  if (location?.kind === 'blob') return new Uint8Array(await location.blob.arrayBuffer());
  const outer = gunzipSync(readFileSync(archive));
  const member = readTar(new Uint8Array(outer)).find((entry) => entry.path === location?.path);
  if (!member) throw new Error(`no ${location?.path} in ${archive}`);
  return new Uint8Array(outer.subarray(member.offset, member.offset + member.size));
}

function decompress(bytes: Uint8Array): Uint8Array {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return new Uint8Array(gunzipSync(bytes));
  if (bytes[0] === 0x28 && bytes[1] === 0xb5) return new Uint8Array(execFileSync('zstd', ['-dc'], { input: bytes, maxBuffer: 1 << 30 }));
  return bytes;
}

/** The report the core makes in this process, as the page would (its layer worker's message prefix included). */
async function expectedReport(input: SourceInput, archive: string, rules: RuleSet | null): Promise<unknown> {
  const source = await openSource(new AbortController().signal, input, nodeEnvironment);
  const results = new Map<string, LayerOutcome>();
  for (const layer of source.images.flatMap((image) => image.layers)) {
    if (results.has(layer.key)) continue;
    if (layer.location === null) {
      results.set(layer.key, { error: { code: InspectErrorCode.MissingBlob, message: layer.error ?? '', path: layer.digest } });
      continue;
    }
    const result = await inspectLocation(layer.location);
    if (result.error && layer.location.kind === 'blob') result.error = { ...result.error, message: `${layer.location.path}: ${result.error.message}` };
    results.set(layer.key, { result });
  }
  const tars = new Map<string, Promise<Uint8Array>>();
  const readerFor = (image: ImageModel): ReadLayerBytes => async (index, offset, length) => {
    const layer = image.layers[index];
    if (!tars.has(layer.key)) tars.set(layer.key, storedBytes(layer, archive).then(decompress));
    return (await (tars.get(layer.key) as Promise<Uint8Array>)).slice(offset, offset + length);
  };
  const report = buildReport({ source, results, timings: { firstViewMs: null, analysisMs: null }, toolVersion: version });
  const sqlite = sqlJsReader(async () => readFileSync(createRequire(import.meta.url).resolve('sql.js/dist/sql-wasm.wasm')));
  const outcomes = await analyseSource(source, results, readerFor, contentAnalysers({ sqlite }));
  return JSON.parse(JSON.stringify({ ...withAnalyses(report, outcomes, rules), timings: null }));
}

function commandReport(stdout: string): unknown {
  const report = JSON.parse(stdout) as { timings: { firstViewMs: null; analysisMs: number } };
  expect(report.timings.firstViewMs).toBeNull();
  expect(report.timings.analysisMs).toBeGreaterThan(0);
  return { ...report, timings: null };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tarsier-cli-'));
  execFileSync('npx', ['vite', 'build', '-c', 'vite.cli.config.ts', '--outDir', built, '--logLevel', 'warn'], { cwd: repo, stdio: 'pipe' });
  execFileSync('bash', [join(__dirname, '../../helpers/make-findings-image.sh'), join(work, 'image')], { stdio: 'pipe' });
  execFileSync('tar', ['-C', join(work, 'image/L'), '-cf', join(work, 'findings.tar'), '.']);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('tarsier report', () => {
  const files = ['docker-archive.tar', 'docker-archive.tar.gz', 'oci-archive.tar', 'oci-zstd.tar', 'docker-archive-multi.tar', 'layer.tar.zst', 'missing-blob.tar', 'truncated-layer.tar.gz'];
  for (const name of files) {
    it(`prints the report the core makes of ${name}`, async () => {
      const { status, stdout } = run(['report', join(fixturesDir, name)]);
      expect(status).toBe(0);
      expect(commandReport(stdout)).toEqual(await expectedReport({ kind: 'file', file: await fixtureFile(name) }, join(fixturesDir, name), null));
    });
  }

  it('reads an OCI layout folder', async () => {
    const { status, stdout } = run(['report', join(fixturesDir, 'oci-layout')]);
    expect(status).toBe(0);
    expect(commandReport(stdout)).toEqual(await expectedReport(await fixtureFolder('oci-layout'), '', null));
  });

  it('reports findings and efficiency of an image with leaked secrets, and fails its rules with status 1', async () => {
    const rulesPath = join(work, '.dive-ci');
    writeFileSync(rulesPath, 'rules:\n  lowest-efficiency: 0.95\n  highest-wasted-bytes: 1MB\n  fail-on-findings: high\nexclude:\n  - /app/server.key\n');
    const { status, stdout, stderr } = run(['report', join(work, 'findings.tar'), '--rules', rulesPath]);
    expect(status).toBe(1);
    const report = commandReport(stdout) as { images: { refs: string[]; findings: { id: string }[] }[]; rules: { id: string; pass: boolean }[] };
    expect(report).toEqual(await expectedReport({ kind: 'file', file: new File([readFileSync(join(work, 'findings.tar'))], 'findings.tar') }, '', parseRulesFile(readFileSync(rulesPath, 'utf8'))));
    const t = report.images.find((image) => image.refs.includes('t'));
    expect(t?.findings.filter((finding) => finding.id === 'secret-in-lower-layer')).toHaveLength(6);
    expect(report.rules.filter((rule) => !rule.pass).map((rule) => rule.id)).toEqual(['fail-on-findings', 'fail-on-findings']);
    expect(stderr).toMatch(/FAIL fail-on-findings: 8 \(threshold high\)/);
  });

  it('exits 0 when every rule passes, and writes --output instead of stdout', () => {
    const rulesPath = join(work, 'pass.yml');
    const output = join(work, 'report.json');
    writeFileSync(rulesPath, 'rules:\n  lowest-efficiency: 0.9\n  highest-user-wasted-percent: disabled\n');
    const { status, stdout, stderr } = run(['report', join(fixturesDir, 'docker-archive.tar'), '--rules', rulesPath, '--output', output]);
    expect([status, stdout]).toEqual([0, '']);
    expect(JSON.parse(readFileSync(output, 'utf8')).rules).toEqual([{ id: 'lowest-efficiency', threshold: 0.9, value: expect.any(Number), pass: true, image: expect.stringMatching(/^sha256:/) }]);
    expect(stderr).toMatch(/PASS lowest-efficiency/);
  });

  it('exits 2 with a message for a bad command line, a bad rules file or a missing input', () => {
    const badRules = join(work, 'bad.yml');
    writeFileSync(badRules, 'rules:\n  lowest-eficiency: 0.9\n');
    expect(run([])).toMatchObject({ status: 2, stderr: expect.stringMatching(/no command[\s\S]*usage: tarsier report/) });
    expect(run(['report'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/no FILE given/) });
    expect(run(['report', 'x.tar', '--rules'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/--rules needs a file/) });
    expect(run(['report', join(fixturesDir, 'docker-archive.tar'), '--rules', badRules])).toMatchObject({ status: 2, stderr: expect.stringMatching(/bad.yml line 2: unknown rule "lowest-eficiency"/) });
    expect(run(['report', join(work, 'absent.tar')])).toMatchObject({ status: 2, stderr: expect.stringMatching(/absent\.tar/) });
  });
});
