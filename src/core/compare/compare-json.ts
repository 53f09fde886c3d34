/**
 * compare.json (schema "tarsier.compare/v1"), what **Download comparison**
 * saves: the two images, their layers aligned by DiffID, and the paths whose
 * files differ between the merged filesystems at each side's compared layer
 * (files.json entries on each side). Config, history and package
 * differences follow, for people who diff images in CI. Field names are a
 * contract, like report.json's; more fields may be added.
 */

import type { InspectErrorInfo } from '../errors';
import type { ImageModel, SourceKind } from '../image/model';
import type { Digest, History } from '../types';
import type { ConfigDifference } from './config';
import type { FileDifference } from './files';
import type { HistoryField, HistoryRow } from './history';
import type { LayerFacts, LayerRow } from './layers';
import type { PackageDifference } from './packages';

/** One side as the comparison was made. */
export interface CompareSideInput {
  /** report.json's `source`. */
  source: { kind: SourceKind; name: string; size: number | null };
  image: ImageModel;
  /** Layer whose merged filesystem was compared. */
  layer: number;
}

/** A side in compare.json: report.json's source, the image's identity, and the compared layer. */
export interface CompareJsonSide {
  source: { kind: SourceKind; name: string; size: number | null };
  image: {
    refs: string[];
    manifestDigest: Digest | null;
    configDigest: Digest | null;
    platform: { os: string; architecture: string; variant: string | null } | null;
  };
  layer: number;
}

/** A layer in a compare.json row. */
export interface CompareJsonLayer {
  /** Its index in its image. */
  index: number;
  digest: Digest | null;
  diffId: Digest | null;
}

/** A history entry in a compare.json row. */
export type CompareJsonHistoryEntry = History & { index: number; layer: number | null };

/** compare.json. */
export interface CompareJson {
  schema: 'tarsier.compare/v1';
  tool: { name: 'tarsier'; version: string };
  left: CompareJsonSide;
  right: CompareJsonSide;
  layers: { index: number; left: CompareJsonLayer | null; right: CompareJsonLayer | null; sameDiffId: boolean }[];
  files: FileDifference[];
  config: ConfigDifference[];
  history: { left: CompareJsonHistoryEntry | null; right: CompareJsonHistoryEntry | null; differences: HistoryField[] }[];
  /** Null when a side's packages were not read. */
  packages: PackageDifference[] | null;
  /** Files whose content could not be compared, and other problems of the comparison. */
  errors: InspectErrorInfo[];
}

/** Everything compare.json is made of. */
export interface CompareJsonInput {
  left: CompareSideInput;
  right: CompareSideInput;
  layers: readonly LayerRow[];
  files: readonly FileDifference[];
  config: readonly ConfigDifference[];
  history: readonly HistoryRow[];
  packages: readonly PackageDifference[] | null;
  errors: readonly InspectErrorInfo[];
  toolVersion: string;
}

function side(input: CompareSideInput): CompareJsonSide {
  const { image } = input;
  const platform = image.platform
    ? { os: image.platform.os, architecture: image.platform.architecture, variant: image.platform.variant ?? null }
    : null;
  return {
    source: { kind: input.source.kind, name: input.source.name, size: input.source.size },
    image: { refs: [...image.refs], manifestDigest: image.manifestDigest, configDigest: image.configDigest, platform },
    layer: input.layer,
  };
}

function layer(facts: LayerFacts | null): CompareJsonLayer | null {
  return facts === null ? null : { index: facts.index, digest: facts.digest, diffId: facts.diffId };
}

/** Builds compare.json's object. */
export function buildCompareJson(input: CompareJsonInput): CompareJson {
  return {
    schema: 'tarsier.compare/v1',
    tool: { name: 'tarsier', version: input.toolVersion },
    left: side(input.left),
    right: side(input.right),
    layers: input.layers.map((row) => ({ index: row.index, left: layer(row.left), right: layer(row.right), sameDiffId: row.sameDiffId })),
    files: [...input.files],
    config: [...input.config],
    history: input.history.map((row) => ({
      left: row.left === null ? null : { ...row.left.entry, index: row.left.index, layer: row.left.layerIndex },
      right: row.right === null ? null : { ...row.right.entry, index: row.right.index, layer: row.right.layerIndex },
      differences: row.differences,
    })),
    packages: input.packages === null ? null : [...input.packages],
    errors: [...input.errors],
  };
}
