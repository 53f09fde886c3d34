/**
 * Every image fixture, read through the real dispatcher and pipeline, must
 * agree with what skopeo, sha256sum, gzip/zstd and `tar -t` said of the same
 * bytes when make-fixtures.sh built them (test/fixtures/generated/expected/).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyse, analyseFixture, fixtureFolder, fixturesDir } from '../../helpers/node-source';

interface ExpectedLayer {
  digest: string;
  size: number;
  compression: string;
  diffId: string;
  uncompressedSize: number;
  entries: number;
  whiteouts: number;
}
interface ExpectedImage {
  refs: string[];
  manifestDigest: string | null;
  platform: { os: string; architecture: string } | null;
  configDigest: string | null;
  history: number;
  layers: ExpectedLayer[];
}
interface Expected {
  fixture: string;
  kind: string;
  images: ExpectedImage[];
}

const expectations = readdirSync(join(fixturesDir, 'expected'))
  .filter((name) => name.endsWith('.json') && !name.startsWith('bomb'))
  .map((name) => name.slice(0, -'.json'.length));

async function open(fixture: string, chunkSize?: number) {
  const isFolder = !/\.(tar|gz|zst|json)$/.test(fixture);
  return isFolder ? analyse(await fixtureFolder(fixture), chunkSize) : analyseFixture(fixture, chunkSize);
}

describe('reports agree with skopeo, sha256sum and tar', () => {
  it('has fixtures to check', () => {
    expect(expectations.length).toBeGreaterThan(15);
  });

  for (const fixture of expectations) {
    it(fixture, async () => {
      const expected = (await import(join(fixturesDir, 'expected', `${fixture}.json`))).default as Expected;
      const { report } = await open(fixture);
      expect(report.errors).toEqual([]);
      expect(report.source.kind).toBe(expected.kind);
      expect(report.images).toHaveLength(expected.images.length);
      for (const [position, want] of expected.images.entries()) {
        const got = report.images.find((image) => image.configDigest === want.configDigest) ?? report.images[position];
        expect(got.manifestDigest).toBe(want.manifestDigest);
        expect(got.configDigest).toBe(want.configDigest);
        expect([...got.refs].sort()).toEqual([...want.refs].sort());
        if (want.platform) {
          expect(got.platform).toMatchObject({ os: want.platform.os, architecture: want.platform.architecture });
        }
        expect(got.history).toBe(want.history);
        expect(got.layers).toHaveLength(want.layers.length);
        for (const [index, layer] of want.layers.entries()) {
          expect(got.layers[index]).toMatchObject({
            digest: layer.digest,
            size: layer.size,
            compression: layer.compression,
            diffId: layer.diffId,
            uncompressedSize: layer.uncompressedSize,
            entries: layer.entries,
            whiteouts: layer.whiteouts,
            error: null,
          });
          if (want.configDigest) expect(got.layers[index].verified.diffId).toBe('ok');
        }
        if (want.manifestDigest) expect(got.manifestVerified).toBe('ok');
        if (want.configDigest && got.configVerified !== 'unchecked') expect(got.configVerified).toBe('ok');
      }
    });
  }

  // Chunk boundaries inside tar headers, gzip members and hashes must not change anything.
  for (const [fixture, chunkSize] of [
    ['layer.tar.gz', 7],
    ['layer-pax.tar', 7],
    ['whiteout-layout', 7],
    ['oci-zstd.tar', 4099],
  ] as const) {
    it(`gives the same report for ${fixture} read ${chunkSize} bytes at a time`, async () => {
      const whole = await open(fixture);
      const tiny = await open(fixture, chunkSize);
      expect(tiny.report.images).toEqual(whole.report.images);
      expect(tiny.report.images[0].layers[0].entries).toBeGreaterThan(0);
    });
  }

  it('a zstd-compressed docker save reads like the plain one', async () => {
    const plain = await open('docker-archive.tar');
    execFileSync('zstd', ['-q', '-f', '-3', join(fixturesDir, 'docker-archive.tar'), '-o', join(fixturesDir, 'docker-archive.tar.zst')]);
    const compressed = await open('docker-archive.tar.zst');
    expect(compressed.report.errors).toEqual([]);
    expect(compressed.report.source.kind).toBe('docker-archive');
    expect(compressed.report.notes.join(' ')).toContain('zstd-compressed archive');
    expect(compressed.report.images).toEqual(plain.report.images);
  });
});
