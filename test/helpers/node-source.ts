/**
 * Runs the real source dispatcher and blob pipeline in Node, the way the app
 * runs them in workers: the same src/ code, an in-process environment.
 */
import { openAsBlob } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { BlobInspector } from '../../src/core/blob-inspector';
import type { LayerOutcome } from '../../src/core/image/report';
import { buildReport, type Report } from '../../src/core/image/report';
import type { BlobLocation, SourceModel } from '../../src/core/image/model';
import type { BlobResult } from '../../src/core/types';
import {
  peekDecompressedStream,
  scanCompressedStream,
  TarStreamScanner,
} from '../../src/sources/archive/compressed-archive';
import { openSource, type SourceEnvironment, type SourceInput } from '../../src/sources/index';

export const fixturesDir = new URL('../fixtures/generated/', import.meta.url).pathname;

/** A real, file-backed File for a fixture (Blob.slice reads from disk, as in the browser). */
export async function fixtureFile(name: string): Promise<File> {
  const path = join(fixturesDir, name);
  const blob = await openAsBlob(path);
  return new File([blob], basename(path));
}

/** A dropped folder: every file under `name`, with paths relative to its parent. */
export async function fixtureFolder(name: string): Promise<SourceInput> {
  const root = join(fixturesDir, name);
  const files: { path: string; file: File }[] = [];
  const walk = async (directory: string): Promise<void> => {
    for (const entry of await readdir(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        files.push({ path: relative(fixturesDir, path), file: new File([await openAsBlob(path)], entry.name) });
      }
    }
  };
  await walk(root);
  return { kind: 'folder', name, files };
}

export const nodeEnvironment: SourceEnvironment = {
  peekDecompressed: async (_signal, blob, length) => peekDecompressedStream(blob.stream(), length),
  scanCompressedArchive: async (_signal, blob, _name, options) =>
    scanCompressedStream(blob.stream(), new TarStreamScanner(async () => new BlobInspector({ keepEntries: true }), options)),
  openRegistry: async () => {
    throw new Error('no registry in this test');
  },
};

/** Inspects one blob location in-process, in chunks of `chunkSize` bytes. */
export async function inspectLocation(location: BlobLocation, chunkSize = 4 * 1024 * 1024): Promise<BlobResult> {
  if (location.kind === 'scanned') return location.result;
  if (location.kind !== 'blob') throw new Error(`cannot read ${location.kind} locations here`);
  const inspector = new BlobInspector({ keepEntries: true });
  for (let offset = 0; offset < location.blob.size; offset += chunkSize) {
    await inspector.write(new Uint8Array(await location.blob.slice(offset, offset + chunkSize).arrayBuffer()));
  }
  return inspector.close();
}

/** Opens a source and runs every layer through the pipeline, like the app does. */
export async function analyse(input: SourceInput, chunkSize?: number): Promise<{ source: SourceModel; report: Report; results: Map<string, LayerOutcome> }> {
  const source = await openSource(new AbortController().signal, input, nodeEnvironment);
  const results = new Map<string, LayerOutcome>();
  for (const layer of source.images.flatMap((image) => image.layers)) {
    if (!layer.location || results.has(layer.key)) continue;
    try {
      results.set(layer.key, { result: await inspectLocation(layer.location, chunkSize) });
    } catch (error) {
      results.set(layer.key, { error: { code: 'internal', message: String(error), path: layer.location.path } });
    }
  }
  const report = buildReport({ source, results, timings: { firstViewMs: null, analysisMs: null }, toolVersion: 'test' });
  return { source, report, results };
}

/** Opens a fixture file and analyses it. */
export async function analyseFixture(name: string, chunkSize?: number) {
  return analyse({ kind: 'file', file: await fixtureFile(name) }, chunkSize);
}

/** The summary that make-fixtures.sh computed with sha256sum, gzip, zstd and tar. */
export interface ExpectedImage {
  manifestDigest: string | null;
  configDigest: string;
  layers: { digest: string; size: number; diffId: string; entries: number; compression: string }[];
}

export async function expectedSummary(name: string): Promise<ExpectedImage> {
  return JSON.parse(await readFile(join(fixturesDir, 'expected', `${name}.json`), 'utf8')) as ExpectedImage;
}

export async function fixtureExists(name: string): Promise<boolean> {
  return stat(join(fixturesDir, name)).then(
    () => true,
    () => false,
  );
}
