/**
 * Collects what a source reader finds (images, indexes, documents, problems)
 * and builds the images of manifests out of a FileTable, the part that OCI
 * layouts, Docker 25+ archives and folders share.
 */
import { InspectError, InspectErrorCode, toErrorInfo, type InspectErrorInfo } from '../core/errors';
import { isObject, optionalString, parseJson } from '../core/json';
import { isImageConfigMediaType, isLayerMediaType, isSchema1MediaType } from '../core/image/media-type';
import { parseConfig, parseManifest, parsePlatform } from '../core/image/manifest';
import type {
  DocumentModel,
  ImageModel,
  IndexModel,
  LayerModel,
  SourceKind,
  SourceModel,
} from '../core/image/model';
import type { ConfigFile, Descriptor, Digest, Manifest, Platform } from '../core/types';
import { FileTable } from './file-table';
import { sha256Digest } from '../core/codec/digest';
import { blobPath, verifyBytes } from './verify';

/** Accumulates a SourceModel. */
export class ModelBuilder {
  readonly images: ImageModel[] = [];
  readonly indexes: IndexModel[] = [];
  readonly documents: DocumentModel[] = [];
  readonly errors: InspectErrorInfo[] = [];
  readonly notes: string[] = [];
  readonly #documentPaths = new Set<string>();

  constructor(
    public kind: SourceKind,
    readonly name: string,
    readonly size: number | null,
  ) {}

  /** Records a problem with the source as a whole; anything thrown becomes an error entry. */
  fail(error: unknown, path: string | null = null): void {
    this.errors.push(toErrorInfo(error, path));
  }

  /** Keeps a document for the raw views; the first one read at a path wins. */
  addDocument(document: DocumentModel): void {
    if (this.#documentPaths.has(document.path)) return;
    this.#documentPaths.add(document.path);
    this.documents.push(document);
  }

  build(): SourceModel {
    return {
      kind: this.kind,
      name: this.name,
      size: this.size,
      images: this.images,
      indexes: this.indexes,
      documents: this.documents,
      errors: this.errors,
      notes: this.notes,
    };
  }
}

/** An image with nothing known yet but its id; readers fill in what they find. */
export function emptyImage(id: string): ImageModel {
  return {
    id,
    refs: [],
    manifestDigest: null,
    manifestMediaType: null,
    manifestVerified: 'unchecked',
    manifestPath: null,
    platform: null,
    configDigest: null,
    configVerified: 'unchecked',
    configPath: null,
    config: null,
    layers: [],
    artifactType: null,
    notes: [],
    errors: [],
  };
}

/** Reads blobs of an OCI layout (or Docker 25+ archive) by digest. */
export class LayoutBlobs {
  constructor(readonly table: FileTable) {}

  has(digest: Digest): boolean {
    return this.table.resolve(blobPath(digest)) !== undefined;
  }

