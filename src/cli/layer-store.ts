/**
 * Where `tarsier report` reads layer bytes after the first pass, as the page
 * reads its kept layers: an uncompressed layer straight from the input file,
 * a compressed one from the decompressed copy the first pass wrote to a
 * temporary directory (removed when the command ends). A layer whose copy
 * could not be kept (a decompression bomb) is decoded again from its start
 * for each read, as the page does without its cache.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReadLayerBytes } from '../core/analysis/rootfs';
import { blobChunks, readUncompressedRange } from '../core/content/layer-content';
import { InspectError, InspectErrorCode } from '../core/errors';
import type { ImageModel, LayerModel } from '../core/image/model';
import type { LayerOutcome } from '../core/image/report';
import { DiskFile, readRange } from './disk-file';

/** An uncompressed layer stream on disk: `[start, …)` of the file at `path`. */
interface Span {
  path: string;
  start: number;
}

/** The temporary directory of one command run, and where each layer's uncompressed bytes are. */
export class LayerStore {
  readonly directory: string;
  /** Decompressed copies by stored blob ({@link storedKey}). */
  readonly #kept = new Map<string, string>();
  #next = 0;

  private constructor(directory: string) {
    this.directory = directory;
  }

  /** Makes the run's temporary directory. */
  static async create(): Promise<LayerStore> {
    return new LayerStore(await mkdtemp(join(tmpdir(), 'tarsier-')));
  }

  /** A new file name in the directory. */
  newFile(suffix: string): string {
    this.#next += 1;
    return join(this.directory, `${this.#next}.${suffix}`);
  }

  /** Records that the decompressed stream of the stored blob `stored` was kept at `keptPath`. */
  keep(stored: DiskFile, keptPath: string): void {
    this.#kept.set(storedKey(stored), keptPath);
  }

  /** Where the uncompressed bytes of `layer` are, or null when they must be decoded per read. */
  #span(layer: LayerModel, outcome: LayerOutcome | undefined): Span | null {
    const location = layer.location;
    const blob = location?.kind === 'blob' || location?.kind === 'scanned' ? location.blob : undefined;
    if (!(blob instanceof DiskFile) || outcome === undefined || !('result' in outcome)) return null;
    if (outcome.result.compression === 'none') return { path: blob.path, start: blob.start };
    const kept = this.#kept.get(storedKey(blob));
    return kept === undefined ? null : { path: kept, start: 0 };
  }

  /** Reads layer bytes of `image` (Rootfs.read), from the spans known after the first pass. */
  reader(image: ImageModel, results: ReadonlyMap<string, LayerOutcome>): ReadLayerBytes {
    const signal = new AbortController().signal;
    return async (index, offset, length) => {
      const layer = image.layers[index];
      const outcome = layer === undefined ? undefined : results.get(layer.key);
      if (layer === undefined || outcome === undefined || !('result' in outcome)) {
        throw new InspectError(InspectErrorCode.MissingBlob, `layer ${index} was not read`);
      }
      const span = this.#span(layer, outcome);
      if (span !== null) return readRange(span.path, span.start + offset, span.start + offset + length);
      const location = layer.location;
      const blob = location?.kind === 'blob' || location?.kind === 'scanned' ? location.blob : undefined;
      if (blob === undefined) throw new InspectError(InspectErrorCode.MissingBlob, `the bytes of layer ${index} cannot be read again`);
      const end = Math.min(offset + length, outcome.result.uncompressedSize ?? offset + length);
      return readUncompressedRange(signal, () => blobChunks(blob), outcome.result.compression, offset, Math.max(offset, end));
    };
  }

  /** Deletes the directory and everything in it. */
  async remove(): Promise<void> {
    await rm(this.directory, { recursive: true, force: true });
  }
}

/** The key of a stored blob: its file and where it starts there. */
function storedKey(file: DiskFile): string {
  return `${file.path}:${file.start}`;
}
