/**
 * Streamed saves: a file, a directory or the root filesystem as a tar, a
 * layer as stored or uncompressed. Bytes go, in bounded pieces, either into
 * a WritableStream of a file the user picked (transferred from the page) or
 * into a file of the Origin Private File System that the page then offers as
 * a download. Nothing is assembled in memory.
 */
import { InspectError, InspectErrorCode } from '../src/core/errors';
import type { LayeredFilesystem } from '../src/core/fs/filesystem';
import { locateContent } from '../src/core/content/layer-content';
import { END_OF_ARCHIVE, paddingFor, tarHeader } from '../src/core/tar/writer';
import { exportMembers } from '../src/core/fs/tree-export';
import type { SaveRequest } from './filesystem-api';
import type { LayerReader } from './storage/layer-reader';
import { directoryEntries, openSyncHandle, SequentialWriter } from './storage/opfs';

/** Content is copied in pieces of this size (bounded memory for any file size). */
const PIECE_SIZE = 4 * 1024 * 1024;
const DOWNLOADS = 'tarsier-downloads';
/** Download files older than this are deleted before a new save (their download has long finished). */
const DOWNLOAD_MAX_AGE_MS = 60 * 60 * 1000;

interface Sink {
  write(bytes: Uint8Array): Promise<void>;
  /** Finishes the file; resolves with it when it is an OPFS download. */
  close(): Promise<File | null>;
  abort(): Promise<void>;
}

function streamSink(stream: WritableStream<Uint8Array>): Sink {
  const writer = stream.getWriter();
  return {
    write: (bytes) => writer.write(bytes),
    close: async () => {
      await writer.close();
      return null;
    },
    abort: () => writer.abort().catch(() => {}),
  };
}

async function downloadSink(): Promise<Sink> {
  const root = await navigator.storage.getDirectory();
  const directory = await root.getDirectoryHandle(DOWNLOADS, { create: true });
  await removeOldDownloads(directory);
  const name = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const file = await directory.getFileHandle(name, { create: true });
  const handle = await openSyncHandle(file);
  const fileWriter = new SequentialWriter(handle);
  return {
    write: async (bytes) => fileWriter.write(bytes),
    close: async () => {
      fileWriter.finish();
      handle.close();
      return file.getFile();
    },
    abort: async () => {
      handle.close();
      await directory.removeEntry(name).catch(() => {});
    },
  };
}

async function removeOldDownloads(directory: FileSystemDirectoryHandle): Promise<void> {
  for await (const [name, handle] of directoryEntries(directory)) {
    if (handle.kind !== 'file') continue;
    const file = await (handle as FileSystemFileHandle).getFile().catch(() => null);
    if (file !== null && Date.now() - file.lastModified > DOWNLOAD_MAX_AGE_MS) {
      await directory.removeEntry(name).catch(() => {});
    }
  }
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new DOMException('The operation was aborted.', 'AbortError');
}

/** Copies `[start, start + size)` of a layer's uncompressed tar into the sink. */
async function copyRange(signal: AbortSignal, reader: LayerReader, sink: Sink, layer: number, start: number, size: number): Promise<void> {
  for (let done = 0; done < size; done += PIECE_SIZE) {
    throwIfAborted(signal);
    const end = Math.min(size, done + PIECE_SIZE);
    await sink.write(await reader.read(signal, layer, start + done, start + end));
  }
}

async function writeTree(signal: AbortSignal, filesystem: LayeredFilesystem, reader: LayerReader, sink: Sink, layer: number, directory: string): Promise<void> {
  let members = 0;
  for (const member of exportMembers(filesystem.rootAfter(layer), directory)) {
    throwIfAborted(signal);
    await sink.write(tarHeader(member.fields));
    if (member.content !== null) {
      await copyRange(signal, reader, sink, member.content.layer, member.content.offset, member.fields.size);
      await sink.write(paddingFor(member.fields.size));
    }
    members += 1;
  }
  if (members === 0 && directory !== '/') {
    throw new InspectError(InspectErrorCode.Unsupported, `${directory}: not a directory after layer ${layer}`, directory);
  }
  await sink.write(END_OF_ARCHIVE);
}

async function writeStored(signal: AbortSignal, reader: LayerReader, sink: Sink, layer: number): Promise<void> {
  for await (const chunk of reader.stored(layer)()) {
    throwIfAborted(signal);
    await sink.write(chunk);
  }
}

async function writeUncompressed(signal: AbortSignal, reader: LayerReader, sink: Sink, layer: number): Promise<void> {
  const size = await reader.uncompressedSize(signal, layer);
  await copyRange(signal, reader, sink, layer, 0, size);
}

async function writeRequest(signal: AbortSignal, filesystem: LayeredFilesystem, reader: LayerReader, sink: Sink, request: SaveRequest): Promise<void> {
  if (request.kind === 'file') {
    const content = locateContent(filesystem.rootAfter(request.layer), request.path);
    await copyRange(signal, reader, sink, content.layer, content.offset, content.size);
  } else if (request.kind === 'directory') {
    await writeTree(signal, filesystem, reader, sink, request.layer, request.path);
  } else if (request.kind === 'rootfs') {
    await writeTree(signal, filesystem, reader, sink, request.layer, '/');
  } else if (request.form === 'stored') {
    await writeStored(signal, reader, sink, request.layer);
  } else {
    await writeUncompressed(signal, reader, sink, request.layer);
  }
}

/** Runs one save; resolves with the OPFS File to download when `target` is null. */
export async function runSave(
  signal: AbortSignal,
  filesystem: LayeredFilesystem,
  reader: LayerReader,
  request: SaveRequest,
  target: WritableStream<Uint8Array> | null,
): Promise<File | null> {
  const sink = target === null ? await downloadSink() : streamSink(target);
  try {
    await writeRequest(signal, filesystem, reader, sink, request);
    return await sink.close();
  } catch (error) {
    await sink.abort();
    throw error;
  }
}
