/**
 * Sanity checks on test/fixtures/generated/ (made by test/fixtures/make-fixtures.sh):
 * each fixture is what its name claims, and the expected/*.json summaries agree
 * with the bytes, hashed here with node:crypto and inflated with node:zlib.
 * Deliberately independent of src/: a tiny tar reader of its own, so a broken
 * fixture script is caught even when the app's parsers are broken the same way.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const generated = join(root, 'test/fixtures/generated');
const read = (name: string): Buffer => readFileSync(join(generated, name));
const sha256 = (bytes: Uint8Array): string =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

interface Member {
  name: string;
  type: string;
  header: Buffer;
  data: Buffer;
}

/** ustar + GNU long names (`L`) + PAX `path` records; global headers (`g`) are skipped. */
function readTar(archive: Buffer): Member[] {
  const members: Member[] = [];
  let longName: string | null = null;
  for (let offset = 0; offset + 512 <= archive.length;) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start: number, length: number) =>
      header.toString('utf8', start, start + length).replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1) || '0';
    const data = archive.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') longName = data.toString('utf8').replace(/\0.*$/s, '');
    else if (type === 'x')
      longName = /\d+ path=([^\n]*)\n/.exec(data.toString('utf8'))?.[1] ?? null;
    else if (type !== 'g') {
      const prefix = field(345, 155);
      const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
      members.push({ name, type, header, data });
      longName = null;
    }
  }
  return members;
}

function member(members: Member[], name: string): Member {
  const found = members.find((m) => m.name === name || m.name === `./${name}`);
  if (!found) throw new Error(`no member ${name}`);
  return found;
}

function decompress(bytes: Buffer): Buffer {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return gunzipSync(bytes);
  if (bytes.readUInt32LE(0) === 0xfd2fb528) return Buffer.from(zstdDecompress(bytes));
  return bytes;
}

interface LayerSummary {
  digest: string;
  size: number;
  diffId: string;
  uncompressedSize: number;
  entries: number;
  whiteouts: number;
  compression: string;
}
interface Summary {
  fixture: string;
  manifestDigest: string | null;
  configDigest: string | null;
  layers: LayerSummary[];
  images: { refs: string[]; history: number; layers: LayerSummary[] }[];
}
const summary = (fixture: string): Summary =>
  JSON.parse(read(`expected/${fixture}.json`).toString('utf8'));

/** Checks every layer of a summary against the bytes `blobFor(layer)` returns. */
function checkLayers(
  fixture: string,
  layers: LayerSummary[],
  blobFor: (layer: LayerSummary, index: number) => Buffer,
) {
  layers.forEach((layer, index) => {
    const blob = blobFor(layer, index);
    expect(sha256(blob), `${fixture} layer ${index} digest`).toBe(layer.digest);
    expect(blob.length).toBe(layer.size);
    const tar = decompress(blob);
    expect(sha256(tar), `${fixture} layer ${index} diffId`).toBe(layer.diffId);
    expect(tar.length).toBe(layer.uncompressedSize);
    const list = read(`expected/${fixture}/layer-${index}.list`)
      .toString('utf8')
      .split('\n')
      .filter(Boolean);
    expect(list).toHaveLength(layer.entries);
    expect(readTar(tar).map((m) => m.name.replace(/\/$/, ''))).toEqual(
      list.map((name) => name.replace(/\/$/, '')),
    );
  });
}

beforeAll(() => {
  // Fast no-op when generated/.stamp is current; a full build takes ~30 s.
  execFileSync('bash', [join(root, 'test/fixtures/make-fixtures.sh')], { stdio: 'ignore' });
}, 300_000);

