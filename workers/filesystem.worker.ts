/**
 * Filesystem worker: one per opened image. Holds the merged filesystem of
 * every layer (src/core/fs/filesystem.ts) so that building it for 300k members,
 * listing directories, searching and reading file content never block the
 * page. Thin: the rules live in src/core; this file only routes calls.
 */
import { expose } from 'comlink';
import { describeAttributes } from '../src/core/content/capabilities';
import { parseElf } from '../src/core/content/elf';
import { InspectError, InspectErrorCode, toErrorInfo } from '../src/core/errors';
import { entriesOf } from '../src/core/tar/entry-codec';
import { detectFileKind, SNIFF_LENGTH } from '../src/core/content/file-kind';
import { fileList } from '../src/core/fs/file-list';
import { resolvePath } from '../src/core/fs/file-node';
import { LayeredFilesystem } from '../src/core/fs/filesystem';
import { clampRange, locateContent } from '../src/core/content/layer-content';
import { searchEntries } from '../src/core/fs/search';
import { nodeRow, TreeRows } from '../src/core/fs/tree-rows';
import { wastedSpace, type WastedSpace } from '../src/core/fs/wasted-space';
import type { FileInfo, FilesystemWorkerApi, LayerSource, LoadOptions, RefreshLayerHeaders } from './filesystem-api';
import { LayerReader } from './storage/layer-reader';
import { runSave } from './save-jobs';

interface Loaded {
  filesystem: LayeredFilesystem;
  rows: TreeRows;
  reader: LayerReader;
  /** Computed on first request: it walks every member of every layer. */
  wasted: WastedSpace | null;
}

let loaded: Loaded | null = null;
const running = new Map<number, AbortController>();

function current(): Loaded {
  if (loaded === null) throw new InspectError(InspectErrorCode.Internal, 'no image is loaded in the filesystem worker');
  return loaded;
}

/** Runs a cancellable call; errors cross comlink as plain InspectErrorInfo objects (AbortError stays a DOMException). */
async function cancellable<T>(requestId: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  running.set(requestId, controller);
  try {
    return await run(controller.signal);
  } catch (error) {
    if (controller.signal.aborted) throw new DOMException('The operation was aborted.', 'AbortError');
    throw toErrorInfo(error);
  } finally {
    running.delete(requestId);
  }
}

function plain<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw toErrorInfo(error);
  }
}

/** Bytes returned by one readFile call at most: the viewer pages through big files. */
const MAX_READ = 64 * 1024 * 1024;

async function readContent(signal: AbortSignal, layer: number, path: string, offset: number, length: number): Promise<Uint8Array> {
  const { filesystem, reader } = current();
  const content = locateContent(filesystem.rootAfter(layer), path);
  const { start, end } = clampRange(content.size, offset, Math.min(length, MAX_READ));
  if (end === start) return new Uint8Array(0);
  return reader.read(signal, content.layer, content.offset + start, content.offset + end);
}

const filesystemWorkerApi: FilesystemWorkerApi = {
  async load(packed: LayerSource[], options: LoadOptions = {}, refreshHeaders?: RefreshLayerHeaders) {
    await loaded?.reader.close();
    const layers = packed.map(({ encodedEntries, ...layer }) => ({ ...layer, entries: entriesOf({ entries: layer.entries, encodedEntries }) }));
    const filesystem = new LayeredFilesystem();
    for (const layer of layers) filesystem.applyLayer(layer.entries);
    loaded = { filesystem, rows: new TreeRows(filesystem), reader: new LayerReader(layers, options.keep, refreshHeaders ?? null), wasted: null };
  },

  async children(layer, view, directory, sort) {
    return plain(() => current().rows.children(layer, view, directory, sort));
  },

  async stat(layer, view, path) {
    return plain(() => current().rows.stat(layer, view, path));
  },

  async resolve(layer, path) {
    return plain(() => {
      const { filesystem } = current();
      const found = resolvePath(filesystem.rootAfter(layer), path);
      if (!found.ok) return { error: `${path}: ${found.reason} at ${found.path}` };
      return { path: found.node.path, row: nodeRow(filesystem, layer, found.node) };
    });
  },

  async search(query, layer) {
    return plain(() => {
      const result = searchEntries(current().filesystem, query, layer);
      const hits = result.hits.map(({ path, layer: hitLayer, type, size, survives }) => ({ path, layer: hitLayer, type, size, survives }));
      return { hits, capped: result.capped };
    });
  },

  async wastedSpace() {
    return plain(() => {
      const state = current();
      state.wasted ??= wastedSpace(state.filesystem);
      return state.wasted;
    });
  },

  async fileList(view, layer) {
    return plain(() => fileList(current().filesystem, view, layer));
  },

  readFile(requestId, layer, path, offset, length) {
    return cancellable(requestId, (signal) => readContent(signal, layer, path, offset, length));
  },

  fileInfo(requestId, layer, path) {
    return cancellable(requestId, async (signal): Promise<FileInfo> => {
      const content = locateContent(current().filesystem.rootAfter(layer), path);
      const head = await readContent(signal, layer, path, 0, SNIFF_LENGTH);
      const kind = detectFileKind(head, content.node.name);
      const elf = kind === 'elf' ? await parseElf((at, length) => readContent(signal, layer, path, at, length)).catch(() => null) : null;
      return { size: content.size, kind, elf, attributes: describeAttributes(content.node.extras?.xattrs) };
    });
  },

  async readProgress() {
    return loaded?.reader.progress() ?? [];
  },

  save(requestId, request, target) {
    return cancellable(requestId, (signal) => {
      const { filesystem, reader } = current();
      return runSave(signal, filesystem, reader, request, target);
    });
  },

  cancel(requestId) {
    running.get(requestId)?.abort();
  },

  async dispose() {
    for (const controller of running.values()) controller.abort();
    await loaded?.reader.close();
    loaded = null;
  },
};

expose(filesystemWorkerApi);
