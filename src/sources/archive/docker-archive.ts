/**
 * `docker save` / `podman save` / `skopeo copy docker-archive:` output, in all
 * its shapes (https://github.com/moby/moby/blob/master/image/spec/v1.2.md):
 * - Docker 1.10–24 and skopeo/podman: `manifest.json` naming `<id>/layer.tar`
 *   or `<diffid>.tar` (skopeo adds `<id>/layer.tar` symlinks to those);
 * - Docker 25+: an OCI layout plus `manifest.json` naming `blobs/sha256/<hex>`;
 * - the old format: `repositories` and `<id>/json` chained by `parent`.
 * Several images (podman save -m) and several tags per image are entries of
 * manifest.json.
 */
import { InspectError, InspectErrorCode, toErrorInfo } from '../../core/errors';
import { expectObject, isObject, optionalString, optionalStringArray, parseJson } from '../../core/json';
import { MediaTypes } from '../../core/image/media-type';
import { parseConfig, parsePlatform } from '../../core/image/manifest';
import type { ImageModel, LayerModel } from '../../core/image/model';
import type { ConfigFile } from '../../core/types';
import type { FileTable } from '../file-table';
import { emptyImage, ModelBuilder } from '../model-builder';
import { isOciLayout, readOciLayout } from './oci-layout';
import { sha256Digest } from '../../core/codec/digest';
import { digestFromPath, verifyBytes } from '../verify';

/** One entry of a docker-archive manifest.json. */
export interface DockerArchiveDescriptor {
  Config: string;
  RepoTags: string[];
  Layers: string[];
}

/** True when the table is a docker-archive (new or old format). */
export function isDockerArchive(table: FileTable): boolean {
  return table.has('manifest.json') || table.has('repositories');
}

/** Reads a docker-archive into `builder`. */
export async function readDockerArchive(builder: ModelBuilder, table: FileTable): Promise<void> {
  if (!table.has('manifest.json')) {
    await readLegacyArchive(builder, table);
    return;
  }
  let entries: DockerArchiveDescriptor[];
  try {
    const text = await table.text('manifest.json');
    builder.addDocument({ path: 'manifest.json', digest: null, mediaType: null, role: 'docker-manifest', text });
    entries = parseDockerManifest(parseJson(text, 'manifest.json'));
  } catch (error) {
    builder.fail(error, 'manifest.json');
    if (table.has('repositories')) {
      builder.notes.push('manifest.json could not be read; the images were found through `repositories`.');
      await readLegacyArchive(builder, table);
    }
    return;
  }
  const layout = isOciLayout(table) ? await readEmbeddedLayout(builder, table) : null;
  for (const [position, entry] of entries.entries()) {
    const image = await imageFromEntry(builder, table, entry, position);
    if (layout) adoptManifest(image, layout);
    mergeOrAdd(builder, image);
  }
}

function parseDockerManifest(value: unknown): DockerArchiveDescriptor[] {
  if (!Array.isArray(value)) {
    throw new InspectError(InspectErrorCode.BadJson, 'manifest.json is not a list of images', 'manifest.json');
  }
  return value.map((item, position) => {
    const object = expectObject(item, 'manifest.json', `entry ${position}`);
    const config = optionalString(object, 'Config');
    if (!config) {
      throw new InspectError(InspectErrorCode.BadJson, `manifest.json: entry ${position} has no Config`, 'manifest.json');
    }
    return {
      Config: config,
      RepoTags: optionalStringArray(object, 'RepoTags') ?? [],
      Layers: optionalStringArray(object, 'Layers') ?? [],
    };
  });
}

