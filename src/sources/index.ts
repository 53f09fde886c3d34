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
import type { ScanOutcome } from './archive/compressed-archive';
import { tableFromScan } from './archive/compressed-archive';
import { isDockerArchive, readDockerArchive } from './archive/docker-archive';
import type { FileTable } from './file-table';
import { ModelBuilder } from './model-builder';
import { isOciLayout, readOciLayout } from './archive/oci-layout';
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
  scanCompressedArchive(signal: AbortSignal, blob: Blob, name: string): Promise<ScanOutcome>;
  /** Reads a registry image. */
  openRegistry(signal: AbortSignal, reference: string): Promise<SourceModel>;
}

/** Names that only appear at the top of image archives (docker-archive and OCI layouts). */
const imageMemberPattern =
  /^(?:\.\/)?(?:manifest\.json|index\.json|oci-layout|repositories|blobs(?:\/.*)?|[0-9a-f]{64}(?:\.json|\.tar|\/.*)?)\/?$/;

/** True when a tar member name is one that image archives have (and layers do not). */
export function isImageArchiveMemberName(name: string): boolean {
  return name === './' || imageMemberPattern.test(name);
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
    await readTable(builder, tableFromFolder(input.files));
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
    if (!isImageArchiveMemberName(listing.names[0] ?? '')) {
      builder.notes.push(`${file.name} has no image metadata (manifest.json, index.json): opened as a single layer.`);
      readSingleLayer(builder, { kind: 'blob', blob: file, path: file.name }, file.size, 'none');
      return;
    }
    if (listing.error) builder.errors.push(listing.error);
    await readTable(builder, listing.table);
    return;
  }
  const firstCharacter = new TextDecoder().decode(head).trimStart()[0];
  if (firstCharacter === '{' || firstCharacter === '[') {
    builder.kind = 'json';
    await readJsonDocument(builder, new Uint8Array(await file.arrayBuffer()));
    return;
  }
  throw new InspectError(
    InspectErrorCode.UnknownFormat,
    `${file.name} is not a tar archive, a gzip or zstd stream, or a JSON document`,
    file.name,
  );
}

async function readCompressed(
  signal: AbortSignal,
  builder: ModelBuilder,
  file: File,
  compression: Compression,
  environment: SourceEnvironment,
): Promise<void> {
  const head = await environment.peekDecompressed(signal, file, 512);
  const firstName = looksLikeTar(head) ? tarName(head) : '';
  if (!isImageArchiveMemberName(firstName)) {
    readSingleLayer(builder, { kind: 'blob', blob: file, path: file.name }, file.size, compression);
    return;
  }
  const scan = await environment.scanCompressedArchive(signal, file, file.name);
  builder.notes.push(`${file.name} is a ${compression}-compressed archive: it was read in one streaming pass.`);
  if (scan.error) builder.errors.push(scan.error);
  await readTable(builder, tableFromScan(scan));
}

function tarName(header: Uint8Array): string {
  const end = header.subarray(0, 100).indexOf(0);
  return new TextDecoder().decode(header.subarray(0, end === -1 ? 100 : end));
}

async function readTable(builder: ModelBuilder, table: FileTable): Promise<void> {
  if (isDockerArchive(table)) {
    builder.kind = 'docker-archive';
    await readDockerArchive(builder, table);
  } else {
    if (builder.kind !== 'oci-layout') builder.kind = 'oci-archive';
    if (!isOciLayout(table)) {
      builder.fail(
        new InspectError(
          InspectErrorCode.MissingMetadata,
          `${builder.name} has neither manifest.json (docker-archive) nor index.json (OCI layout)`,
          builder.name,
        ),
      );
    }
    await readOciLayout(builder, table);
  }
}
