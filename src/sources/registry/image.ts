/**
 * One image of a registry source: its manifest (already fetched), its config
 * (fetched and digest-checked here) and its layers as URLs for the worker
 * pipeline. Schema1 manifests are laid out from `fsLayers` with a note.
 */
import { toErrorInfo, InspectErrorCode, type InspectErrorInfo } from '../../core/errors';
import { parseJson } from '../../core/json';
import { classifyDocument, parseConfig, parseManifest, parsePlatform } from '../../core/image/manifest';
import { isImageConfigMediaType, isLayerMediaType, MediaTypes } from '../../core/image/media-type';
import type { ImageModel, LayerModel } from '../../core/image/model';
import type { Descriptor, Platform } from '../../core/types';
import { emptyImage, type ModelBuilder } from '../model-builder';
import type { Reference } from './reference';
import { fetchSmallBlob, isWellFormedDigest, type FetchedManifest } from './api';
import type { RegistryClient } from './client';

const schema1Note =
  'Docker schema1 manifest: deprecated since 2017 and refused by current tools; shown as is, without a config.';

/** What reading one registry source shares. */
export interface RegistryContext {
  signal: AbortSignal;
  client: RegistryClient;
  reference: Reference;
  builder: ModelBuilder;
  refs: string[];
}

/** JSON.parse that returns null instead of throwing (classification only). */
export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** The error of a document whose bytes do not hash to the digest that names it. */
export function digestMismatch(
  fetched: { path: string; computedDigest: string },
  expected: string,
  what: string,
): InspectErrorInfo {
  return {
    code: InspectErrorCode.DigestMismatch,
    message: `${fetched.path}: the ${what}'s sha256 is ${fetched.computedDigest}, not ${expected}`,
    path: fetched.path,
  };
}

/** Builds the image of a fetched manifest; problems become image errors. */
export async function buildImage(
  context: RegistryContext,
  fetched: FetchedManifest,
  platform: Platform | null,
): Promise<ImageModel> {
  const { builder, client, reference, signal } = context;
  const image: ImageModel = {
    ...emptyImage(fetched.digest),
    refs: [...context.refs],
    manifestDigest: fetched.digest,
    manifestMediaType: fetched.mediaType,
    manifestVerified: fetched.verified,
    manifestPath: fetched.path,
    platform,
    errors:
      fetched.verified === 'mismatch' ? [digestMismatch(fetched, fetched.digest, 'manifest')] : [],
  };
  builder.addDocument({
    path: fetched.path,
    digest: fetched.digest,
    mediaType: fetched.mediaType,
    role: 'manifest',
    text: fetched.text,
  });
  const value = safeJson(fetched.text);
  if (classifyDocument(value) === 'schema1') {
    readSchema1(context, image, value);
    return image;
  }
  let manifest;
  try {
    manifest = parseManifest(parseJson(fetched.text, fetched.path), fetched.path);
  } catch (error) {
    image.errors.push(toErrorInfo(error, fetched.path));
    return image;
  }
  image.configDigest = manifest.config.digest;
  image.configPath = `/v2/${reference.repository}/blobs/${manifest.config.digest}`;
  let diffIds: string[] = [];
  try {
    const blob = await fetchSmallBlob(signal, client, reference, manifest.config);
    image.configVerified = blob.verified;
    builder.addDocument({
      path: blob.path,
      digest: manifest.config.digest,
      mediaType: manifest.config.mediaType,
      role: 'config',
      text: blob.text,
    });
    if (blob.verified === 'mismatch')
      image.errors.push(digestMismatch(blob, manifest.config.digest, 'config'));
    if (isImageConfigMediaType(manifest.config.mediaType)) {
      image.config = parseConfig(parseJson(blob.text, blob.path), blob.path);
      diffIds = image.config.rootfs.diff_ids;
      image.platform = parsePlatform(image.config) ?? platform;
    } else {
      image.artifactType = manifest.artifactType ?? manifest.config.mediaType;
      image.notes.push(`Artifact of type ${image.artifactType}: not a runnable image.`);
    }
  } catch (error) {
    if (signal.aborted) throw error;
    image.errors.push(toErrorInfo(error, image.configPath));
  }
  image.layers = manifest.layers.map((descriptor, index) =>
    layerModel(context, descriptor, index, diffIds[index] ?? null),
  );
  if (manifest.layers.some((layer) => !isLayerMediaType(layer.mediaType))) {
    image.notes.push(
      'Some layers have media types that are not filesystem layers (artifact blobs).',
    );
  }
  return image;
}

/** A layer whose bytes the worker GETs from the registry (or the proxy), with the auth known now. */
function layerModel(
  context: RegistryContext,
  descriptor: Descriptor,
  index: number,
  expectedDiffId: string | null,
): LayerModel {
  const { client, reference } = context;
  const path = `/v2/${reference.repository}/blobs/${descriptor.digest}`;
  if (!isWellFormedDigest(descriptor.digest)) {
    return {
      index,
      mediaType: descriptor.mediaType,
      digest: null,
      size: descriptor.size,
      expectedDiffId,
      location: null,
      key: `invalid-digest-${index}`,
      error: `The manifest names layer ${index} by "${descriptor.digest.slice(0, 80)}", which is not a digest; not fetched.`,
    };
  }
  // Foreign layers (Windows base layers) live at their own URLs, outside the registry.
  const foreignUrl =
    descriptor.mediaType === MediaTypes.DockerForeignLayer
      ? descriptor.urls?.find((url) => url.startsWith('https://'))
      : undefined;
  return {
    index,
    mediaType: descriptor.mediaType,
    digest: descriptor.digest,
    size: descriptor.size,
    expectedDiffId,
    location: foreignUrl
      ? { kind: 'url', url: foreignUrl, headers: {}, path: foreignUrl }
      : {
          kind: 'url',
          url: client.urlFor(reference.apiHost, path),
          headers: client.authHeaders(reference.apiHost, reference.repository),
          path,
        },
    key: descriptor.digest,
    error: null,
  };
}

/**
 * Schema1 (https://distribution.github.io/distribution/spec/deprecated-schema-v1/):
 * `fsLayers` lists blobs newest first and there is no config, so there are
 * no DiffIDs to check against.
 */
function readSchema1(context: RegistryContext, image: ImageModel, value: unknown): void {
  image.notes.push(schema1Note);
  const record = (typeof value === 'object' && value !== null ? value : {}) as {
    fsLayers?: unknown;
    architecture?: unknown;
  };
  if (typeof record.architecture === 'string')
    image.platform = { os: 'linux', architecture: record.architecture };
  const fsLayers = Array.isArray(record.fsLayers) ? record.fsLayers : [];
  const digests = fsLayers
    .map((layer) =>
      typeof layer === 'object' && layer !== null ? (layer as { blobSum?: unknown }).blobSum : null,
    )
    .filter((digest): digest is string => typeof digest === 'string')
    .reverse();
  image.layers = digests.map((digest, index) => ({
    ...layerModel(
      context,
      { mediaType: MediaTypes.DockerLayerGzip, digest, size: -1 },
      index,
      null,
    ),
    size: null,
  }));
}
