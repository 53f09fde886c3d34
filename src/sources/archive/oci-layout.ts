/**
 * OCI image layouts (image-spec image-layout.md): an `oci-layout` marker, an
 * `index.json`, and content-addressed `blobs/<alg>/<hex>`. Read from an
 * oci-archive (a tar of the layout), a dropped folder, or the OCI half of a
 * Docker 25+ `docker save`. Nested indexes are followed; entries whose blobs
 * are absent (other platforms) are listed as not present, not as errors.
 */
import { InspectError, InspectErrorCode, toErrorInfo } from '../../core/errors';
import { expectObject, parseJson } from '../../core/json';
import { classifyDocument, parseIndex } from '../../core/image/manifest';
import { isIndexMediaType, isManifestMediaType, MediaTypes } from '../../core/image/media-type';
import type { ImageModel, IndexEntryModel, IndexModel } from '../../core/image/model';
import type { Descriptor, IndexManifest } from '../../core/types';
import type { FileTable } from '../file-table';
import { imageFromManifest, LayoutBlobs, type ModelBuilder } from '../model-builder';
import { blobPath, verifyBytes } from '../verify';

const refNameAnnotations = ['org.opencontainers.image.ref.name', 'io.containerd.image.name'];
/** Unknown-type blobs up to this size are read to tell what they are. */
const maxSniffBytes = 1024 * 1024;
const maxIndexDepth = 8;

/** True when the table holds an OCI layout. */
export function isOciLayout(table: FileTable): boolean {
  return table.has('oci-layout') || table.has('index.json');
}

/** Reads an OCI layout into `builder`: images, indexes, documents, problems. */
export async function readOciLayout(builder: ModelBuilder, table: FileTable): Promise<void> {
  await checkLayoutMarker(builder, table);
  const blobs = new LayoutBlobs(table);
  let index: IndexManifest;
  try {
    const text = await table.text('index.json');
    builder.addDocument({ path: 'index.json', digest: null, mediaType: MediaTypes.OciIndex, role: 'index', text });
    index = parseIndex(parseJson(text, 'index.json'), 'index.json');
  } catch (error) {
    builder.fail(error, 'index.json');
    await recoverManifests(builder, blobs);
    return;
  }
  await walkIndex(builder, blobs, index, { digest: null, path: 'index.json', top: true, refs: [] }, newWalk(), 0);
}

/** What one walk of a layout has met, so that each blob is read once however often it is listed. */
interface Walk {
  visited: Set<string>;
  /** Images by manifest digest, with the refs they already have. */
  images: Map<string, { image: ImageModel; refs: Set<string> }>;
}

function newWalk(): Walk {
  return { visited: new Set(), images: new Map() };
}

/**
 * `oci-layout` only declares the layout's version: a missing or broken one
 * loses nothing that is shown, so it is a note, and the layout is read as 1.0.0.
 */
async function checkLayoutMarker(builder: ModelBuilder, table: FileTable): Promise<void> {
  const readAs = 'the layout was read as image layout 1.0.0.';
  if (!table.has('oci-layout')) {
    builder.notes.push(`oci-layout is missing (it states the layout's version); ${readAs}`);
    return;
  }
  try {
    const text = await table.text('oci-layout');
    builder.addDocument({ path: 'oci-layout', digest: null, mediaType: null, role: 'oci-layout', text });
    const marker = expectObject(parseJson(text, 'oci-layout'), 'oci-layout', 'the layout marker');
    if (typeof marker.imageLayoutVersion !== 'string') {
      throw new InspectError(InspectErrorCode.BadJson, 'oci-layout has no imageLayoutVersion', 'oci-layout');
    }
  } catch (error) {
    builder.notes.push(`${toErrorInfo(error, 'oci-layout').message}; ${readAs}`);
  }
}

interface IndexContext {
  digest: string | null;
  path: string;
  /** The layout's own index.json, whose ref-name annotations name tags. */
  top: boolean;
  /** Tags given to a nested index by the entry that names it, inherited by its images. */
  refs: string[];
}

async function walkIndex(
  builder: ModelBuilder,
  blobs: LayoutBlobs,
  index: IndexManifest,
  context: IndexContext,
  walk: Walk,
  depth: number,
): Promise<void> {
  const model: IndexModel = {
    digest: context.digest,
    mediaType: index.mediaType ?? null,
    path: context.path,
    manifests: [],
  };
  builder.indexes.push(model);
  for (const descriptor of index.manifests) {
    const entry: IndexEntryModel = {
      descriptor,
      platform: descriptor.platform ?? null,
      kind: 'unknown',
      present: blobs.has(descriptor.digest),
      imageId: null,
      refName: refName(descriptor),
    };
    model.manifests.push(entry);
    if (!entry.present) {
      entry.kind = kindFromMediaType(descriptor);
      continue;
    }
    try {
      await readEntry(builder, blobs, entry, context, walk, depth);
    } catch (error) {
      builder.fail(error, blobPath(descriptor.digest));
    }
  }
}