describe('OCI fixtures', () => {
  const archives = [
    'oci-archive.tar',
    'oci-archive-dotslash.tar',
    'oci-zstd.tar',
    'oci-uncompressed.tar',
    'oci-multiplatform.tar',
    'oci-artifact.tar',
    'sample-image.tar',
  ];

  it.each(archives)('%s: manifest, config and layers match expected/', (fixture) => {
    const members = readTar(read(fixture));
    const blob = (digest: string) => member(members, `blobs/sha256/${digest.slice(7)}`).data;
    const expected = summary(fixture);
    expect(sha256(blob(expected.manifestDigest!))).toBe(expected.manifestDigest);
    const config = blob(expected.configDigest!);
    expect(sha256(config)).toBe(expected.configDigest);
    const parsed = JSON.parse(config.toString('utf8'));
    expect(parsed.rootfs.diff_ids).toEqual(expected.layers.map((layer) => layer.diffId));
    expect(parsed.history.some((entry: { empty_layer?: boolean }) => entry.empty_layer)).toBe(true);
    // skopeo's independent reading of the same archive agrees.
    expect(sha256(read(`expected/${fixture}/config.json`))).toBe(expected.configDigest);
    checkLayers(fixture, expected.layers, (layer) => blob(layer.digest));
  });

  it('oci-layout/ and oci-zstd/ are layouts with the same image as their archives', () => {
    for (const [dir, archive] of [
      ['oci-layout', 'oci-archive.tar'],
      ['oci-zstd', 'oci-zstd.tar'],
    ]) {
      const expected = summary(dir);
      expect(expected).toMatchObject({
        manifestDigest: summary(archive).manifestDigest,
        configDigest: summary(archive).configDigest,
      });
      checkLayers(dir, expected.layers, (layer) =>
        read(`${dir}/blobs/sha256/${layer.digest.slice(7)}`),
      );
    }
    expect(summary('oci-zstd').layers.map((l) => l.compression)).toEqual([
      'zstd',
      'zstd',
      'zstd',
      'zstd',
    ]);
    expect(summary('oci-uncompressed.tar').layers.map((l) => l.compression)).toEqual([
      'none',
      'none',
      'none',
      'none',
    ]);
  });

  it('the sample image has whiteouts, an opaque directory, history and tricky entries', () => {
    const lists = [0, 1, 2, 3].map((i) =>
      read(`expected/oci-layout/layer-${i}.list`).toString('utf8'),
    );
    expect(lists[2]).toContain('usr/share/tarsier/.wh.remove-me.txt');
    expect(lists[3]).toContain('var/log/.wh..wh..opq');
    expect(lists[1]).toMatch(/^usr\/share\/tarsier\/a-file-name-so-long-[^\n]{60,}\.txt$/m);
    const layer1 = readTar(
      decompress(
        read(`oci-layout/blobs/sha256/${summary('oci-layout').layers[1].digest.slice(7)}`),
      ),
    );
    expect(member(layer1, 'usr/share/tarsier/file.hardlink').type).toBe('1');
    expect(member(layer1, 'usr/share/tarsier/file.symlink').type).toBe('2');
    expect(
      parseInt(member(layer1, 'usr/bin/su-tool').header.toString('utf8', 100, 107), 8) & 0o4000,
    ).toBe(0o4000);
    expect(summary('oci-layout').images[0]).toMatchObject({
      refs: ['tarsier/sample:1'],
      history: 12,
    });
  });

  it('oci-archive-dotslash.tar members start with ./', () => {
    expect(readTar(read('oci-archive-dotslash.tar')).every((m) => m.name.startsWith('./'))).toBe(
      true,
    );
  });

  it('oci-multiplatform.tar: index.json -> image index -> amd64 present, arm64 and arm/v7 absent', () => {
    const members = readTar(read('oci-multiplatform.tar'));
    const index = JSON.parse(member(members, 'index.json').data.toString('utf8'));
    expect(index.manifests).toHaveLength(1);
    expect(index.manifests[0].mediaType).toBe('application/vnd.oci.image.index.v1+json');
    const nested = member(members, `blobs/sha256/${index.manifests[0].digest.slice(7)}`).data;
    expect(sha256(nested)).toBe(index.manifests[0].digest);
    expect(nested.equals(read('doc-index.json'))).toBe(true);
    const platforms = JSON.parse(nested.toString('utf8')).manifests as {
      digest: string;
      platform: { architecture: string };
    }[];
    expect(platforms.map((p) => p.platform.architecture)).toEqual(['amd64', 'arm64', 'arm']);
    const present = platforms.map((p) =>
      members.some((m) => m.name === `blobs/sha256/${p.digest.slice(7)}`),
    );
    expect(present).toEqual([true, false, false]);
  });

  it('oci-artifact.tar: an artifact manifest with an empty config next to the image', () => {
    const members = readTar(read('oci-artifact.tar'));
    const index = JSON.parse(member(members, 'index.json').data.toString('utf8'));
    const artifact = JSON.parse(
      member(members, `blobs/sha256/${index.manifests[1].digest.slice(7)}`).data.toString('utf8'),
    );
    expect(artifact.artifactType).toBe('application/spdx+json');
    expect(artifact.config).toMatchObject({
      mediaType: 'application/vnd.oci.empty.v1+json',
      size: 2,
    });
    expect(artifact.subject.digest).toBe(index.manifests[0].digest);
    expect(
      member(members, `blobs/sha256/${artifact.layers[0].digest.slice(7)}`).data.toString(),
    ).toContain('SPDX');
  });
});

