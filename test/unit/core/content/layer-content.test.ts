/**
 * File content and explorer rows on real images: content read through the
 * gzip, zstd and uncompressed layer streams is compared with what GNU tar
 * extracts from the same layers; rows are checked against the documented
 * changes of the sample image (test/fixtures/README.md).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LayeredFilesystem } from '../../../../src/core/fs/filesystem';
import {
  blobChunks,
  clampRange,
  locateContent,
  readUncompressedRange,
} from '../../../../src/core/content/layer-content';
import type { Compression } from '../../../../src/core/types';
import { TreeRows } from '../../../../src/core/fs/tree-rows';
import { InspectError } from '../../../../src/core/errors';
import { analyseFixture, fixturesDir } from '../../../helpers/node-source';

interface OpenedImage {
  filesystem: LayeredFilesystem;
  layers: { blob: Blob; compression: Compression; path: string }[];
}

async function openImage(name: string): Promise<OpenedImage> {
  const { source, results } = await analyseFixture(name);
  const filesystem = new LayeredFilesystem();
  const layers = source.images[0].layers.map((layer) => {
    const outcome = results.get(layer.key);
    if (!outcome || !('result' in outcome) || layer.location?.kind !== 'blob') throw new Error(`layer ${layer.index} unreadable`);
    filesystem.applyLayer(outcome.result.entries);
    return { blob: layer.location.blob, compression: outcome.result.compression, path: layer.location.path };
  });
  return { filesystem, layers };
}

async function readFileOf(image: OpenedImage, afterLayer: number, path: string): Promise<Uint8Array> {
  const content = locateContent(image.filesystem.rootAfter(afterLayer), path);
  const layer = image.layers[content.layer];
  const signal = new AbortController().signal;
  return readUncompressedRange(signal, () => blobChunks(layer.blob, 64 * 1024), layer.compression, content.offset, content.offset + content.size);
}

/** What GNU tar extracts for `member` from layer `index`'s blob (decompressed by gzip/zstd first). */
async function gnuTarExtract(image: OpenedImage, index: number, member: string): Promise<Uint8Array> {
  const dir = mkdtempSync(join(fixturesDir, '.layer-content-'));
  try {
    const file = join(dir, 'layer');
    writeFileSync(file, new Uint8Array(await image.layers[index].blob.arrayBuffer()));
    const flag = { gzip: '-z', zstd: '--zstd', none: '' }[image.layers[index].compression];
    const args = ['-xO', ...(flag ? [flag] : []), '-f', file, member];
    return new Uint8Array(execFileSync('tar', args, { maxBuffer: 64 * 1024 * 1024 }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('reading file content from layers', () => {
  it('reads a file from a gzip layer exactly as GNU tar extracts it', async () => {
    const image = await openImage('oci-archive.tar');
    expect(image.layers[0].compression).toBe('gzip');
    const busybox = await readFileOf(image, 3, '/bin/busybox');
    expect(busybox.length).toBeGreaterThan(100_000);
    expect(Buffer.from(busybox).equals(Buffer.from(await gnuTarExtract(image, 0, 'bin/busybox')))).toBe(true);
  });

  it('follows symlinks inside the image to the content', async () => {
    const image = await openImage('oci-archive.tar');
    const viaLink = await readFileOf(image, 3, '/bin/sh');
    const direct = await readFileOf(image, 3, '/bin/busybox');
    expect(viaLink.length).toBe(direct.length);
    expect(Buffer.from(viaLink).equals(Buffer.from(direct))).toBe(true);
  });

  it('reads a hard link’s content (its target’s bytes, as GNU tar extracts them)', async () => {
    const image = await openImage('oci-archive.tar');
    const viaLink = await readFileOf(image, 3, '/usr/share/tarsier/file.hardlink');
    const target = await gnuTarExtract(image, 1, 'usr/share/tarsier/file');
    expect(viaLink.length).toBeGreaterThan(0);
    expect(Buffer.from(viaLink).equals(Buffer.from(target))).toBe(true);
    const viaSymlink = await readFileOf(image, 3, '/usr/share/tarsier/file.symlink');
    expect(Buffer.from(viaSymlink).equals(Buffer.from(target))).toBe(true);
  });

  it('reads the same bytes from zstd and uncompressed layers', async () => {
    const zstd = await openImage('oci-zstd.tar');
    const plain = await openImage('docker-archive.tar');
    expect(zstd.layers[0].compression).toBe('zstd');
    expect(plain.layers[0].compression).toBe('none');
    const passwd = new TextDecoder().decode(await readFileOf(zstd, 3, '/etc/passwd'));
    expect(passwd).toContain('root:x:0:0');
    expect(new TextDecoder().decode(await readFileOf(plain, 3, '/etc/passwd'))).toBe(passwd);
    expect(Buffer.from(await readFileOf(zstd, 3, '/etc/passwd')).equals(Buffer.from(await gnuTarExtract(zstd, 0, 'etc/passwd')))).toBe(true);
  });

  it('reads through a multi-member gzip layer (browsers stop after the first member)', async () => {
    const dir = mkdtempSync(join(fixturesDir, '.layer-content-'));
    try {
      // Two gzip members: `gzip -c a; gzip -c b` concatenated decode to the whole tar (RFC 1952 §2.2).
      const tar = readFileSync(join(fixturesDir, 'layer.tar'));
      const half = 10 * 512;
      writeFileSync(join(dir, 'a'), tar.subarray(0, half));
      writeFileSync(join(dir, 'b'), tar.subarray(half));
      const gz = Buffer.concat([execFileSync('gzip', ['-nc', join(dir, 'a')]), execFileSync('gzip', ['-nc', join(dir, 'b')])]);
      const blob = new Blob([gz]);
      const signal = new AbortController().signal;
      const tail = await readUncompressedRange(signal, () => blobChunks(blob, 4096), 'gzip', tar.length - 2048, tar.length);
      expect(Buffer.from(tail).equals(tar.subarray(tar.length - 2048))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports how far the layer is decoded while a read waits (for the viewer\'s progress bar)', async () => {
    const tar = readFileSync(join(fixturesDir, 'layer.tar'));
    const blob = new Blob([execFileSync('gzip', ['-nc', join(fixturesDir, 'layer.tar')])]);
    const reached: number[] = [];
    const signal = new AbortController().signal;
    const end = tar.length - 1024;
    const bytes = await readUncompressedRange(signal, () => blobChunks(blob, 512), 'gzip', end - 100, end, (position) => reached.push(position));
    expect(Buffer.from(bytes).equals(tar.subarray(end - 100, end))).toBe(true);
    expect(reached.length).toBeGreaterThan(0);
    expect(reached).toEqual([...reached].sort((a, b) => a - b));
    expect(reached.at(-1)).toBeGreaterThanOrEqual(end);
    expect(reached.at(-1)).toBeLessThanOrEqual(tar.length);
  });

  it('rejects directories and missing paths with a message naming the path', async () => {
    const image = await openImage('oci-archive.tar');
    const root = image.filesystem.rootAfter(3);
    expect(() => locateContent(root, '/etc')).toThrow(InspectError);
    expect(() => locateContent(root, '/etc')).toThrow(/\/etc: not a regular file/);
    expect(() => locateContent(root, '/usr/share/tarsier/remove-me.txt')).toThrow(/not-found/);
  });

  it('clamps windows to the file', () => {
    expect(clampRange(10, 4, 100)).toEqual({ start: 4, end: 10 });
    expect(clampRange(10, 20, 5)).toEqual({ start: 10, end: 10 });
    expect(clampRange(10, -3, 2)).toEqual({ start: 0, end: 2 });
  });

  it('stops on abort', async () => {
    const image = await openImage('oci-archive.tar');
    const controller = new AbortController();
    controller.abort();
    const layer = image.layers[0];
    await expect(readUncompressedRange(controller.signal, () => blobChunks(layer.blob), layer.compression, 0, 10)).rejects.toThrow(/abort/i);
  });
});

describe('explorer rows', () => {
  it('lists merged children with directories first, aggregated sizes and the layer that wrote them', async () => {
    const image = await openImage('oci-archive.tar');
    const rows = new TreeRows(image.filesystem);
    const top = rows.children(3, 'merged', '/', 'name');
    const tarsier = rows.children(1, 'merged', '/usr/share/tarsier', 'name');
    const firstFile = tarsier.findIndex((row) => row.type !== 'dir');
    expect(firstFile).toBeGreaterThan(0);
    expect(tarsier.slice(0, firstFile).every((row) => row.type === 'dir')).toBe(true);
    expect(tarsier.slice(firstFile).every((row) => row.type !== 'dir')).toBe(true);
    const usr = top.find((row) => row.name === 'usr');
    expect(usr?.type).toBe('dir');
    expect(usr?.size).toBe(image.filesystem.rootAfter(3).children?.get('usr')?.size);
    const log = rows.children(3, 'merged', '/var/log', 'name');
    expect(log.map((row) => row.name)).toEqual(['app.log']);
    expect(log[0]).toMatchObject({ layer: 3, change: 'added', path: '/var/log/app.log' });
    const bySize = rows.children(3, 'merged', '/bin', 'size');
    expect(bySize[0].name).toBe('busybox');
  });

  it('shows a layer’s changes: a whiteout, a directory replaced by a file, an opaque directory', async () => {
    const image = await openImage('oci-archive.tar');
    const rows = new TreeRows(image.filesystem);
    const removed = rows.stat(2, 'changes', '/usr/share/tarsier/remove-me.txt');
    expect(removed).toMatchObject({ type: 'whiteout', change: 'deleted' });
    const oldDir = rows.stat(2, 'changes', '/usr/share/tarsier/old-dir');
    expect(oldDir).toMatchObject({ type: 'file', change: 'modified', layer: 2 });
    const opaque = rows.children(3, 'changes', '/var', 'name');
    expect(opaque.map((row) => [row.name, row.type, row.change])).toEqual([['log', 'opaque', 'opaque']]);
    expect(rows.children(3, 'changes', '/var/log', 'name').map((row) => row.name)).toEqual(['app.log']);
    expect(rows.stat(3, 'changes', '/etc')).toBeNull();
  });
});
