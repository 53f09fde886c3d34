/**
 * The one dispatcher: looks at what was given (first bytes, member names) and
 * hands it to the reader of that format. It never throws for bad input: the
 * problems land in `SourceModel.errors`, next to whatever could be read.
 * Work that scales with the bytes (inflating a gzipped archive) is delegated
 * to the injected environment, which runs it in workers.
 */
import { InspectError, InspectErrorCode, isAbortError } from '../core/errors';
import { sniffCompression } from '../core/codec/compression';
import type { SourceModel } from '../core/image/model';
import { looksLikeTar } from '../core/tar/walker';
import type { Compression } from '../core/types';
import { listArchive, readBlobRange, tableFromFolder } from './archive/tar-archive';
import type { ScanOptions, ScanOutcome } from './archive/compressed-archive';
import { tableFromScan } from './archive/compressed-archive';
import { archiveKind, type ArchiveKind } from './archive/archive-kind';
import { readDockerArchive } from './archive/docker-archive';
import { maxDocumentBytes, type FileTable } from './file-table';
import { ModelBuilder } from './model-builder';
import { readOciLayout } from './archive/oci-layout';
import { readJsonDocument, readSingleLayer } from './archive/single';

/** What a person gave: a file, a folder, or a registry reference. */
export type SourceInput =
  | { kind: 'file'; file: File }
  | { kind: 'folder'; name: string; files: { path: string; file: File }[] }
  | { kind: 'registry'; reference: string };

/** Services that the dispatcher needs but must not run itself (workers, network). */
export interface SourceEnvironment {
  /** The first bytes of the decompressed stream of a gzip/zstd file. */
  peekDecompressed(signal: AbortSignal, blob: Blob, length: number): Promise<Uint8Array>;
  /** One streaming pass over a compressed tar: its members, small ones kept, large ones inspected. */
  scanCompressedArchive(signal: AbortSignal, blob: Blob, name: string, options?: ScanOptions): Promise<ScanOutcome>;
  /** Reads a registry image. */
  openRegistry(signal: AbortSignal, reference: string): Promise<SourceModel>;
}

/** Reads a source's metadata into a SourceModel. Cancellation rejects with AbortError. */
export async function openSource(
  signal: AbortSignal,
  input: SourceInput,
  environment: SourceEnvironment,
): Promise<SourceModel> {
  if (input.kind === 'registry') return environment.openRegistry(signal, input.reference);
  if (input.kind === 'folder') {
    const builder = new ModelBuilder('oci-layout', input.name, null);
    const table = tableFromFolder(input.files);
    await readTable(builder, table, archiveKind(table) === 'docker-archive' ? 'docker-archive' : 'oci-layout');
    return builder.build();
  }
  const { file } = input;
  const builder = new ModelBuilder('layer', file.name, file.size);
  try {
    await readFile(signal, builder, file, environment);
  } catch (error) {
    if (isAbortError(error)) throw error;
    builder.fail(error, file.name);
  }
  return builder.build();
}

async function readFile(
  signal: AbortSignal,
  builder: ModelBuilder,
  file: File,
  environment: SourceEnvironment,
): Promise<void> {
  if (file.size === 0) {
    throw new InspectError(InspectErrorCode.EmptyFile, `${file.name} is empty (0 bytes)`, file.name);
  }
  const head = await readBlobRange(file, 0, 1024);
  const compression = sniffCompression(head);
  if (compression !== 'none') {
    await readCompressed(signal, builder, file, compression, environment);
    return;
  }
  if (looksLikeTar(head.subarray(0, 512))) {
    const listing = await listArchive(file, file.name);
    const kind = archiveKind(listing.table);
    if (kind === null) {
      builder.notes.push(noMetadataNote(file.name));
      readSingleLayer(builder, { kind: 'blob', blob: file, path: file.name }, file.size, 'none');
      return;
    }
    if (listing.error) builder.errors.push(listing.error);
    await readTable(builder, listing.table, kind);
    return;
  }
  const firstCharacter = new TextDecoder().decode(head).trimStart()[0];
  if (firstCharacter === '{' || firstCharacter === '[') {
    builder.kind = 'json';
    if (file.size > maxDocumentBytes) {
      throw new InspectError(
        InspectErrorCode.TooLarge,
        `${file.name} is ${file.size} bytes: JSON documents over ${maxDocumentBytes} bytes are not read (manifests, indexes and configs are kilobytes)`,
        file.name,
      );
    }
    await readJsonDocument(builder, new Uint8Array(await file.arrayBuffer()));
    return;
  }
  throw new InspectError(
    InspectErrorCode.UnknownFormat,
    `${file.name} is not a tar archive, a gzip or zstd stream, or a JSON document`,
    file.name,
  );
}

function noMetadataNote(name: string): string {
  return `${name} has no image metadata (manifest.json, repositories, oci-layout or blobs/ among its members): opened as a single layer.`;
}

/**
 * A compressed file is one stream, so all of its member names are known only
 * after one pass over it; that pass keeps what an image archive needs. A plain
 * layer turns out to have no marker and goes to the layer pipeline instead.
 */
async function readCompressed(
  signal: AbortSignal,
  builder: ModelBuilder,
  file: File,
  compression: Compression,
  environment: SourceEnvironment,
): Promise<void> {
  const location = { kind: 'blob', blob: file, path: file.name } as const;
  // Not a tar inside (or too broken to tell): the layer pipeline says what is wrong.
  if (!looksLikeTar(await environment.peekDecompressed(signal, file, 512))) {
    readSingleLayer(builder, location, file.size, compression);
    return;
  }
  let scan = await environment.scanCompressedArchive(signal, file, file.name);
  let table = tableFromScan(scan);
  const kind = archiveKind(table);
  if (kind === null) {
    builder.notes.push(noMetadataNote(file.name));
    readSingleLayer(builder, location, file.size, compression);
    return;
  }
  if (scan.members.some((member) => member.skipped)) {
    scan = await environment.scanCompressedArchive(signal, file, file.name, { inspectEveryMember: true });
    table = tableFromScan(scan);
  }
  builder.notes.push(`${file.name} is a ${compression}-compressed archive: it was read in one streaming pass.`);
  if (scan.error) builder.errors.push(scan.error);
  await readTable(builder, table, kind);
}

async function readTable(builder: ModelBuilder, table: FileTable, kind: ArchiveKind | 'oci-layout'): Promise<void> {
  if (kind === 'docker-archive') {
    builder.kind = 'docker-archive';
    await readDockerArchive(builder, table);
    return;
  }
  // readOciLayout names a missing oci-layout or index.json itself.
  builder.kind = kind;
  await readOciLayout(builder, table);
}
