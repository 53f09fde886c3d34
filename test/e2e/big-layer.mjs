// The big layer that the performance and viewer tests read: generated once
// into test/fixtures/generated/ (too big for git), its expected values from
// sha256sum, gzip and tar -t.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir } from './harness.mjs';

const MB = 1024 * 1024;

/**
 * A ~100 MB layer: 48 MiB of random bytes (incompressible) and ~52 MiB of
 * text, in 200 files, tarred by GNU tar and gzipped (-1). Kept in
 * test/fixtures/generated/ between runs; the expected values come from
 * sha256sum, gzip -dc and tar -t.
 */
export function bigLayer() {
  const archive = join(fixturesDir, 'e2e-big-layer.tar.gz');
  const summary = join(fixturesDir, 'e2e-big-layer.json');
  if (existsSync(archive) && existsSync(summary)) return { archive, ...JSON.parse(readFileSync(summary, 'utf8')) };
  const root = join(fixturesDir, 'e2e-big-layer');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'data'), { recursive: true });
  const line = 'the quick brown tarsier jumps over the lazy registry, line ';
  for (let i = 0; i < 200; i += 1) {
    if (i % 2 === 0) writeFileSync(join(root, 'data', `random-${i}.bin`), randomBytes(480 * 1024 + i));
    else {
      const lines = [];
      for (let n = 0; n < 9000; n += 1) lines.push(`${line}${i}.${n}`);
      writeFileSync(join(root, 'data', `text-${i}.txt`), `${lines.join('\n')}\n`.repeat(8));
    }
  }
  const tar = join(fixturesDir, 'e2e-big-layer.tar');
  execFileSync('tar', ['--sort=name', '--mtime=@1735689600', '--owner=0', '--group=0', '--numeric-owner', '-C', root, '-cf', tar, 'data']);
  rmSync(root, { recursive: true, force: true });
  const sha = (path) => `sha256:${execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0]}`;
  const diffId = sha(tar);
  const uncompressedSize = statSync(tar).size;
  const entries = execFileSync('tar', ['-tf', tar], { encoding: 'utf8', maxBuffer: 64 * MB }).split('\n').filter(Boolean).length;
  execFileSync('gzip', ['-1', '-n', '-f', tar]);
  const facts = { digest: sha(archive), size: statSync(archive).size, diffId, uncompressedSize, entries };
  writeFileSync(summary, JSON.stringify(facts));
  return { archive, ...facts };
}

