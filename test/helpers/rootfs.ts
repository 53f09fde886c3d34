/**
 * A Rootfs (src/core/analysis/rootfs.ts) built from a real image file in
 * Node: the real source dispatcher and blob pipeline list every layer's
 * members, the real LayeredFilesystem merges them, and reads come from each
 * layer's uncompressed tar, decompressed once into a temporary file (as the
 * app keeps decompressed layers in the browser's storage). Reads are counted,
 * so tests can check that an analysis reads only what it needs.
 */
import { createWriteStream, openAsBlob } from 'node:fs';
import { mkdir, open, readFile, rename, stat, type FileHandle } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { Rootfs } from '../../src/core/analysis/rootfs';
import { sqlJsReader, type RpmSqliteReader } from '../../src/core/analysis/packages/rpm-sqlite';
import { LayeredFilesystem } from '../../src/core/fs/filesystem';
import type { ImageModel, SourceModel } from '../../src/core/image/model';
import type { TarEntry } from '../../src/core/types';
import { analyse } from './node-source';

const require = createRequire(import.meta.url);

/** sql.js with its WebAssembly binary read from node_modules. */
export const nodeSqlite: RpmSqliteReader = sqlJsReader(async () => readFile(require.resolve('sql.js/dist/sql-wasm.wasm')));

/** What the reads of an analysis cost. */
export interface ReadCounter {
  calls: number;
  bytes: number;
}

export interface OpenedImage {
  source: SourceModel;
  image: ImageModel;
  rootfs: Rootfs;
  /** One filesystem per image, so other layers' trees are at hand. */
  filesystem: LayeredFilesystem;
  reads: ReadCounter;
  /** Total uncompressed bytes of the image's layers. */
  uncompressedBytes: number;
  close(): Promise<void>;
}

const cacheDir = join(tmpdir(), 'tarsier-test-layers');

/** Decompresses a layer blob into a temporary file named by its digest (once per machine). */
async function uncompressedFile(blob: Blob, digest: string): Promise<string> {
  await mkdir(cacheDir, { recursive: true });
  const path = join(cacheDir, digest.replace(/[^a-z0-9]/gi, '_'));
  if (await stat(path).then(() => true, () => false)) return path;
  const head = new Uint8Array(await blob.slice(0, 2).arrayBuffer());
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  const input = Readable.fromWeb(blob.stream() as import('node:stream/web').ReadableStream<Uint8Array>);
  const part = `${path}.${process.pid}.part`;
  if (gzip) await pipeline(input, createGunzip(), createWriteStream(part));
  else await pipeline(input, createWriteStream(part));
  await rename(part, path);
  return path;
}

/** The pipeline's results per file, once per test file (hashing a 128 MB layer takes seconds). */
const analysed = new Map<string, ReturnType<typeof analyse>>();

async function analyseFile(path: string): ReturnType<typeof analyse> {
  // A gzipped archive is read in one streaming pass that keeps no layer copies in Node: gunzip it first.
  const whole = await openAsBlob(path);
  const plain = path.endsWith('.gz') ? await uncompressedFile(whole, `archive-${basename(path)}-${whole.size}`) : path;
  const file = new File([await openAsBlob(plain)], basename(path).replace(/\.gz$/, ''));
  return analyse({ kind: 'file', file });
}

/** Opens image `imageIndex` of a real image file and merges its layers up to `layer` (default: the last). */
export async function openImage(path: string, imageIndex = 0, layer?: number): Promise<OpenedImage> {
  if (!analysed.has(path)) analysed.set(path, analyseFile(path));
  const { source, results } = await (analysed.get(path) as ReturnType<typeof analyse>);
  const image = source.images[imageIndex];
  if (image === undefined) throw new Error(`${path} has no image ${imageIndex}`);
  const filesystem = new LayeredFilesystem();
  const layers: TarEntry[][] = [];
  const handles: FileHandle[] = [];
  let uncompressedBytes = 0;
  for (const model of image.layers) {
    const outcome = results.get(model.key);
    if (outcome === undefined || !('result' in outcome) || model.location?.kind !== 'blob') {
      throw new Error(`${path}: layer ${model.index} was not read`);
    }
    layers.push(outcome.result.entries);
    filesystem.applyLayer(outcome.result.entries);
    const file = await uncompressedFile(model.location.blob, outcome.result.digest);
    handles.push(await open(file, 'r'));
    uncompressedBytes += outcome.result.uncompressedSize ?? 0;
  }
  const top = layer ?? layers.length - 1;
  const reads: ReadCounter = { calls: 0, bytes: 0 };
  const rootfs: Rootfs = {
    root: filesystem.rootAfter(top),
    layer: top,
    layers,
    read: async (index, offset, length) => {
      const handle = handles[index];
      if (handle === undefined) throw new Error(`no layer ${index}`);
      const buffer = new Uint8Array(Math.max(0, length));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      reads.calls += 1;
      reads.bytes += bytesRead;
      return buffer.subarray(0, bytesRead);
    },
  };
  return {
    source,
    image,
    rootfs,
    filesystem,
    reads,
    uncompressedBytes,
    close: async () => {
      await Promise.all(handles.map((handle) => handle.close()));
    },
  };
}

/** The same rootfs at another layer of an opened image. */
export function atLayer(opened: OpenedImage, layer: number): Rootfs {
  return { ...opened.rootfs, root: opened.filesystem.rootAfter(layer), layer };
}

export const insideDir = new URL('../fixtures/generated/inside/', import.meta.url).pathname;
export const realDir = new URL('../fixtures/real/', import.meta.url).pathname;

/** A reference file that make-fixtures.sh wrote with the real tools. */
export async function expected(name: string): Promise<string> {
  return readFile(join(insideDir, 'expected', name), 'utf8');
}

/** Tab-separated rows of a reference file. */
export async function expectedRows(name: string): Promise<string[][]> {
  return (await expected(name)).split('\n').filter((line) => line !== '').map((line) => line.split('\t'));
}

