/**
 * Image archives whose JSON documents have the wrong shape or a hostile
 * size, built in memory: each gives a typed problem naming the document, or
 * the right result in time linear in its size — never an internal error.
 */
import { describe, expect, it } from 'vitest';
import { analyse } from '../../helpers/node-source';
import { memoryTar, type MemoryMember } from '../../helpers/memory-tar';

const fileOf = (bytes: Uint8Array | string, name: string) => new File([bytes], name);
const open = (bytes: Uint8Array | string, name = 'archive.tar') => analyse({ kind: 'file', file: fileOf(bytes, name) });

const layout = (marker: string, index: string): MemoryMember[] => [
  { path: 'oci-layout', content: marker },
  { path: 'index.json', content: index },
  { path: 'blobs', type: 'dir' },
];

describe('documents of the wrong JSON shape', () => {
  for (const marker of ['null', '[]', '"1.0.0"', '{"imageLayoutVersion": 1}']) {
    it(`oci-layout holding ${marker}: a note naming oci-layout (it only states a version), never an internal error`, async () => {
      const { report } = await open(memoryTar(layout(marker, '{"schemaVersion":2,"manifests":[]}')));
      expect(report.source.kind).toBe('oci-archive');
      expect(report.errors).toEqual([]);
      expect(report.notes.some((note) => note.startsWith('oci-layout') && note.includes('read as image layout 1.0.0'))).toBe(true);
    });
  }

  for (const index of ['null', '[]', '{"manifests": null}', '{"manifests": [null]}', '{"manifests": [{"digest": 1, "size": "x"}]}']) {
    it(`index.json holding ${index}: bad-json naming index.json`, async () => {
      const { report } = await open(memoryTar(layout('{"imageLayoutVersion":"1.0.0"}', index)));
      expect(report.errors).toEqual([expect.objectContaining({ code: 'bad-json', path: 'index.json' })]);
    });
  }

  for (const document of ['[null]', '[{"Config": null}]', '{"mediaType": null}', '{"mediaType": 7, "manifests": {}}', '[1, 2]']) {
    it(`a dropped .json holding ${document}: typed, never internal`, async () => {
      const { report } = await open(document, 'doc.json');
      expect(report.source.kind).toBe('json');
      expect(report.errors.every((error) => error.code !== 'internal')).toBe(true);
    });
  }

  it('manifest.json entries of the wrong shape: a bad-json problem naming manifest.json', async () => {
    const { report } = await open(memoryTar([{ path: 'manifest.json', content: '[null]' }]));
    expect(report.source.kind).toBe('docker-archive');
    expect(report.errors).toEqual([expect.objectContaining({ code: 'bad-json', path: 'manifest.json' })]);
  });
});

describe('hostile sizes', () => {
  it('a dropped .json over 32 MiB is refused as too large, naming the file, without reading it', async () => {
    const bytes = new Uint8Array(33 * 1024 * 1024).fill(0x20);
    bytes[0] = 0x5b;
    const { report } = await open(bytes, 'huge-manifest.json');
    expect(report.source.kind).toBe('json');
    expect(report.errors).toEqual([
      expect.objectContaining({ code: 'too-large', path: 'huge-manifest.json', message: expect.stringContaining('huge-manifest.json') }),
    ]);
  });

  it('manifest.json with 20,000 entries of one config: one image with 20,000 tags', async () => {
    const config = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
    const entries = Array.from({ length: 20_000 }, (_, i) => ({ Config: 'config.json', RepoTags: [`app:${i}`], Layers: [] }));
    const { report } = await open(
      memoryTar([
        { path: 'config.json', content: config },
        { path: 'manifest.json', content: JSON.stringify(entries) },
      ]),
    );
    expect(report.errors).toEqual([]);
    expect(report.images).toHaveLength(1);
    expect(report.images[0].refs).toHaveLength(20_000);
  });

  it('manifest.json with 20,000 entries naming missing configs: 20,000 images, each with its problem', async () => {
    const entries = Array.from({ length: 20_000 }, (_, i) => ({ Config: `${i}.json`, RepoTags: null, Layers: [`${i}/layer.tar`] }));
    const { report } = await open(memoryTar([{ path: 'manifest.json', content: JSON.stringify(entries) }]));
    expect(report.images).toHaveLength(20_000);
    expect(report.images[19_999].errors[0]).toMatchObject({ code: 'missing-metadata', path: '19999.json' });
    expect(report.images[19_999].layers[0].error).toContain('19999/layer.tar');
  });
});
