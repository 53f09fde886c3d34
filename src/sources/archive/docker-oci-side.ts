/**
 * The OCI layout that Docker 25+ writes beside `manifest.json`. It adds what
 * manifest.json lacks (each image's manifest digest and its layers' media
 * types); manifest.json stays the source of the images. So a defect of the
 * OCI side that loses nothing the image needs (an `index.json` listing no
 * manifests, a missing `oci-layout`) is a note; only a blob that does not
 * match its digest, which would falsify what is shown, stays an error.
 */
import { InspectErrorCode } from '../../core/errors';
import { isObject } from '../../core/json';
import type { ImageModel } from '../../core/image/model';
import type { FileTable } from '../file-table';
import { ModelBuilder } from '../model-builder';
import { readOciLayout } from './oci-layout';

/** Gives an image read from manifest.json what the OCI side knows of it. */
export interface EmbeddedLayout {
  adopt(image: ImageModel): void;
}

/** Reads the OCI side of a docker-archive, if it has one; its findings go to `builder`. */
export async function readEmbeddedLayout(builder: ModelBuilder, table: FileTable): Promise<EmbeddedLayout | null> {
  if (!table.has('oci-layout') && !table.has('index.json')) return null;
  const emptyIndex = await indexListingNoManifests(table);
  if (emptyIndex !== null) {
    builder.addDocument({ path: 'index.json', digest: null, mediaType: null, role: 'index', text: emptyIndex });
    builder.notes.push('index.json lists no manifests; the image is read from manifest.json.');
    return null;
  }
  const layout = new ModelBuilder('oci-layout', builder.name, builder.size);
  await readOciLayout(layout, table);
  builder.indexes.push(...layout.indexes);
  for (const document of layout.documents) builder.addDocument(document);
  builder.notes.push(...layout.notes);
  for (const error of layout.errors) {
    if (error.code === InspectErrorCode.DigestMismatch) builder.errors.push(error);
    else builder.notes.push(`The OCI layout beside manifest.json: ${error.message}. The images are read from manifest.json.`);
  }
  const byConfig = new Map<string, ImageModel>();
  for (const image of layout.images) if (image.configDigest) byConfig.set(image.configDigest, image);
  return {
    adopt(image) {
      const match = image.configDigest ? byConfig.get(image.configDigest) : undefined;
      if (!match) return;
      adoptManifest(image, match);
    },
  };
}

/** The text of index.json when it is a JSON object whose `manifests` is null, absent or empty; else null. */
async function indexListingNoManifests(table: FileTable): Promise<string | null> {
  if (!table.has('index.json')) return null;
  try {
    const text = await table.text('index.json');
    const value: unknown = JSON.parse(text);
    if (!isObject(value)) return null;
    const manifests = value.manifests;
    const empty = manifests === null || manifests === undefined || (Array.isArray(manifests) && manifests.length === 0);
    return empty ? text : null;
  } catch {
    // Unreadable or not JSON: readOciLayout names the problem.
    return null;
  }
}

function adoptManifest(image: ImageModel, match: ImageModel): void {
  image.id = match.id;
  image.manifestDigest = match.manifestDigest;
  image.manifestMediaType = match.manifestMediaType;
  image.manifestVerified = match.manifestVerified;
  image.manifestPath = match.manifestPath;
  image.errors.push(...match.errors.filter((error) => error.path === match.manifestPath));
  image.layers = image.layers.map((layer, index) => {
    const described = match.layers[index];
    return described ? { ...layer, mediaType: described.mediaType, digest: described.digest ?? layer.digest } : layer;
  });
}
