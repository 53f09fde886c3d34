import { describe, expect, it } from 'vitest';
import type { ImageModel, LayerModel } from '../../../../src/core/image/model';
import type { BlobResult, TarEntry } from '../../../../src/core/types';
import { layerSources, settledLayerCount, type SettledJob } from '../../../../src/state/files/layer-sources';

function layer(index: number): LayerModel {
  return {
    index,
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    digest: `sha256:${String(index).repeat(64)}`,
    size: 10,
    expectedDiffId: null,
    location: { kind: 'blob', blob: new Blob([`layer ${index}`]), path: `blobs/sha256/${index}` },
    key: String(index),
    error: null,
  };
}

const image = { layers: [layer(0), layer(1)] } as ImageModel;

function result(index: number): BlobResult {
  const entry = { path: `/file-${index}` } as TarEntry;
  return {
    digest: `sha256:${'a'.repeat(64)}`,
    size: 10,
    compression: 'gzip',
    diffId: `sha256:${String(index + 5).repeat(64)}`,
    uncompressedSize: 20,
    isTar: true,
    entryCount: 1,
    whiteoutCount: 0,
    entries: [entry],
    error: null,
  };
}

describe('layerSources', () => {
  it('is null until every layer job has settled', () => {
    const jobs = new Map<LayerModel, SettledJob>([[image.layers[0], { settled: true, result: result(0) }]]);
    expect(layerSources(image, (l) => jobs.get(l) ?? null)).toBeNull();
    jobs.set(image.layers[1], { settled: false, result: null });
    expect(layerSources(image, (l) => jobs.get(l) ?? null)).toBeNull();
    expect(settledLayerCount(image, (l) => jobs.get(l) ?? null)).toBe(1);
  });

  it("gives each layer's entries, location, compression and DiffID, in layer order; a failed job gives none", () => {
    const jobs = new Map<LayerModel, SettledJob>([
      [image.layers[0], { settled: true, result: result(0) }],
      [image.layers[1], { settled: true, result: null }],
    ]);
    const sources = layerSources(image, (l) => jobs.get(l) ?? null);
    expect(sources).toEqual([
      { entries: result(0).entries, encodedEntries: undefined, location: image.layers[0].location, compression: 'gzip', diffId: result(0).diffId },
      { entries: [], encodedEntries: undefined, location: image.layers[1].location, compression: null, diffId: null },
    ]);
    expect(settledLayerCount(image, (l) => jobs.get(l) ?? null)).toBe(2);
  });
});
