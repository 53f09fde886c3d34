/**
 * Comparisons of real image pairs made by buildah and skopeo
 * (test/fixtures/lib/compare.sh), run through the real pipeline in Node.
 * File differences are checked against what `umoci unpack` of both images
 * gives (expected/compare/*.json, made by lib/rootfs-diff.py from lstat,
 * readlink and sha256 of the unpacked files); layer DiffIDs against
 * sha256sum of the decompressed blobs (expected/<fixture>.json).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCompareJson } from '../../../../src/core/compare/compare-json';
import { compareConfigs } from '../../../../src/core/compare/config';
import { compareFiles, contentHasherFromReaders, type ContentHasher } from '../../../../src/core/compare/content-checks';
import { compareTrees, type FileDifference } from '../../../../src/core/compare/files';
import { compareHistories } from '../../../../src/core/compare/history';
import { alignLayers } from '../../../../src/core/compare/layers';
import type { FileNode } from '../../../../src/core/fs/file-node';
import { type NodeSide, fixtureSides, folderSides } from '../../../helpers/compare-side';
import { expectedSummary, fixturesDir } from '../../../helpers/node-source';

interface ToolEntry {
  type: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  linkTarget: string | null;
}
interface ToolDifference {
  path: string;
  change: string;
  differences: string[];
  left: ToolEntry | null;
  right: ToolEntry | null;
}

async function toolDifferences(pair: string): Promise<ToolDifference[]> {
  const text = await readFile(join(fixturesDir, 'expected', 'compare', `${pair}.json`), 'utf8');
  return (JSON.parse(text) as { files: ToolDifference[] }).files;
}

/**
 * What the unpacked rootfs can show of our result: a hard link is a file
 * there (one inode, two names), so a file/hard link type change and a hard
 * link's target path are invisible to it.
 */
function asUnpacked(differences: readonly FileDifference[]) {
  const entry = (item: FileDifference['left']) =>
    item === null ? null : { type: item.type === 'hardlink' ? 'file' : item.type, size: item.size, mode: item.mode, uid: item.uid, gid: item.gid, linkTarget: item.type === 'hardlink' ? null : item.linkTarget };
  return differences
    .map((item) => {
      const hardlink = item.left?.type === 'hardlink' || item.right?.type === 'hardlink';
      const fields = item.differences.filter((field) => !(hardlink && (field === 'linkTarget' || (field === 'type' && entry(item.left)?.type === entry(item.right)?.type))));
      return { path: item.path, change: item.change, differences: fields, left: entry(item.left), right: entry(item.right) };
    })
    .filter((item) => item.change !== 'changed' || item.differences.length > 0);
}

function toolView(differences: readonly ToolDifference[]) {
  const entry = (item: ToolEntry | null) => (item === null ? null : { type: item.type, size: item.size, mode: item.mode, uid: item.uid, gid: item.gid, linkTarget: item.linkTarget });
  return differences.map((item) => ({ path: item.path, change: item.change, differences: item.differences, left: entry(item.left), right: entry(item.right) }));
}

/** The readers-based hasher, counting what it hashed. */
function countingHasher(left: NodeSide, right: NodeSide): { hasher: ContentHasher; hashed: string[] } {
  const inner = contentHasherFromReaders({ left: left.read, right: right.read });
  const hashed: string[] = [];
  return {
    hashed,
    hasher: (signal, side, node: FileNode) => {
      hashed.push(`${side}:${node.path}`);
      return inner(signal, side, node);
    },
  };
}

const signal = new AbortController().signal;

