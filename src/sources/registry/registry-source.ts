/**
 * Registry source: reads an image's manifest (or index), every image manifest
 * of an index and their configs from a registry, and lays out the layers as
 * URLs the worker pipeline fetches itself. Follows go-containerregistry's
 * `remote` package: resolve the reference, then Image or ImageIndex.
 *
 * Re-exports the reference grammar and the client so callers import one module.
 */
import { InspectErrorCode } from '../../core/errors';
import { parseJson } from '../../core/json';
import { classifyDocument, parseIndex } from '../../core/image/manifest';
import { platformMatches } from '../../core/image/platform';
import { isIndexMediaType, isManifestMediaType, MediaTypes } from '../../core/image/media-type';
import type { ImageModel, IndexEntryModel, SourceModel } from '../../core/image/model';
import type { Descriptor, Platform } from '../../core/types';
import { ModelBuilder } from '../model-builder';
import { formatReference, manifestIdentifier, pinReference, type Reference } from './reference';
import { fetchManifest, type FetchedManifest } from './api';
import type { RegistryClient } from './client';
import { buildImage, digestMismatch, safeJson, type RegistryContext } from './image';

export * from './reference';
export {
  RegistryClient,
  RegistryHttpError,
  type FetchLike,
  type RegistryClientOptions,
  type RegistryMode,
} from './client';
export type { RegistryCredentials } from './auth';
export { fetchManifest, fetchSmallBlob, manifestAccept } from './api';
export { listReferrers, listTags } from './listing';

/** Options of sourceFromRegistry. */
export interface RegistrySourceOptions {
  /** `os/architecture[/variant]` wanted first; always fetched even past `maxImages`. */
  platform?: string;
  /** Upper bound on image manifests fetched from one index (default 64). */
  maxImages?: number;
  signal?: AbortSignal;
}

/** Small documents of an index are fetched this many at a time. */
const indexConcurrency = 4;
/** Indexes inside indexes are followed this deep (a loop of indexes ends there). */
const maxIndexDepth = 4;

/**
 * Reads `reference` from its registry into a SourceModel. Registry and
 * network failures of the top document throw InspectError; failures of
 * single index entries or configs are recorded and the rest stays visible.
 */
export async function sourceFromRegistry(
  client: RegistryClient,
  reference: Reference,
  options: RegistrySourceOptions = {},
): Promise<SourceModel> {
  const signal = options.signal ?? new AbortController().signal;
  const builder = new ModelBuilder('registry', formatReference(reference), null);
  const top = await fetchManifest(signal, client, reference, manifestIdentifier(reference));
  const typed = formatReference(reference);
  const pinned = formatReference(pinReference(reference, top.digest));
  const context: RegistryContext = {
    signal,
    client,
    reference,
    builder,
    refs: typed === pinned ? [typed] : [typed, pinned],
  };
  const kind = classifyDocument(safeJson(top.text));
  if (kind === 'index') {
    await readIndex(context, top, options);
  } else if (kind === 'manifest' || kind === 'schema1') {
    await readImage(context, top, null);
  } else {
    builder.addDocument({
      path: top.path,
      digest: top.digest,
      mediaType: top.mediaType,
      role: 'other',
      text: top.text,
    });
    builder.fail({
      code: InspectErrorCode.Unsupported,
      message: `${top.path}: ${typed} is neither an image manifest nor an index (media type ${top.mediaType ?? 'unknown'}).`,
      path: top.path,
    });
  }
  return builder.build();
}