async function readEntry(
  builder: ModelBuilder,
  blobs: LayoutBlobs,
  entry: IndexEntryModel,
  context: IndexContext,
  walk: Walk,
  depth: number,
): Promise<void> {
  const { descriptor } = entry;
  const path = blobPath(descriptor.digest);
  const known = walk.images.get(descriptor.digest);
  if (known) {
    entry.kind = known.image.artifactType ? 'artifact' : 'image';
    entry.imageId = known.image.id;
    for (const ref of entryRefs(entry, context)) {
      if (known.refs.has(ref)) continue;
      known.refs.add(ref);
      known.image.refs.push(ref);
    }
    return;
  }
  if (walk.visited.has(descriptor.digest)) return;
  walk.visited.add(descriptor.digest);
  const declaredKind = kindFromMediaType(descriptor);
  if (declaredKind === 'unknown' && descriptor.size > maxSniffBytes) return;
  const bytes = await blobs.bytes(descriptor.digest, 'The manifest');
  const text = new TextDecoder().decode(bytes);
  let value: unknown;
  try {
    value = parseJson(text, path);
  } catch (error) {
    if (declaredKind === 'unknown') return;
    builder.addDocument({ path, digest: descriptor.digest, mediaType: descriptor.mediaType, role: 'other', text });
    throw error;
  }
  const kind = classifyDocument(value);
  if (kind === 'index') {
    entry.kind = 'index';
    if (depth >= maxIndexDepth) {
      throw new InspectError(InspectErrorCode.Unsupported, `${path}: indexes nested too deep`, path);
    }
    builder.addDocument({ path, digest: descriptor.digest, mediaType: descriptor.mediaType, role: 'index', text });
    const verified = await verifyBytes(bytes, descriptor.digest);
    if (verified === 'mismatch') {
      builder.fail(
        new InspectError(InspectErrorCode.DigestMismatch, `${path}: the index does not match its digest`, path),
      );
    }
    const nested = parseIndex(value, path);
    const refs = entryRefs(entry, context);
    await walkIndex(builder, blobs, nested, { digest: descriptor.digest, path, top: false, refs }, walk, depth + 1);
    return;
  }
  if (kind !== 'manifest' && kind !== 'schema1') {
    entry.kind = declaredKind === 'unknown' ? 'unknown' : declaredKind;
    builder.addDocument({ path, digest: descriptor.digest, mediaType: descriptor.mediaType, role: 'other', text });
    return;
  }
  const image = await imageFromManifest(builder, blobs, bytes, {
    digest: descriptor.digest,
    path,
    refs: entryRefs(entry, context),
    platform: entry.platform,
  });
  entry.imageId = image.id;
  entry.kind = image.artifactType ? 'artifact' : 'image';
  walk.images.set(descriptor.digest, { image, refs: new Set(image.refs) });
  // Artifacts (signatures, SBOMs…) are listed in their index and documents, not as images.
  if (!image.artifactType) builder.images.push(image);
  if (!entry.platform && image.platform) entry.platform = image.platform;
}

/** Ref names count on the layout's own index.json, and pass down to what a named index holds. */
function entryRefs(entry: IndexEntryModel, context: IndexContext): string[] {
  return context.top && entry.refName ? [entry.refName] : context.refs;
}

function kindFromMediaType(descriptor: Descriptor): IndexEntryModel['kind'] {
  if (isIndexMediaType(descriptor.mediaType)) return 'index';
  if (isManifestMediaType(descriptor.mediaType)) {
    return descriptor.artifactType ? 'artifact' : 'image';
  }
  return 'unknown';
}

function refName(descriptor: Descriptor): string | null {
  for (const key of refNameAnnotations) {
    const value = descriptor.annotations?.[key];
    if (value) return value;
  }
  return null;
}

/**
 * Without a usable index.json the images can still be found: every small blob
 * that parses as a manifest and that no other manifest list names is one.
 */
async function recoverManifests(builder: ModelBuilder, blobs: LayoutBlobs): Promise<void> {
  const found: Descriptor[] = [];
  for (const path of blobs.table.paths()) {
    const match = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(path);
    const file = blobs.table.resolve(path);
    if (!match || !file?.blob || file.size > maxSniffBytes) continue;
    try {
      const value = parseJson(await file.blob.text(), path);
      const kind = classifyDocument(value);
      if (kind === 'manifest' || kind === 'index') {
        const mediaType = kind === 'index' ? MediaTypes.OciIndex : MediaTypes.OciManifest;
        found.push({ mediaType, digest: `sha256:${match[1]}`, size: file.size });
      }
    } catch (error) {
      if (!(error instanceof InspectError)) builder.fail(toErrorInfo(error, path));
    }
  }
  if (found.length === 0) return;
  builder.notes.push(
    `index.json could not be read; ${found.length} manifest(s) were found among the blobs and are shown instead.`,
  );
  await walkIndex(
    builder,
    blobs,
    { schemaVersion: 2, manifests: found },
    { digest: null, path: 'index.json', top: true, refs: [] },
    newWalk(),
    0,
  );
}