  /** The bytes of a small blob (document); throws MissingBlob when absent. */
  async bytes(digest: Digest, what: string): Promise<Uint8Array> {
    const blob = this.table.blob(blobPath(digest));
    if (!blob) {
      throw new InspectError(
        InspectErrorCode.MissingBlob,
        `${what} ${digest} is not in the archive (${blobPath(digest)} is missing)`,
        blobPath(digest),
      );
    }
    return new Uint8Array(await blob.arrayBuffer());
  }
}

/** What is known of a manifest before reading it. */
export interface ManifestContext {
  digest: Digest | null;
  path: string;
  refs: string[];
  platform: Platform | null;
}

/**
 * Builds the image of a manifest whose bytes are known: verifies the
 * manifest digest, reads and verifies the config, and lays out the layers
 * with their expected DiffIDs. Problems become image errors, never throws.
 * The caller adds the image to the builder (artifacts are listed, not added).
 */
export async function imageFromManifest(
  builder: ModelBuilder,
  blobs: LayoutBlobs,
  bytes: Uint8Array,
  context: ManifestContext,
): Promise<ImageModel> {
  const text = new TextDecoder().decode(bytes);
  const image: ImageModel = {
    ...emptyImage(context.digest ?? context.path),
    refs: [...context.refs],
    manifestDigest: context.digest,
    manifestVerified: await verifyBytes(bytes, context.digest),
    manifestPath: context.path,
    platform: context.platform,
  };
  if (image.manifestVerified === 'mismatch') {
    image.errors.push({
      code: InspectErrorCode.DigestMismatch,
      message: `${context.path}: the manifest's sha256 is ${await sha256Digest(bytes)}, not ${context.digest}`,
      path: context.path,
    });
  }
  let manifest: Manifest;
  try {
    const value = parseJson(text, context.path);
    const mediaType = isObject(value) ? optionalString(value, 'mediaType') : undefined;
    if (mediaType !== undefined && isSchema1MediaType(mediaType)) {
      builder.addDocument({ path: context.path, digest: context.digest, mediaType, role: 'manifest', text });
      image.manifestMediaType = mediaType;
      image.notes.push('Docker schema1 manifest: deprecated and unsupported by current tools; shown as is.');
      return image;
    }
    manifest = parseManifest(value, context.path);
  } catch (error) {
    builder.addDocument({ path: context.path, digest: context.digest, mediaType: null, role: 'manifest', text });
    image.errors.push(toErrorInfo(error, context.path));
    return image;
  }
  image.manifestMediaType = manifest.mediaType ?? null;
  builder.addDocument({
    path: context.path,
    digest: context.digest,
    mediaType: manifest.mediaType ?? null,
    role: 'manifest',
    text,
  });
  const config = await readConfig(builder, blobs, manifest.config, image, manifest.artifactType);
  image.layers = layersFromDescriptors(blobs, manifest.layers, config);
  if (manifest.layers.some((layer) => layer.mediaType && !isLayerMediaType(layer.mediaType))) {
    image.notes.push('Some layers have media types that are not filesystem layers (artifact blobs).');
  }
  return image;
}

async function readConfig(
  builder: ModelBuilder,
  blobs: LayoutBlobs,
  descriptor: Descriptor,
  image: ImageModel,
  manifestArtifactType: string | undefined,
): Promise<ConfigFile | null> {
  image.configDigest = descriptor.digest;
  image.configPath = blobPath(descriptor.digest);
  try {
    const bytes = await blobs.bytes(descriptor.digest, 'The config');
    image.configVerified = await verifyBytes(bytes, descriptor.digest);
    const text = new TextDecoder().decode(bytes);
    builder.addDocument({
      path: image.configPath,
      digest: descriptor.digest,
      mediaType: descriptor.mediaType,
      role: 'config',
      text,
    });
    if (image.configVerified === 'mismatch') {
      image.errors.push({
        code: InspectErrorCode.DigestMismatch,
        message: `${image.configPath}: the config's sha256 is ${await sha256Digest(bytes)}, not ${descriptor.digest}`,
        path: image.configPath,
      });
    }
    if (descriptor.mediaType && !isImageConfigMediaType(descriptor.mediaType)) {
      image.artifactType = manifestArtifactType ?? descriptor.mediaType;
      image.notes.push(`Artifact of type ${image.artifactType}: not a runnable image.`);
      return null;
    }
    const config = parseConfig(parseJson(text, image.configPath), image.configPath);
    image.config = config;
    image.platform = configPlatform(config) ?? image.platform;
    return config;
  } catch (error) {
    image.errors.push(toErrorInfo(error, image.configPath));
    return null;
  }
}

function configPlatform(config: ConfigFile): Platform | null {
  return parsePlatform({ os: config.os, architecture: config.architecture, variant: config.variant }) ?? null;
}

function layersFromDescriptors(
  blobs: LayoutBlobs,
  descriptors: Descriptor[],
  config: ConfigFile | null,
): LayerModel[] {
  return descriptors.map((descriptor, index) => {
    const path = blobPath(descriptor.digest);
    const location = blobs.table.location(path);
    return {
      index,
      mediaType: descriptor.mediaType,
      digest: descriptor.digest,
      size: descriptor.size,
      expectedDiffId: config?.rootfs.diff_ids[index] ?? null,
      location,
      key: descriptor.digest,
      error: location ? null : `Layer blob ${descriptor.digest} is not in the archive (${path} is missing)`,
    };
  });
}
