import { describe, expect, it } from 'vitest';
import type { ImageModel, IndexModel, LayerModel, SourceModel } from '../../../src/core/image/model';
import type { Platform } from '../../../src/core/types';
import { groupImages, platformEntries, resolveSelection } from '../../../src/state/selection';

const d = (c: string): string => `sha256:${c.repeat(64)}`;

function layer(index: number): LayerModel {
  return {
    index,
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    digest: d(String(index)),
    size: 10,
    expectedDiffId: null,
    location: null,
    key: String(index),
    error: null,
  };
}

function image(manifest: string, platform: Platform, layers: number, refs: string[] = []): ImageModel {
  return {
    id: d(manifest),
    refs,
    manifestDigest: d(manifest),
    manifestMediaType: null,
    manifestVerified: 'ok',
    manifestPath: null,
    platform,
    configDigest: d(manifest === 'a' ? 'c' : 'e'),
    configVerified: 'ok',
    configPath: null,
    config: null,
    layers: Array.from({ length: layers }, (_, i) => layer(i)),
    notes: [],
    errors: [],
  };
}

const arm = image('a', { os: 'linux', architecture: 'arm64', variant: 'v8' }, 2);
const amd = image('b', { os: 'linux', architecture: 'amd64' }, 3);
const other = image('f', { os: 'linux', architecture: 'amd64' }, 1, ['busybox:1']);

const platformIndex: IndexModel = {
  digest: d('9'),
  mediaType: 'application/vnd.oci.image.index.v1+json',
  path: 'blobs/sha256/99',
  manifests: [
    { descriptor: { mediaType: '', digest: d('a'), size: 1 }, platform: arm.platform, kind: 'image', present: true, imageId: arm.id, refName: null },
    { descriptor: { mediaType: '', digest: d('b'), size: 1 }, platform: amd.platform, kind: 'image', present: true, imageId: amd.id, refName: null },
    { descriptor: { mediaType: '', digest: d('d'), size: 1 }, platform: { os: 'linux', architecture: 's390x' }, kind: 'image', present: false, imageId: null, refName: null },
  ],
};
const layoutIndex: IndexModel = {
  digest: null,
  mediaType: null,
  path: 'index.json',
  manifests: [
    { descriptor: { mediaType: '', digest: d('9'), size: 1 }, platform: null, kind: 'index', present: true, imageId: null, refName: 'multi:latest' },
  ],
};

const source: SourceModel = {
  kind: 'oci-archive',
  name: 'x.tar',
  size: 100,
  images: [arm, amd, other],
  indexes: [layoutIndex, platformIndex],
  documents: [],
  errors: [],
  notes: [],
};

describe('groupImages', () => {
  it('groups the platforms of an image index and keeps other images apart', () => {
    const groups = groupImages(source);
    expect(groups.map((g) => g.label)).toEqual(['multi:latest', 'busybox:1']);
    expect(groups[0].images).toEqual([arm, amd]);
    expect(platformEntries(groups[0]).map((e) => e.present)).toEqual([true, true, false]);
  });
});

describe('resolveSelection', () => {
  it('defaults to the first group, linux/amd64, the last layer and the overview', () => {
    const selection = resolveSelection(source, {});
    expect(selection.image).toBe(amd);
    expect(selection.layer).toBe(2);
    expect(selection.view).toBe('overview');
  });
  it('prefers the host platform when it is present', () => {
    expect(resolveSelection(source, {}, 'linux/arm64').image).toBe(arm);
  });
  it('finds an image by manifest or config digest and switches platform inside its group', () => {
    expect(resolveSelection(source, { image: other.manifestDigest as string }).image).toBe(other);
    expect(resolveSelection(source, { image: d('c') }).image).toBe(arm);
    const switched = resolveSelection(source, { image: amd.id, platform: 'linux/arm64/v8' });
    expect(switched.image).toBe(arm);
  });
  it('falls back to defaults for unknown images and out-of-range layers', () => {
    const selection = resolveSelection(source, { image: d('7'), layer: 9, view: 'history' });
    expect(selection.image).toBe(amd);
    expect(selection.layer).toBe(2);
    expect(selection.view).toBe('history');
    expect(resolveSelection(source, { layer: 0 }).layer).toBe(0);
  });
  it('copes with a source without images', () => {
    const empty = resolveSelection({ ...source, images: [], indexes: [] }, { layer: 1 });
    expect(empty).toMatchObject({ image: null, group: null, layer: null });
  });
});