async function imageFromEntry(
  builder: ModelBuilder,
  table: FileTable,
  entry: DockerArchiveDescriptor,
  position: number,
): Promise<ImageModel> {
  const configPath = entry.Config.replace(/^\.\//, '');
  const image: ImageModel = {
    ...emptyImage(digestFromPath(configPath) ?? `manifest.json#${position}`),
    refs: [...entry.RepoTags],
    configDigest: digestFromPath(configPath),
    configPath,
  };
  try {
    const text = await table.text(configPath);
    const bytes = new TextEncoder().encode(text);
    image.configVerified = await verifyBytes(bytes, image.configDigest);
    if (!image.configDigest) image.configDigest = await sha256Digest(bytes);
    if (image.configVerified === 'mismatch') {
      image.errors.push({
        code: InspectErrorCode.DigestMismatch,
        message: `${configPath}: the config's sha256 is ${await sha256Digest(bytes)}, not the one its name says`,
        path: configPath,
      });
    }
    builder.addDocument({ path: configPath, digest: image.configDigest, mediaType: MediaTypes.DockerConfig, role: 'config', text });
    image.config = parseConfig(parseJson(text, configPath), configPath);
    image.platform = parsePlatform(image.config) ?? null;
  } catch (error) {
    image.errors.push(toErrorInfo(error, configPath));
  }
  image.layers = entry.Layers.map((layerPath, index) =>
    layerFromPath(table, layerPath.replace(/^\.\//, ''), index, image.config),
  );
  return image;
}

function layerFromPath(table: FileTable, path: string, index: number, config: ConfigFile | null): LayerModel {
  const file = table.resolve(path);
  const location = table.location(path);
  return {
    index,
    mediaType: MediaTypes.DockerLayer,
    digest: digestFromPath(file?.path ?? path),
    size: file?.size ?? null,
    expectedDiffId: config?.rootfs.diff_ids[index] ?? null,
    location,
    key: file?.path ?? path,
    error: location ? null : `Layer ${path} named in manifest.json is not in the archive`,
  };
}

/** Several manifest.json entries for the same config are one image with several tags. */
function mergeOrAdd(builder: ModelBuilder, image: ImageModel): void {
  const same = builder.images.find((known) => known.configDigest && known.configDigest === image.configDigest);
  if (!same) {
    builder.images.push(image);
    return;
  }
  for (const ref of image.refs) if (!same.refs.includes(ref)) same.refs.push(ref);
}

/** Docker 25+: the OCI layout beside manifest.json gives each image its manifest digest. */
async function readEmbeddedLayout(builder: ModelBuilder, table: FileTable): Promise<ModelBuilder> {
  const layout = new ModelBuilder('oci-layout', builder.name, builder.size);
  await readOciLayout(layout, table);
  builder.indexes.push(...layout.indexes);
  for (const document of layout.documents) builder.addDocument(document);
  for (const error of layout.errors) builder.errors.push(error);
  return layout;
}

function adoptManifest(image: ImageModel, layout: ModelBuilder): void {
  const match = layout.images.find((candidate) => candidate.configDigest === image.configDigest);
  if (!match) return;
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
  for (const entry of layout.indexes.flatMap((index) => index.manifests)) {
    if (entry.imageId === match.id) entry.imageId = image.id;
  }
}

/** The pre-1.10 format: `repositories` maps tags to ids; `<id>/json` chains layers by `parent`. */
async function readLegacyArchive(builder: ModelBuilder, table: FileTable): Promise<void> {
  const tagsById = new Map<string, string[]>();
  if (table.has('repositories')) {
    try {
      const text = await table.text('repositories');
      builder.addDocument({ path: 'repositories', digest: null, mediaType: null, role: 'repositories', text });
      const repositories = expectObject(parseJson(text, 'repositories'), 'repositories', 'repositories');
      for (const [repository, tags] of Object.entries(repositories)) {
        if (!isObject(tags)) continue;
        for (const [tag, id] of Object.entries(tags)) {
          if (typeof id === 'string') tagsById.set(id, [...(tagsById.get(id) ?? []), `${repository}:${tag}`]);
        }
      }
    } catch (error) {
      builder.fail(error, 'repositories');
    }
  }
  const layerJson = new Map<string, Record<string, unknown>>();
  for (const path of table.paths()) {
    const match = /^([0-9a-f]{64})\/json$/.exec(path);
    if (!match) continue;
    try {
      layerJson.set(match[1], expectObject(parseJson(await table.text(path), path), path, 'the layer JSON'));
    } catch (error) {
      builder.fail(error, path);
    }
  }
  const parents = new Set([...layerJson.values()].map((json) => optionalString(json, 'parent')));
  const tops = tagsById.size > 0 ? [...tagsById.keys()] : [...layerJson.keys()].filter((id) => !parents.has(id));
  if (tops.length === 0) {
    builder.fail(
      new InspectError(InspectErrorCode.MissingMetadata, 'The archive has neither manifest.json nor image JSON files', 'manifest.json'),
    );
  }
  for (const id of tops) builder.images.push(legacyImage(builder, table, id, tagsById.get(id) ?? [], layerJson));
}

function legacyImage(
  builder: ModelBuilder,
  table: FileTable,
  topId: string,
  refs: string[],
  layerJson: Map<string, Record<string, unknown>>,
): ImageModel {
  const chain: string[] = [];
  for (let id: string | undefined = topId; id && !chain.includes(id); ) {
    chain.unshift(id);
    id = optionalString(layerJson.get(id) ?? {}, 'parent');
  }
  const top = layerJson.get(topId) ?? {};
  let config: ConfigFile | null = null;
  try {
    // The old format has no image config: the top layer's JSON carries the runtime config, without DiffIDs.
    config = parseConfig({ ...top, history: undefined, rootfs: { type: 'layers', diff_ids: [] } }, `${topId}/json`);
  } catch (error) {
    builder.fail(error, `${topId}/json`);
  }
  return {
    ...emptyImage(topId),
    refs,
    platform: config ? (parsePlatform(config) ?? null) : null,
    configPath: `${topId}/json`,
    config,
    layers: chain.map((id, index) => layerFromPath(table, `${id}/layer.tar`, index, null)),
    notes: ['Old docker save format (before Docker 1.10): layers have no DiffIDs to verify against.'],
  };
}