describe('the same image in gzip and in zstd', () => {
  let gzip: NodeSide;
  let zstd: NodeSide;
  beforeAll(async () => {
    [gzip] = await folderSides('oci-layout');
    [zstd] = await folderSides('oci-zstd');
  });

  it('shares every layer: same DiffIDs, other digests', async () => {
    const rows = alignLayers(gzip.facts, zstd.facts);
    const summary = await expectedSummary('oci-zstd');
    expect(rows).toHaveLength(4);
    expect(rows.every((row) => row.sameDiffId)).toBe(true);
    expect(rows.map((row) => row.right?.diffId)).toEqual(summary.layers.map((layer) => layer.diffId));
    expect(rows.every((row) => row.left?.digest !== row.right?.digest)).toBe(true);
  });

  it('finds no file changed without reading a byte or visiting a node', async () => {
    const trees = compareTrees(gzip, zstd);
    expect(trees).toMatchObject({ differences: [], checks: [], sharedLayers: 4, compared: 0 });
    const { hasher, hashed } = countingHasher(gzip, zstd);
    const files = await compareFiles(signal, gzip, zstd, hasher);
    expect(files.differences).toEqual([]);
    expect(hashed).toEqual([]);
  });

  it('finds no config or history difference', () => {
    expect(compareConfigs(gzip.image.config, zstd.image.config)).toEqual([]);
    const rows = compareHistories(gzip.image.config, 4, zstd.image.config, 4);
    expect(rows.every((row) => row.left !== null && row.right !== null && row.differences.length === 0)).toBe(true);
  });
});

describe('an image against itself plus two layers (buildah FROM the sample)', () => {
  let sample: NodeSide;
  let plus: NodeSide;
  beforeAll(async () => {
    [sample] = await folderSides('oci-layout');
    [plus] = await fixtureSides('compare-plus-two.tar');
  });

  it('aligns the four shared layers and lists the two new ones on the right', () => {
    const rows = alignLayers(sample.facts, plus.facts);
    expect(rows.map((row) => [row.left?.index ?? null, row.right?.index ?? null, row.sameDiffId])).toEqual([
      [0, 0, true],
      [1, 1, true],
      [2, 2, true],
      [3, 3, true],
      [null, 4, false],
      [null, 5, false],
    ]);
    expect(rows[4].right?.history?.created_by).toContain('echo changed > /usr/share/tarsier/file');
    expect(rows[5].right?.history?.created_by).toContain('COPY');
  });

  it('finds exactly the file differences that umoci unpack of both images shows', async () => {
    const files = await compareFiles(signal, sample, plus, countingHasher(sample, plus).hasher);
    expect(files.errors).toEqual([]);
    expect(files.sharedLayers).toBe(4);
    expect(asUnpacked(files.differences)).toEqual(toolView(await toolDifferences('plus-two')));
  });

  it('lists the new environment variable, the changed label and the new history lines', () => {
    const config = compareConfigs(sample.image.config, plus.image.config);
    expect(config).toContainEqual({ field: 'env', key: 'APP_MODE', change: 'added', left: null, right: 'plus' });
    expect(config).toContainEqual({ field: 'labels', key: 'org.opencontainers.image.version', change: 'changed', left: '1', right: '2' });
    const rows = compareHistories(sample.image.config, 4, plus.image.config, 6);
    const leftCount = sample.image.config?.history?.length ?? 0;
    expect(rows.slice(0, leftCount).every((row) => row.left !== null && row.right !== null && row.differences.length === 0)).toBe(true);
    expect(rows.slice(leftCount).every((row) => row.left === null && row.right !== null)).toBe(true);
    expect(rows).toHaveLength(plus.image.config?.history?.length ?? -1);
  });

  it('writes compare.json with the fields the contract names', async () => {
    const files = await compareFiles(signal, sample, plus, countingHasher(sample, plus).hasher);
    const json = buildCompareJson({
      left: { source: sample.source, image: sample.image, layer: sample.layer },
      right: { source: plus.source, image: plus.image, layer: plus.layer },
      layers: alignLayers(sample.facts, plus.facts),
      files: files.differences,
      config: compareConfigs(sample.image.config, plus.image.config),
      history: compareHistories(sample.image.config, 4, plus.image.config, 6),
      packages: null,
      errors: files.errors,
      toolVersion: 'test',
    });
    const parsed = JSON.parse(JSON.stringify(json));
    expect(Object.keys(parsed)).toEqual(expect.arrayContaining(['left', 'right', 'layers', 'files']));
    expect(parsed.left).toMatchObject({ source: { kind: 'oci-layout', name: 'oci-layout' }, image: { manifestDigest: sample.image.manifestDigest }, layer: 3 });
    expect(parsed.right.source).toEqual({ kind: 'oci-archive', name: 'compare-plus-two.tar', size: expect.any(Number) });
    expect(parsed.layers[0]).toEqual({ index: 0, left: { index: 0, digest: sample.facts[0].digest, diffId: sample.facts[0].diffId }, right: { index: 0, digest: plus.facts[0].digest, diffId: plus.facts[0].diffId }, sameDiffId: true });
    expect(parsed.layers[5]).toMatchObject({ index: 5, left: null, sameDiffId: false });
    const group = parsed.files.find((item: FileDifference) => item.path === '/etc/group');
    expect(group).toEqual({ path: '/etc/group', change: 'removed', left: { path: '/etc/group', type: 'file', size: 22, mode: 0o644, uid: 0, gid: 0, linkTarget: null, layer: 0 }, right: null, differences: [] });
    expect(parsed.files.find((item: FileDifference) => item.path === '/opt/app/extra.txt')).toMatchObject({ change: 'added', left: null, right: { type: 'file', layer: 5 } });
  });
});

