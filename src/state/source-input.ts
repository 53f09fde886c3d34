/**
 * What a load starts from and what it falls back to: the name an input is
 * shown by, the source model of an input that could not be read at all, and
 * the layers that need a job (each distinct layer once).
 */
import type { InspectErrorInfo } from '../core/errors';
import type { LayerModel, SourceKind, SourceModel } from '../core/image/model';
import type { SourceInput } from '../sources/index';

/** A short name for an input: the file or folder name, or the reference. */
export function inputName(input: SourceInput): string {
  if (input.kind === 'file') return input.file.name;
  if (input.kind === 'folder') return input.name;
  return input.reference;
}

/** The kind a source that could not be read is reported as, told from its name alone. */
function fallbackKind(input: SourceInput): SourceKind {
  if (input.kind === 'registry') return 'registry';
  if (input.kind === 'folder') return 'oci-layout';
  return /\.json$/i.test(input.file.name) ? 'json' : 'docker-archive';
}

/** A source model that holds only the reason the source could not be read. */
export function failedSource(input: SourceInput, error: InspectErrorInfo): SourceModel {
  return {
    kind: fallbackKind(input),
    name: inputName(input),
    size: input.kind === 'file' ? input.file.size : null,
    images: [],
    indexes: [],
    documents: [],
    errors: [error],
    notes: [],
  };
}

/** One layer per distinct bytes (`LayerModel.key`), biggest first. */
export function uniqueLayers(source: SourceModel): LayerModel[] {
  const byKey = new Map<string, LayerModel>();
  for (const image of source.images) {
    for (const layer of image.layers) if (!byKey.has(layer.key)) byKey.set(layer.key, layer);
  }
  // Biggest first: the longest job starts at once, small ones fill the gaps.
  return [...byKey.values()].sort((a, b) => (b.size ?? 0) - (a.size ?? 0));
}
