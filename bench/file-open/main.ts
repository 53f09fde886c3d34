/**
 * The page side of bench/file-open.mjs: the app's own pipeline (source
 * dispatcher, layer worker pool with entries kept, filesystem worker) without
 * its UI, so the benchmark times exactly what the viewer calls: fileInfo,
 * then readFile of the first 256 KiB.
 */
import { FilesystemClient, type KeepMode, type LayerSource } from '../../src/bridge/filesystem-client';
import { LayerPool } from '../../src/bridge/layer-pool';
import { offerFile } from '../../src/lib/save-stream';
import { BlobInspector } from '../../src/core/blob-inspector';
import { entriesOf } from '../../src/core/tar/entry-codec';
import { openSource, type SourceEnvironment } from '../../src/sources/index';
import { peekDecompressedStream, scanCompressedStream, TarStreamScanner } from '../../src/sources/archive/compressed-archive';

const environment: SourceEnvironment = {
  peekDecompressed: async (_signal, blob, length) => peekDecompressedStream(blob.stream(), length),
  scanCompressedArchive: async (_signal, blob, _name, options) =>
    scanCompressedStream(blob.stream(), new TarStreamScanner(async () => new BlobInspector({ keepEntries: true }), options)),
  openRegistry: async () => {
    throw new Error('no registry in the benchmark');
  },
};

const VIEWER_WINDOW = 256 * 1024;
const signal = new AbortController().signal;
let client: FilesystemClient | null = null;
let sources: LayerSource[] = [];

interface Candidate {
  layer: number;
  path: string;
  size: number;
  offset: number;
}

/** The deepest small file and the largest file of every layer. */
function candidates(): Candidate[] {
  const out: Candidate[] = [];
  sources.forEach((source, layer) => {
    const files = source.entries.filter((entry) => entry.type === 'file' && entry.whiteout === null);
    const small = files.filter((entry) => entry.size > 0 && entry.size < 64 * 1024);
    const deepest = small.reduce((best, entry) => (best === null || entry.offset > best.offset ? entry : best), small[0] ?? null);
    const largest = files.reduce((best, entry) => (best === null || entry.size > best.size ? entry : best), files[0] ?? null);
    for (const entry of [deepest, largest]) {
      if (entry) out.push({ layer, path: `/${entry.path}`, size: entry.size, offset: entry.offset });
    }
    // More deep files, for medians of warm opens.
    const byOffset = [...small].sort((a, b) => b.offset - a.offset).slice(1, 6);
    for (const entry of byOffset) out.push({ layer, path: `/${entry.path}`, size: entry.size, offset: entry.offset });
  });
  return out;
}

/** The app's first pass; `keep`: the layer workers store the decompressed layers as the app does. */
async function scan(file: File, cache: KeepMode, keep: boolean) {
  const started = performance.now();
  const source = await openSource(signal, { kind: 'file', file }, environment);
  const pool = new LayerPool();
  const image = source.images[0];
  const sourceDiffIds = image.layers.flatMap((layer) => (layer.expectedDiffId === null ? [] : [layer.expectedDiffId]));
  const results = await Promise.all(image.layers.map((layer) => {
    if (layer.location === null) throw new Error(`layer ${layer.index} is missing`);
    const request = keep ? { expectedDiffId: layer.expectedDiffId, sourceDiffIds } : null;
    return pool.inspect(signal, layer.location, () => {}, layer.size ?? 0, request);
  }));
  pool.terminate();
  const scanMs = performance.now() - started;
  sources = results.map((result, index) => ({
    // Entries cross from the workers packed (src/core/tar/entry-codec.ts).
    entries: entriesOf(result),
    location: image.layers[index].location,
    compression: result.compression,
    diffId: result.diffId,
  }));
  client?.dispose();
  client = new FilesystemClient();
  const loadStarted = performance.now();
  await client.load(signal, sources, cache);
  return {
    scanMs,
    loadMs: performance.now() - loadStarted,
    layers: results.map((result, index) => ({ compression: result.compression, uncompressedSize: result.uncompressedSize, entries: sources[index].entries.length })),
    candidates: candidates(),
  };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reloads the same layers into a fresh worker; `clear` empties the OPFS cache first. */
async function reload(cache: KeepMode, clear: boolean) {
  client?.dispose();
  client = null;
  // dispose() closes the cache's file handles in the worker before terminating it.
  await pause(500);
  if (clear) await clearCache();
  client = new FilesystemClient();
  await client.load(signal, sources, cache);
}

async function openFile(layer: number, path: string) {
  if (client === null) throw new Error('scan first');
  const started = performance.now();
  const info = await client.fileInfo(signal, layer, path);
  const bytes = await client.readFile(signal, layer, path, 0, VIEWER_WINDOW);
  return { ms: performance.now() - started, kind: info.kind, size: info.size, read: bytes.length };
}

async function clearCache(): Promise<void> {
  const root = await navigator.storage.getDirectory();
  await root.removeEntry('tarsier-layers', { recursive: true }).catch(() => {});
}

async function usage() {
  return navigator.storage.estimate();
}

type SaveKind = 'file' | 'directory' | 'rootfs' | 'layer-stored' | 'layer-uncompressed';

/**
 * Runs one save. `picker`: through a stand-in for showSaveFilePicker whose
 * stream collects the bytes (then offered as a download so that the test can
 * read them); otherwise through the OPFS download path.
 */
async function save(kind: SaveKind, layer: number, path: string, picker: boolean) {
  if (client === null) throw new Error('scan first');
  const parts: Uint8Array[] = [];
  const target = window as unknown as { showSaveFilePicker?: unknown };
  target.showSaveFilePicker = picker
    ? async () => ({ createWritable: async () => new WritableStream<Uint8Array>({ write: (chunk) => void parts.push(chunk.slice()) }) })
    : undefined;
  const started = performance.now();
  const outcome = kind === 'file' ? await client.saveFile(signal, layer, path)
    : kind === 'directory' ? await client.saveDirectoryTar(signal, layer, path)
    : kind === 'rootfs' ? await client.saveRootfsTar(signal, layer)
    : await client.saveLayer(signal, layer, kind === 'layer-stored' ? 'stored' : 'uncompressed');
  const ms = performance.now() - started;
  if (picker) {
    // The transferred stream closes asynchronously after the worker's close().
    await pause(200);
    offerFile(new File(parts as BlobPart[], 'picked'), 'picked');
  }
  return { outcome, ms };
}

Object.assign(window, { fileOpenBench: { scan, reload, openFile, clearCache, usage, save } });