async function readIndex(
  context: RegistryContext,
  top: FetchedManifest,
  options: RegistrySourceOptions,
  depth = 0,
): Promise<void> {
  const { builder } = context;
  // The same index twice (one listed in two places, or a loop): read once.
  if (builder.indexes.some((index) => index.digest === top.digest)) return;
  const mediaType = top.mediaType ?? MediaTypes.OciIndex;
  builder.addDocument({
    path: top.path,
    digest: top.digest,
    mediaType,
    role: 'index',
    text: top.text,
  });
  if (top.verified === 'mismatch') builder.errors.push(digestMismatch(top, top.digest, 'index'));
  let descriptors: Descriptor[];
  try {
    descriptors = parseIndex(parseJson(top.text, top.path), top.path).manifests;
  } catch (error) {
    builder.fail(error, top.path);
    return;
  }
  const entries: IndexEntryModel[] = descriptors.map((descriptor) => ({
    descriptor,
    platform: descriptor.platform ?? null,
    kind: entryKind(descriptor),
    present: false,
    imageId: null,
    refName: descriptor.annotations?.['org.opencontainers.image.ref.name'] ?? null,
  }));
  builder.indexes.push({ digest: top.digest, mediaType, path: top.path, manifests: entries });

  const wanted = options.platform ?? null;
  const images = entries.filter((entry) => entry.kind === 'image');
  const ordered = [...images].sort(
    (a, b) => Number(matches(b.platform, wanted)) - Number(matches(a.platform, wanted)),
  );
  const chosen = new Set(ordered.slice(0, options.maxImages ?? 64));
  if (chosen.size < images.length) {
    builder.notes.push(
      `This index lists ${images.length} images; the first ${chosen.size} were read.`,
    );
  }
  if (wanted && !images.some((entry) => matches(entry.platform, wanted))) {
    builder.notes.push(`The index has no ${wanted} image.`);
  }
  const queue = images.filter((entry) => chosen.has(entry));
  const results = new Map<IndexEntryModel, ImageModel>();
  const runners = Array.from({ length: Math.min(indexConcurrency, queue.length) }, async () => {
    for (let entry = queue.shift(); entry; entry = queue.shift()) {
      const image = await readIndexEntry(context, entry);
      if (image) results.set(entry, image);
    }
  });
  await Promise.all(runners);
  // Keep images in index order, whatever order the fetches finished in.
  for (const entry of images) {
    const image = results.get(entry);
    if (!image) continue;
    entry.present = true;
    entry.imageId = image.id;
    builder.images.push(image);
  }
  for (const entry of entries.filter((candidate) => candidate.kind === 'index')) {
    if (depth + 1 >= maxIndexDepth) {
      builder.notes.push(`Indexes nested deeper than ${maxIndexDepth} levels were not read (${entry.descriptor.digest}).`);
      continue;
    }
    const nested = await readNestedIndex(context, entry);
    if (nested === null) continue;
    entry.present = true;
    await readIndex(context, nested, options, depth + 1);
  }
}

/** Fetches an index listed in an index, or records why it could not be. */
async function readNestedIndex(context: RegistryContext, entry: IndexEntryModel): Promise<FetchedManifest | null> {
  try {
    return await fetchManifest(context.signal, context.client, context.reference, entry.descriptor.digest);
  } catch (error) {
    if (context.signal.aborted) throw error;
    context.builder.fail(error, `/v2/${context.reference.repository}/manifests/${entry.descriptor.digest}`);
    return null;
  }
}

async function readIndexEntry(
  context: RegistryContext,
  entry: IndexEntryModel,
): Promise<ImageModel | null> {
  const { descriptor } = entry;
  try {
    const fetched = await fetchManifest(
      context.signal,
      context.client,
      context.reference,
      descriptor.digest,
    );
    if (fetched.bytes.length !== descriptor.size) {
      context.builder.fail({
        code: InspectErrorCode.DigestMismatch,
        message: `${fetched.path}: ${fetched.bytes.length} bytes, the index says ${descriptor.size}`,
        path: fetched.path,
      });
    }
    return await buildImage(context, fetched, entry.platform);
  } catch (error) {
    if (context.signal.aborted) throw error;
    const path = `/v2/${context.reference.repository}/manifests/${descriptor.digest}`;
    context.builder.fail(error, path);
    return null;
  }
}

function entryKind(descriptor: Descriptor): IndexEntryModel['kind'] {
  if (isIndexMediaType(descriptor.mediaType)) return 'index';
  // BuildKit attaches provenance/SBOM as manifests with platform unknown/unknown.
  const isAttestation =
    descriptor.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest';
  if (descriptor.artifactType || isAttestation) return 'artifact';
  return isManifestMediaType(descriptor.mediaType) ? 'image' : 'unknown';
}

function matches(platform: Platform | null, wanted: string | null): boolean {
  return wanted !== null && platformMatches(platform, wanted);
}

async function readImage(
  context: RegistryContext,
  fetched: FetchedManifest,
  platform: Platform | null,
): Promise<void> {
  context.builder.images.push(await buildImage(context, fetched, platform));
}
