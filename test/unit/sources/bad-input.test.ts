/**
 * Hostile and broken inputs: each one gets a clear, typed problem that names
 * the file, and whatever could still be read stays in the model.
 */
import { describe, expect, it } from 'vitest';
import { analyseFixture } from '../../helpers/node-source';

describe('bad input', () => {
  it('an empty file', async () => {
    const { report } = await analyseFixture('empty.tar');
    expect(report.errors).toEqual([
      expect.objectContaining({ code: 'empty-file', path: 'empty.tar', message: expect.stringContaining('empty.tar') }),
    ]);
    expect(report.images).toEqual([]);
  });

  it('random bytes', async () => {
    const { report } = await analyseFixture('not-a-tar.bin');
    expect(report.errors[0]).toMatchObject({ code: 'unknown-format', path: 'not-a-tar.bin' });
    expect(report.errors[0].message).toContain('not-a-tar.bin');
  });

  it('a tar of ordinary files opens as a single layer, with a note', async () => {
    const { report } = await analyseFixture('plain-files.tar');
    expect(report.source.kind).toBe('layer');
    expect(report.errors).toEqual([]);
    expect(report.notes.join(' ')).toContain('no image metadata');
    expect(report.images[0].layers[0].entries).toBeGreaterThan(0);
    expect(report.images[0].layers[0].error).toBeNull();
  });

  it('an archive cut inside a layer blob keeps the blobs before the cut', async () => {
    const { report } = await analyseFixture('truncated-archive.tar');
    expect(report.errors.some((error) => error.code === 'truncated' || error.code === 'missing-metadata')).toBe(true);
    expect(report.errors.every((error) => error.message.length > 10)).toBe(true);
  });

  it('a truncated gzip layer reports truncation and still gives the stored digest', async () => {
    const { report } = await analyseFixture('truncated-layer.tar.gz');
    const layer = report.images[0].layers[0];
    expect(layer.error).toMatch(/truncat/i);
    expect(layer.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(layer.diffId).toBeNull();
  });

  it('a corrupt gzip layer: bad compression and a digest mismatch, other layers fine', async () => {
    const { report } = await analyseFixture('corrupt-gzip.tar');
    const layers = report.images[0].layers;
    const bad = layers.filter((layer) => layer.error !== null);
    expect(bad).toHaveLength(1);
    expect(bad[0].verified.digest).toBe('mismatch');
    expect(layers.filter((layer) => layer.verified.digest === 'ok').length).toBe(layers.length - 1);
  });

  it('a manifest naming a missing blob', async () => {
    const { report } = await analyseFixture('missing-blob.tar');
    const layers = report.images[0].layers;
    const missing = layers.filter((layer) => layer.error?.includes('not in the archive'));
    expect(missing).toHaveLength(1);
    expect(missing[0].verified.digest).toBe('unchecked');
    expect(layers.filter((layer) => layer.verified.diffId === 'ok')).toHaveLength(layers.length - 1);
  });

  it('a blob whose bytes do not match its digest', async () => {
    const { report } = await analyseFixture('digest-mismatch.tar');
    const image = report.images[0];
    const mismatches = [image.configVerified, ...image.layers.map((layer) => layer.verified.digest)].filter(
      (state) => state === 'mismatch',
    );
    expect(mismatches.length).toBeGreaterThan(0);
  });

  it('an OCI archive without index.json: named, and the images found among the blobs', async () => {
    const { report } = await analyseFixture('no-index.tar');
    expect(report.errors).toContainEqual(expect.objectContaining({ code: 'missing-metadata', path: 'index.json' }));
    expect(report.images).toHaveLength(1);
    expect(report.images[0].layers.every((layer) => layer.verified.diffId === 'ok')).toBe(true);
  });

  it('an OCI archive without oci-layout: a note naming it (nothing is lost), and still read', async () => {
    const { report } = await analyseFixture('no-oci-layout.tar');
    expect(report.errors).toEqual([]);
    expect(report.notes.some((note) => note.includes('oci-layout is missing'))).toBe(true);
    expect(report.images).toHaveLength(1);
    expect(report.images[0].layers.every((layer) => layer.error === null)).toBe(true);
  });

  it('a docker archive with a broken manifest.json falls back to repositories', async () => {
    const { report } = await analyseFixture('bad-manifest-json.tar');
    expect(report.errors).toContainEqual(expect.objectContaining({ code: 'bad-json', path: 'manifest.json' }));
    expect(report.images.length).toBeGreaterThan(0);
    expect(report.images[0].layers.every((layer) => layer.entries !== null && layer.entries > 0)).toBe(true);
  });

  it('a layer with absolute and climbing names flags them, and keeps them inside the root', async () => {
    const { results } = await analyseFixture('unsafe-paths.tar');
    const [outcome] = [...results.values()];
    expect('result' in outcome).toBe(true);
    if (!('result' in outcome)) return;
    const unsafe = outcome.result.entries.filter((entry) => entry.unsafe);
    expect(unsafe.length).toBeGreaterThanOrEqual(3);
    for (const entry of outcome.result.entries) {
      expect(entry.path.startsWith('/')).toBe(false);
      expect(entry.path.split('/')).not.toContain('..');
    }
  });

  it('a layer without its end-of-archive blocks is read whole, without error', async () => {
    const { report } = await analyseFixture('no-eof-marker.tar');
    expect(report.images[0].layers[0].error).toBeNull();
    expect(report.images[0].layers[0].entries).toBeGreaterThan(0);
  });
});