describe('docker archives', () => {
  const withManifest = [
    'docker-archive.tar',
    'docker-archive-two-tags.tar',
    'docker-archive-untagged.tar',
    'docker-archive-multi.tar',
    'docker-archive-v1.10.tar',
    'docker-archive-oci.tar',
  ];

  it.each(withManifest)('%s: manifest.json entries match expected/', (fixture) => {
    const members = readTar(read(fixture));
    const manifest = JSON.parse(member(members, 'manifest.json').data.toString('utf8'));
    const expected = summary(fixture);
    expect(manifest).toHaveLength(expected.images.length);
    manifest.forEach(
      (entry: { Config: string; RepoTags: string[] | null; Layers: string[] }, i: number) => {
        const image = expected.images[i];
        expect(entry.RepoTags ?? []).toEqual(image.refs);
        checkLayers(
          i === 0 ? fixture : `${fixture}/image-${i}`,
          image.layers,
          (_layer, n) => member(members, entry.Layers[n]).data,
        );
      },
    );
    expect(sha256(member(members, manifest[0].Config).data)).toBe(expected.configDigest);
    expect(sha256(read(`expected/${fixture}/config.json`))).toBe(expected.configDigest);
  });

  it('each archive has the shape its name claims', () => {
    const names = (fixture: string) => readTar(read(fixture)).map((m) => m.name);
    const tags = (fixture: string) =>
      JSON.parse(member(readTar(read(fixture)), 'manifest.json').data.toString()).map(
        (e: { RepoTags: unknown }) => e.RepoTags,
      );
    expect(names('docker-archive.tar').filter((n) => n.endsWith('/layer.tar'))).toHaveLength(4);
    expect(readTar(read('docker-archive.tar')).filter((m) => m.type === '2')).toHaveLength(4);
    expect(gunzipSync(read('docker-archive.tar.gz')).equals(read('docker-archive.tar'))).toBe(true);
    expect(tags('docker-archive-two-tags.tar')[0]).toHaveLength(2);
    expect(tags('docker-archive-untagged.tar')).toEqual([null]);
    expect(names('docker-archive-untagged.tar')).not.toContain('repositories');
    expect(tags('docker-archive-multi.tar')).toEqual([
      ['docker.io/tarsier/sample:1'],
      ['docker.io/tarsier/other:2'],
    ]);
    const legacy = readTar(read('docker-archive-legacy.tar'));
    expect(legacy.map((m) => m.name)).not.toContain('manifest.json');
    expect(
      legacy.filter((m) => /^[0-9a-f]{64}\/layer\.tar$/.test(m.name)).map((m) => m.type),
    ).toEqual(['0', '0', '0', '0']);
    expect(legacy.some((m) => /^[0-9a-f]{64}\.(tar|json)$/.test(m.name))).toBe(false);
    checkLayers(
      'docker-archive-legacy.tar',
      summary('docker-archive-legacy.tar').layers,
      (layer) =>
        legacy.find((m) => m.name.endsWith('/layer.tar') && sha256(m.data) === layer.digest)!.data,
    );
    expect(tags('docker-archive-v1.10.tar')).toHaveLength(1);
    const v110 = JSON.parse(
      member(readTar(read('docker-archive-v1.10.tar')), 'manifest.json').data.toString(),
    );
    expect(v110[0].Layers.every((path: string) => /^[0-9a-f]{64}\/layer\.tar$/.test(path))).toBe(
      true,
    );
    const docker25 = names('docker-archive-oci.tar');
    expect(docker25).toEqual(
      expect.arrayContaining(['oci-layout', 'index.json', 'manifest.json', 'repositories']),
    );
    expect(summary('docker-archive-oci.tar').manifestDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('single layers', () => {
  it.each(['layer.tar', 'layer.tar.gz', 'layer.tar.zst', 'layer-pax.tar'])(
    '%s matches expected/',
    (fixture) => {
      checkLayers(fixture, summary(fixture).layers, () => read(fixture));
    },
  );

  it('the compressed layers hold exactly layer.tar', () => {
    expect(gunzipSync(read('layer.tar.gz')).equals(read('layer.tar'))).toBe(true);
    expect(Buffer.from(zstdDecompress(read('layer.tar.zst'))).equals(read('layer.tar'))).toBe(true);
  });

  it('layer.tar has every entry type, a GNU long name and a base-256 uid', () => {
    const bytes = read('layer.tar');
    const types = new Set(readTar(bytes).map((m) => m.type));
    for (const type of ['0', '1', '2', '3', '5', '6']) expect(types).toContain(type);
    expect(bytes.includes(Buffer.from('././@LongLink'))).toBe(true);
    const bigUid = member(readTar(bytes), 'usr/share/doc/tarsier/big-uid.txt').header;
    expect(bigUid[108] & 0x80).toBe(0x80);
    expect(bigUid.readUInt32BE(112)).toBe(4_000_000);
  });

  it('layer-pax.tar has PAX path and xattr records and a global header', () => {
    const bytes = read('layer-pax.tar').toString('latin1');
    expect(bytes).toMatch(/\d+ path=usr\/share\/doc\/tarsier\/a-file-name-so-long/);
    expect(bytes).toContain('SCHILY.xattr.user.tarsier=hello');
    expect(bytes).toContain('pax_global_header');
  });
});

describe('whiteouts made by umoci', () => {
  it('layers hold .wh. files and an opaque marker; the unpacked rootfs has them applied', () => {
    const lists = [0, 1, 2].map((i) =>
      read(`expected/whiteout-layout/layer-${i}.list`).toString('utf8'),
    );
    expect(lists[1]).toMatch(/^etc\/\.wh\.delete-me\.conf$/m);
    expect(lists[1]).toMatch(/^\.wh\.cache$/m);
    expect(lists[2]).toMatch(/^opaque-dir\/\.wh\.\.wh\.\.opq$/m);
    const exists = (path: string) => existsSync(join(generated, 'whiteout-unpacked', path));
    expect(
      ['etc/keep.conf', 'data/a.txt', 'data/new.txt', 'opaque-dir/fresh.txt'].map(exists),
    ).toEqual([true, true, true, true]);
    expect(
      ['etc/delete-me.conf', 'data/b.txt', 'cache', 'opaque-dir/old.txt', 'opaque-dir/nested'].map(
        exists,
      ),
    ).toEqual([false, false, false, false, false]);
  });
});

describe('bad inputs', () => {
  const oci = () => readTar(read('oci-archive.tar'));
  const manifest = JSON.parse(read('doc-manifest.json').toString('utf8'));
  const blobName = (digest: string) => `blobs/sha256/${digest.slice(7)}`;

  it('empty, random, plain and truncated files', () => {
    expect(statSync(join(generated, 'empty.tar')).size).toBe(0);
    const random = read('not-a-tar.bin');
    expect(random[0] === 0x1f && random[1] === 0x8b).toBe(false);
    expect(readTar(read('plain-files.tar')).map((m) => m.name)).toEqual([
      'README.txt',
      'data.csv',
      'notes/',
      'notes/todo.txt',
    ]);
    expect(
      read('oci-archive.tar')
        .subarray(0, statSync(join(generated, 'truncated-archive.tar')).size)
        .equals(read('truncated-archive.tar')),
    ).toBe(true);
    expect(() => gunzipSync(read('truncated-layer.tar.gz'))).toThrow();
    const layer = read('no-eof-marker.tar');
    expect(read('layer.tar').subarray(0, layer.length).equals(layer)).toBe(true);
    expect(layer.subarray(-512).some((byte) => byte !== 0)).toBe(true);
  });

  it('broken OCI archives are broken in exactly one way', () => {
    const corrupt = member(
      readTar(read('corrupt-gzip.tar')),
      blobName(manifest.layers[0].digest),
    ).data;
    expect(sha256(corrupt)).not.toBe(manifest.layers[0].digest);
    expect(corrupt.length).toBe(manifest.layers[0].size);
    expect(() => gunzipSync(corrupt)).toThrow();
    const missing = readTar(read('missing-blob.tar')).map((m) => m.name);
    expect(missing).not.toContain(blobName(manifest.layers[1].digest));
    expect(missing).toContain(blobName(manifest.layers[0].digest));
    const config = member(
      readTar(read('digest-mismatch.tar')),
      blobName(manifest.config.digest),
    ).data;
    expect(config.length).toBe(manifest.config.size);
    expect(sha256(config)).not.toBe(manifest.config.digest);
    expect(() => JSON.parse(config.toString('utf8'))).not.toThrow();
    expect(readTar(read('no-index.tar')).map((m) => m.name)).not.toContain('index.json');
    expect(readTar(read('no-oci-layout.tar')).map((m) => m.name)).not.toContain('oci-layout');
    expect(oci().map((m) => m.name)).toEqual(expect.arrayContaining(['index.json', 'oci-layout']));
    expect(() =>
      JSON.parse(
        member(readTar(read('bad-manifest-json.tar')), 'manifest.json').data.toString('utf8'),
      ),
    ).toThrow();
  });

  it('unsafe-paths.tar keeps its hostile names verbatim', () => {
    expect(readTar(read('unsafe-paths.tar')).map((m) => m.name)).toEqual(
      expect.arrayContaining(['../escape', '/etc/absolute', 'a/../../b']),
    );
  });

  it('the bomb: ~2 MB of gzip that inflates to over 2 GiB', () => {
    const expected = summary('bomb-image.tar');
    const blob = read('bomb-layer.tar.gz');
    expect(blob.length).toBeLessThan(3_000_000);
    expect(sha256(blob)).toBe(expected.layers[0].digest);
    expect(expected.layers[0].uncompressedSize).toBeGreaterThan(2 ** 31);
    // gzip's ISIZE trailer: the uncompressed size modulo 2^32 (RFC 1952 section 2.3.1).
    expect(blob.readUInt32LE(blob.length - 4)).toBe(expected.layers[0].uncompressedSize % 2 ** 32);
    const image = readTar(read('bomb-image.tar'));
    expect(member(image, blobName(expected.layers[0].digest)).data.equals(blob)).toBe(true);
  });
});

describe('documents and the shipped sample', () => {
  it('doc-*.json are the blobs of the sample layout', () => {
    const expected = summary('oci-layout');
    expect(sha256(read('doc-manifest.json'))).toBe(expected.manifestDigest);
    expect(sha256(read('doc-config.json'))).toBe(expected.configDigest);
    expect(JSON.parse(read('doc-index.json').toString('utf8')).manifests).toHaveLength(3);
  });

  it('public/sample-image.tar is under 2 MB and byte-identical to a fresh build', () => {
    const shipped = readFileSync(join(root, 'public/sample-image.tar'));
    expect(shipped.length).toBeLessThan(2_000_000);
    // If this fails after changing the recipe: make-fixtures.sh --sample.
    expect(sha256(shipped)).toBe(sha256(read('sample-image.tar')));
    const index = JSON.parse(member(readTar(shipped), 'index.json').data.toString('utf8'));
    expect(index.manifests[0].annotations['org.opencontainers.image.ref.name']).toBe(
      'tarsier/sample:1',
    );
  });

  it('every expected/*.json names a fixture that exists', () => {
    const fixtures = readdirSync(join(generated, 'expected'))
      .filter((name) => name.endsWith('.json'))
      .map((name) => name.slice(0, -5));
    expect(fixtures.length).toBeGreaterThanOrEqual(24);
    for (const fixture of fixtures)
      expect(existsSync(join(generated, fixture)), fixture).toBe(true);
  });
});
