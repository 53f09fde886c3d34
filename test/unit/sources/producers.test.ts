/**
 * Archives as other producers write them, read through the real dispatcher:
 * plain `./` layers from GNU tar, bsdtar and busybox tar (listed exactly as
 * GNU tar lists them), the go-containerregistry tarball (checked against
 * skopeo's reading of it), and outer tars whose image metadata comes last or
 * whose blobs have names no producer in the fixtures uses.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyse, analyseFixture, fixturesDir } from '../../helpers/node-source';
import { dotslashLayers } from '../../helpers/dotslash-layers.mjs';

/** GNU tar's listing, names cleaned as Tarsier shows them (no `./`, no trailing `/`). */
function gnuTarPaths(fixture: string): string[] {
  const listing = execFileSync('tar', ['-tf', join(fixturesDir, fixture)], { encoding: 'utf8' });
  return listing
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.replace(/^\.\//, '').replace(/\/$/, ''))
    .map((line) => (line === '.' ? '' : line));
}

async function fileFromPath(path: string, name: string): Promise<File> {
  return new File([readFileSync(path)], name);
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tarsier-producers-'));
}

describe('plain layers tarred from inside their directory', () => {
  for (const fixture of dotslashLayers) {
    it(`${fixture}: one layer, no errors, every member as GNU tar lists it`, async () => {
      const { report, results } = await analyseFixture(fixture);
      expect(report.source.kind).toBe('layer');
      expect(report.errors).toEqual([]);
      expect(report.notes.join(' ')).toContain('no image metadata');
      expect(report.images).toHaveLength(1);
      const [outcome] = [...results.values()];
      if (!outcome || !('result' in outcome)) throw new Error(`${fixture}: no layer result`);
      expect(outcome.result.error).toBeNull();
      expect(outcome.result.entries.map((entry) => entry.path)).toEqual(gnuTarPaths(fixture));
    });
  }
});

describe("go-containerregistry's tarball", () => {
  const skopeo = (fixture: string) =>
    JSON.parse(readFileSync(join(fixturesDir, 'expected', fixture, 'skopeo-manifest.json'), 'utf8')) as {
      config: { digest: string };
      layers: { digest: string }[];
    };

  it('reads as a docker-archive: config and layers verified by their member names, DiffIDs as skopeo names them', async () => {
    const { report } = await analyseFixture('ggcr-tarball.tar');
    expect(report.source.kind).toBe('docker-archive');
    expect(report.errors).toEqual([]);
    const [image] = report.images;
    expect(image.refs).toEqual(['index.docker.io/tarsier/sample:1']);
    expect(image.configVerified).toBe('ok');
    expect(image.configDigest).toBe(skopeo('ggcr-tarball.tar').config.digest);
    expect(image.layers.map((layer) => layer.diffId)).toEqual(skopeo('ggcr-tarball.tar').layers.map((layer) => layer.digest));
    for (const layer of image.layers) {
      expect(layer.verified).toEqual({ digest: 'ok', diffId: 'ok' });
      expect(layer.compression).toBe('gzip');
      expect(layer.mediaType).toBe('application/vnd.docker.image.rootfs.diff.tar.gzip');
    }
  });

  it('pulled by digest: RepoTags null gives an image without refs', async () => {
    const { report } = await analyseFixture('ggcr-tarball-by-digest.tar');
    expect(report.errors).toEqual([]);
    expect(report.images).toHaveLength(1);
    expect(report.images[0].refs).toEqual([]);
  });

  it('gzipped, with manifest.json as its last member: the same images in one streaming pass', async () => {
    const plain = await analyseFixture('ggcr-tarball.tar');
    const { report } = await analyseFixture('ggcr-tarball.tar.gz');
    expect(report.errors).toEqual([]);
    expect(report.source.kind).toBe('docker-archive');
    expect(report.images).toEqual(plain.report.images);
  });
});

describe('an OCI layout listing a media type no spec defines', () => {
  it('lists the entry as unknown and present, with no problem, beside the image', async () => {
    const { report } = await analyseFixture('oci-unknown-type.tar');
    expect(report.errors).toEqual([]);
    expect(report.images).toHaveLength(1);
    const entries = report.indexes[0].manifests;
    expect(entries.map((entry) => entry.kind)).toEqual(['image', 'unknown']);
    expect(entries[1].present).toBe(true);
  });
});

describe('image archives whose members have unusual names or order', () => {
  /**
   * A docker-archive laid out like jib's: `config.json`, layers under names
   * that no producer in the fixtures uses, manifest.json last. Gzipped, the
   * first scan inspects none of its blobs before it meets the marker, so the
   * dispatcher must scan again.
   */
  function unusualArchive(): string {
    const dir = tempDir();
    const x = join(dir, 'x');
    execFileSync('mkdir', ['-p', join(x, 'layers')]);
    execFileSync('tar', ['-xf', join(fixturesDir, 'docker-archive.tar'), '-C', x]);
    const [entry] = JSON.parse(readFileSync(join(x, 'manifest.json'), 'utf8')) as { Config: string; Layers: string[] }[];
    const layers = entry.Layers.map((layer, index) => {
      copyFileSync(join(x, layer), join(x, 'layers', `layer-${index}.tar`));
      return `layers/layer-${index}.tar`;
    });
    copyFileSync(join(x, entry.Config), join(x, 'config.json'));
    writeFileSync(join(x, 'manifest.json'), JSON.stringify([{ Config: 'config.json', RepoTags: ['unusual:1'], Layers: layers }]));
    execFileSync('tar', ['-C', x, '-cf', join(dir, 'unusual.tar'), 'layers', 'config.json', 'manifest.json']);
    execFileSync('gzip', ['-kn', join(dir, 'unusual.tar')]);
    return dir;
  }

  it('a gzipped archive whose large blobs go by before manifest.json under other names: every layer read', async () => {
    const dir = unusualArchive();
    const plain = await analyse({ kind: 'file', file: await fileFromPath(join(dir, 'unusual.tar'), 'unusual.tar') });
    const gzipped = await analyse({ kind: 'file', file: await fileFromPath(join(dir, 'unusual.tar.gz'), 'unusual.tar.gz') });
    for (const { report } of [plain, gzipped]) {
      expect(report.errors).toEqual([]);
      expect(report.source.kind).toBe('docker-archive');
      expect(report.images[0].refs).toEqual(['unusual:1']);
      expect(report.images[0].layers.length).toBeGreaterThan(1);
      for (const layer of report.images[0].layers) {
        expect(layer.error).toBeNull();
        expect(layer.verified.diffId).toBe('ok');
      }
    }
    expect(gzipped.report.images[0].layers.map((layer) => layer.diffId)).toEqual(
      plain.report.images[0].layers.map((layer) => layer.diffId),
    );
  });
});

describe('Docker 25+ archives with a defective OCI side', () => {
  /** docker-archive-oci.tar with its files changed by `edit` (in the extracted folder), re-tarred by GNU tar. */
  async function editedDocker25(edit: (dir: string) => void, omit: string[] = []) {
    const dir = tempDir();
    const x = join(dir, 'x');
    execFileSync('mkdir', ['-p', x]);
    execFileSync('tar', ['-xf', join(fixturesDir, 'docker-archive-oci.tar'), '-C', x]);
    edit(x);
    const members = ['blobs', 'index.json', 'manifest.json', 'oci-layout', 'repositories'].filter((name) => !omit.includes(name));
    execFileSync('tar', ['-C', x, '-cf', join(dir, 'edited.tar'), ...members]);
    return analyse({ kind: 'file', file: await fileFromPath(join(dir, 'edited.tar'), 'edited.tar') });
  }

  const intact = () => analyseFixture('docker-archive-oci.tar');

  it('index.json with "manifests": null is a note; the image reads from manifest.json, every layer verified', async () => {
    const { report } = await editedDocker25((x) =>
      writeFileSync(join(x, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: null })),
    );
    const good = (await intact()).report;
    expect(report.errors).toEqual([]);
    expect(report.notes).toContain('index.json lists no manifests; the image is read from manifest.json.');
    expect(report.images).toHaveLength(1);
    const [image] = report.images;
    expect(image.refs).toEqual(good.images[0].refs);
    expect(image.configVerified).toBe('ok');
    expect(image.manifestDigest).toBeNull();
    expect(image.layers.map((layer) => [layer.digest, layer.diffId, layer.verified])).toEqual(
      good.images[0].layers.map((layer) => [layer.digest, layer.diffId, layer.verified]),
    );
  });

  it('no oci-layout marker: a note, and the manifest digest still comes from index.json', async () => {
    const { report } = await editedDocker25(() => undefined, ['oci-layout']);
    const good = (await intact()).report;
    expect(report.errors).toEqual([]);
    expect(report.notes.some((note) => note.includes('oci-layout'))).toBe(true);
    expect(report.images[0].manifestDigest).toBe(good.images[0].manifestDigest);
  });

  it('a manifest blob that does not match its digest stays an error', async () => {
    const { report } = await editedDocker25((x) => {
      const index = JSON.parse(readFileSync(join(x, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
      const path = join(x, 'blobs/sha256', index.manifests[0].digest.slice('sha256:'.length));
      writeFileSync(path, readFileSync(path, 'utf8').replace('"schemaVersion":2', '"schemaVersion": 2'));
    });
    const mismatches = [...report.errors, ...report.images.flatMap((image) => image.errors)].filter(
      (error) => error.code === 'digest-mismatch',
    );
    expect(mismatches.length).toBeGreaterThan(0);
  });

  it('an unreadable manifest.json: the images are read from the OCI layout beside it', async () => {
    const { report } = await editedDocker25((x) => writeFileSync(join(x, 'manifest.json'), '[{"Config": '));
    const good = (await intact()).report;
    expect(report.errors).toContainEqual(expect.objectContaining({ code: 'bad-json', path: 'manifest.json' }));
    expect(report.source.kind).toBe('docker-archive');
    expect(report.images).toHaveLength(1);
    expect(report.images[0].manifestDigest).toBe(good.images[0].manifestDigest);
    expect(report.images[0].layers.every((layer) => layer.verified.diffId === 'ok')).toBe(true);
  });
});