describe('two builds of one Containerfile with one changed file', () => {
  let a: NodeSide;
  let b: NodeSide;
  beforeAll(async () => {
    [a] = await fixtureSides('compare-build-a.tar');
    [b] = await fixtureSides('compare-build-b.tar');
  });

  it('shares the first and the last layer, and diverges in the middle', async () => {
    const rows = alignLayers(a.facts, b.facts);
    expect(rows.map((row) => row.sameDiffId)).toEqual([true, false, true]);
    expect(rows[1].left?.diffId).toBe((await expectedSummary('compare-build-a.tar')).layers[1].diffId);
    expect(rows[1].right?.diffId).toBe((await expectedSummary('compare-build-b.tar')).layers[1].diffId);
  });

  it('needs the bytes of the diverging layer only, and finds the one file umoci unpack shows changed', async () => {
    const trees = compareTrees(a, b);
    expect(trees.differences).toEqual([]);
    expect(trees.checks.map((check) => check.path)).toEqual(['/srv/app/config.txt', '/srv/app/data.txt', '/srv/app/main.txt']);
    const { hasher, hashed } = countingHasher(a, b);
    const files = await compareFiles(signal, a, b, hasher);
    expect(hashed).toHaveLength(6);
    expect(a.decodes + b.decodes).toBe(2);
    expect(files.differences.map((item) => [item.path, item.change, item.differences])).toEqual([['/srv/app/config.txt', 'changed', ['content']]]);
    expect(asUnpacked(files.differences)).toEqual(toolView(await toolDifferences('builds')));
  });
});

describe("a multi-platform index's two platforms", () => {
  let amd64: NodeSide;
  let arm64: NodeSide;
  beforeAll(async () => {
    const sides = await fixtureSides('compare-multiplatform.tar');
    expect(sides.map((side) => side.image.platform?.architecture)).toEqual(['amd64', 'arm64']);
    [amd64, arm64] = sides;
  });

  it('shares the platform-independent layer', () => {
    expect(alignLayers(amd64.facts, arm64.facts).map((row) => row.sameDiffId)).toEqual([true, false]);
  });

  it('finds the platform and the label that differ', () => {
    const config = compareConfigs(amd64.image.config, arm64.image.config);
    expect(config).toContainEqual({ field: 'platform', key: null, change: 'changed', left: 'linux/amd64', right: 'linux/arm64' });
    expect(config).toContainEqual({ field: 'labels', key: 'org.example.arch', change: 'changed', left: 'amd64', right: 'arm64' });
  });

  it('finds the file differences that umoci unpack of each platform shows', async () => {
    const files = await compareFiles(signal, amd64, arm64, countingHasher(amd64, arm64).hasher);
    expect(asUnpacked(files.differences)).toEqual(toolView(await toolDifferences('multiplatform')));
    expect(files.differences.map((item) => item.path)).toEqual(['/usr/bin/amd64-only', '/usr/bin/tool']);
  });
});

describe('an image against itself', () => {
  it('skips the whole tree: the same node objects on both sides', async () => {
    const [sample] = await folderSides('oci-layout');
    const trees = compareTrees(sample, { ...sample });
    expect(trees).toMatchObject({ differences: [], checks: [], compared: 0 });
    const earlier = compareTrees({ ...sample, layer: 1 }, sample);
    expect(earlier.differences.map((item) => [item.path, item.change])).toContainEqual(['/usr/share/tarsier/remove-me.txt', 'removed']);
  });
});
