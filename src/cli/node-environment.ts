/**
 * What the source dispatcher (src/sources/index.ts) needs, for Node: the
 * inputs named on the command line as Files, and the services the page runs
 * in workers. A compressed outer archive is scanned here, in one streaming
 * pass, as the page's archive worker scans it; each large member's stored
 * bytes are spooled to the run's directory and, when compressed, its
 * decompressed stream kept there too (the page keeps both in OPFS).
 */
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { BlobInspector } from '../core/blob-inspector';
import { looksLikeBomb } from '../core/codec/gzip';
import { InspectError, InspectErrorCode } from '../core/errors';
import { peekDecompressedStream, scanCompressedStream, TarStreamScanner, type MemberSink } from '../sources/archive/compressed-archive';
import type { SourceEnvironment, SourceInput } from '../sources/index';
import { DiskFile } from './disk-file';
import type { LayerStore } from './layer-store';

/** A file of the command line as a File, named by its base name as a dropped file is. */
async function diskFile(path: string): Promise<DiskFile> {
  const { size } = await stat(path);
  return new DiskFile(resolve(path), basename(path), 0, size);
}

async function folderFiles(root: string): Promise<{ path: string; file: File }[]> {
  const files: { path: string; file: File }[] = [];
  const walk = async (directory: string): Promise<void> => {
    const entries = await readdir(directory, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) files.push({ path: relative(root, path).split('\\').join('/'), file: (await diskFile(path)).asFile() });
    }
  };
  await walk(root);
  return files;
}

/**
 * The source for the command line's paths, as the page takes a drop: one
 * file as itself, a folder as an OCI layout folder, and several files as one
 * folder of those files (an OCI layout's files picked together).
 */
export async function inputFromPaths(paths: readonly string[]): Promise<SourceInput> {
  if (paths.length === 1) {
    const info = await stat(paths[0]);
    if (info.isDirectory()) return { kind: 'folder', name: basename(resolve(paths[0])), files: await folderFiles(paths[0]) };
    return { kind: 'file', file: (await diskFile(paths[0])).asFile() };
  }
  const files = await Promise.all(paths.map(async (path) => ({ path: basename(path), file: (await diskFile(path)).asFile() })));
  return { kind: 'folder', name: `${paths.length} files`, files };
}

/** A member sink that spools the stored bytes and keeps the decompressed stream of a compressed member. */
function spoolingSink(store: LayerStore, name: string): MemberSink {
  const spoolPath = store.newFile('blob');
  const keptPath = store.newFile('tar');
  const spool = openSync(spoolPath, 'w');
  let kept: number | null = openSync(keptPath, 'w');
  let bomb = false;
  let size = 0;
  const inspector = new BlobInspector({
    keepEntries: true,
    onUncompressed: (chunk, position, storedBytesRead) => {
      if (kept === null) return;
      if (looksLikeBomb(storedBytesRead, position + chunk.length)) {
        closeSync(kept);
        kept = null;
        bomb = true;
        return;
      }
      writeSync(kept, chunk, 0, chunk.length, position);
    },
  });
  let compressed = false;
  return {
    async write(chunk) {
      writeSync(spool, chunk, 0, chunk.length, size);
      size += chunk.length;
      await inspector.write(chunk);
    },
    async close() {
      const result = await inspector.close();
      closeSync(spool);
      if (kept !== null) closeSync(kept);
      kept = null;
      compressed = result.compression !== 'none' && result.error === null && !bomb;
      if (!compressed) unlinkSync(keptPath);
      return result;
    },
    async spooled() {
      const file = new DiskFile(spoolPath, name, 0, size);
      if (compressed) store.keep(file, keptPath);
      return file.asFile();
    },
  };
}

/** The dispatcher's services for `tarsier report`. */
export function nodeEnvironment(store: LayerStore): SourceEnvironment {
  return {
    peekDecompressed: async (_signal, blob, length) => peekDecompressedStream(blob.stream(), length),
    scanCompressedArchive: async (_signal, blob, name, options) => {
      const scanner = new TarStreamScanner(async (path) => spoolingSink(store, basename(path)), options);
      const outcome = await scanCompressedStream(blob.stream(), scanner);
      if (outcome.error && outcome.error.path === null) {
        outcome.error = { ...outcome.error, message: `${name}: ${outcome.error.message}`, path: name };
      }
      return outcome;
    },
    openRegistry: async (_signal, reference) => {
      throw new InspectError(InspectErrorCode.Unsupported, `${reference}: tarsier report reads files; save the image first (skopeo copy docker://${reference} oci-archive:image.tar)`, reference);
    },
  };
}
