/**
 * Sources that are one thing: a single layer (`.tar`, `.tar.gz`, `.tar.zst`)
 * or a single JSON document (manifest, index, config, docker manifest.json).
 */
import { isObject, optionalString, parseJson } from '../../core/json';
import { classifyDocument, documentMediaType, parseConfig, parseIndex, parseManifest, parsePlatform } from '../../core/image/manifest';
import { MediaTypes } from '../../core/image/media-type';
import type { BlobLocation, ImageModel } from '../../core/image/model';
import type { Compression } from '../../core/types';
import { emptyImage, ModelBuilder } from '../model-builder';
import { sha256Digest } from '../../core/codec/digest';

const layerMediaTypes: Record<Compression, string> = {
  gzip: MediaTypes.OciLayerGzip,
  zstd: MediaTypes.OciLayerZstd,
  none: MediaTypes.OciLayer,
};

/** One layer, shown as an image of one layer with nothing to verify against. */
export function readSingleLayer(builder: ModelBuilder, location: BlobLocation, size: number, compression: Compression): void {
  const image = emptyImage(location.path);
  image.layers.push({
    index: 0,
    mediaType: layerMediaTypes[compression],
    digest: null,
    size,
    expectedDiffId: null,
    location,
    key: location.path,
    error: null,
  });
  image.notes.push('A single layer: its digest and DiffID are computed; there is no manifest or config to check them against.');
  builder.images.push(image);
}

/** A lone JSON document: identified, shown, and what it describes listed. */
export async function readJsonDocument(builder: ModelBuilder, bytes: Uint8Array): Promise<void> {
  const path = builder.name;
  const text = new TextDecoder().decode(bytes);
  const digest = await sha256Digest(bytes);
  let value: unknown;
  try {
    value = parseJson(text, path);
  } catch (error) {
    builder.addDocument({ path, digest, mediaType: null, role: 'other', text });
    builder.fail(error, path);
    return;
  }
  const kind = classifyDocument(value);
  const declared = isObject(value) ? optionalString(value, 'mediaType') : undefined;
  const mediaType = documentMediaType(kind, declared);
  try {
    if (kind === 'index') {
      builder.addDocument({ path, digest, mediaType, role: 'index', text });
      const index = parseIndex(value, path);
      builder.indexes.push({
        digest,
        mediaType,
        path,
        manifests: index.manifests.map((descriptor) => ({
          descriptor,
          platform: descriptor.platform ?? null,
          kind: 'image',
          present: false,
          imageId: null,
          refName: descriptor.annotations?.['org.opencontainers.image.ref.name'] ?? null,
        })),
      });
      builder.notes.push('An image index on its own: the manifests it lists are not part of this file.');
    } else if (kind === 'manifest' || kind === 'schema1') {
      builder.addDocument({ path, digest, mediaType, role: 'manifest', text });
      builder.images.push(manifestImage(value, path, digest, mediaType, kind === 'schema1'));
    } else if (kind === 'config') {
      builder.addDocument({ path, digest, mediaType: MediaTypes.OciConfig, role: 'config', text });
      const image = emptyImage(digest);
      image.config = parseConfig(value, path);
      image.configDigest = digest;
      image.configPath = path;
      image.platform = parsePlatform(image.config) ?? null;
      image.notes.push('An image config on its own: its layers are not part of this file.');
      builder.images.push(image);
    } else {
      builder.addDocument({ path, digest, mediaType: null, role: kind === 'docker-manifest' ? 'docker-manifest' : 'other', text });
      builder.notes.push(
        kind === 'docker-manifest'
          ? 'A docker-archive manifest.json on its own: drop the whole archive to see its images.'
          : 'A JSON document that is not a manifest, index or config.',
      );
    }
  } catch (error) {
    builder.fail(error, path);
  }
}

function manifestImage(value: unknown, path: string, digest: string, mediaType: string | null, schema1: boolean): ImageModel {
  const image = emptyImage(digest);
  image.manifestDigest = digest;
  image.manifestMediaType = mediaType;
  image.manifestPath = path;
  if (schema1) {
    image.notes.push('Docker schema1 manifest: deprecated and unsupported by current tools; shown as is.');
    return image;
  }
  const manifest = parseManifest(value, path);
  image.configDigest = manifest.config.digest;
  image.layers = manifest.layers.map((descriptor, index) => ({
    index,
    mediaType: descriptor.mediaType,
    digest: descriptor.digest,
    size: descriptor.size,
    expectedDiffId: null,
    location: null,
    key: descriptor.digest,
    error: null,
  }));
  image.notes.push('A manifest on its own: its config and layers are not part of this file, so they are listed unverified.');
  return image;
}
