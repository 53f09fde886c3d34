/**
 * report.json (schema "tarsier.report/v1"), the machine-readable result whose
 * field names docs/contracts.md fixes: automated checks and CI diffs read it.
 */
import { toErrorInfo, type InspectErrorInfo } from '../errors';
import { formatPlatform } from './platform';
import type { ImageModel, LayerModel, SourceKind, SourceModel } from './model';
import type { BlobResult, Compression, Digest, VerifyState } from '../types';

/** How the pipeline ended for one layer key. */
export type LayerOutcome = { result: BlobResult } | { error: InspectErrorInfo };

export interface ReportLayer {
  mediaType: string;
  digest: Digest | null;
  size: number | null;
  compression: Compression | null;
  diffId: Digest | null;
  uncompressedSize: number | null;
  entries: number | null;
  whiteouts: number | null;
  verified: { digest: VerifyState; diffId: VerifyState };
  error: string | null;
}

export interface ReportImage {
  refs: string[];
  manifestDigest: Digest | null;
  manifestMediaType: string | null;
  platform: { os: string; architecture: string; variant: string | null } | null;
  configDigest: Digest | null;
  configVerified: VerifyState;
  history: number;
  layers: ReportLayer[];
  /** Extra: manifest digest check, artifact type, notes and problems of this image. */
  manifestVerified: VerifyState;
  artifactType: string | null;
  notes: string[];
  errors: InspectErrorInfo[];
}

export interface Report {
  schema: 'tarsier.report/v1';
  tool: { name: 'tarsier'; version: string };
  source: { kind: SourceKind; name: string; size: number | null };
  images: ReportImage[];
  indexes: { digest: Digest | null; mediaType: string | null; manifests: { digest: Digest; platform: string | null; present: boolean; kind: string }[] }[];
  errors: InspectErrorInfo[];
  notes: string[];
  timings: { firstViewMs: number | null; analysisMs: number | null };
}

export interface ReportInput {
  source: SourceModel;
  results: ReadonlyMap<string, LayerOutcome>;
  timings: { firstViewMs: number | null; analysisMs: number | null };
  toolVersion: string;
}

/** Builds report.json's object from the source model and the pipeline outcomes. */
export function buildReport(input: ReportInput): Report {
  const { source } = input;
  return {
    schema: 'tarsier.report/v1',
    tool: { name: 'tarsier', version: input.toolVersion },
    source: { kind: source.kind, name: source.name, size: source.size },
    images: source.images.map((image) => reportImage(image, input.results)),
    indexes: source.indexes.map((index) => ({
      digest: index.digest,
      mediaType: index.mediaType,
      manifests: index.manifests.map((entry) => ({
        digest: entry.descriptor.digest,
        platform: entry.platform ? formatPlatform(entry.platform) : null,
        present: entry.present,
        kind: entry.kind,
      })),
    })),
    errors: source.errors,
    notes: source.notes,
    timings: input.timings,
  };
}

function reportImage(image: ImageModel, results: ReadonlyMap<string, LayerOutcome>): ReportImage {
  const platform = image.platform
    ? { os: image.platform.os, architecture: image.platform.architecture, variant: image.platform.variant ?? null }
    : null;
  return {
    refs: image.refs,
    manifestDigest: image.manifestDigest,
    manifestMediaType: image.manifestMediaType,
    platform,
    configDigest: image.configDigest,
    configVerified: image.configVerified,
    history: image.config?.history?.length ?? 0,
    layers: image.layers.map((layer) => reportLayer(layer, results.get(layer.key))),
    manifestVerified: image.manifestVerified,
    artifactType: image.artifactType,
    notes: image.notes,
    errors: image.errors,
  };
}

/** Compares a computed digest with an expected one. */
export function compareDigest(expected: Digest | null, computed: Digest | null): VerifyState {
  if (!expected || !computed || !expected.startsWith('sha256:')) return 'unchecked';
  return expected === computed ? 'ok' : 'mismatch';
}

function reportLayer(layer: LayerModel, outcome: LayerOutcome | undefined): ReportLayer {
  const result = outcome && 'result' in outcome ? outcome.result : null;
  let error = layer.error;
  if (!error && !layer.location) error = 'The blob is not in this source';
  if (!error && outcome && 'error' in outcome) error = toErrorInfo(outcome.error).message;
  if (!error && result?.error) error = result.error.message;
  if (!error && !outcome) error = 'Not analysed (cancelled)';
  const digestState = compareDigest(layer.digest, result?.digest ?? null);
  const diffIdState = result?.error ? 'unchecked' : compareDigest(layer.expectedDiffId, result?.diffId ?? null);
  if (!error && digestState === 'mismatch') {
    error = `Digest mismatch: the stored bytes hash to ${result?.digest}, the descriptor says ${layer.digest}`;
  }
  if (!error && diffIdState === 'mismatch') {
    error = `DiffID mismatch: the uncompressed tar hashes to ${result?.diffId}, the config says ${layer.expectedDiffId}`;
  }
  return {
    mediaType: layer.mediaType,
    digest: layer.digest ?? result?.digest ?? null,
    size: result?.size ?? layer.size,
    compression: result?.compression ?? null,
    diffId: result?.diffId ?? null,
    uncompressedSize: result?.uncompressedSize ?? null,
    entries: result ? result.entryCount : null,
    whiteouts: result ? result.whiteoutCount : null,
    verified: { digest: digestState, diffId: diffIdState },
    error,
  };
}
