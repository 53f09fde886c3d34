/**
 * `docker save` / `podman save` / `skopeo copy docker-archive:` output, and
 * the go-containerregistry tarball, in all their shapes
 * (https://github.com/moby/moby/blob/master/image/spec/v1.2.md):
 * - Docker 1.10–24 and skopeo/podman: `manifest.json` naming `<id>/layer.tar`
 *   or `<diffid>.tar` (skopeo adds `<id>/layer.tar` symlinks to those);
 * - go-containerregistry (`crane pull`, kaniko `--tar-path`, ko, rules_docker):
 *   the config as `sha256:<hex>`, layers as `<digest hex>.tar.gz`,
 *   `manifest.json` written last;
 * - Docker 25+: an OCI layout plus `manifest.json` naming `blobs/sha256/<hex>`;
 * - the old format: `repositories` and `<id>/json` chained by `parent`
 *   (docker-legacy.ts).
 * Several images (podman save -m) and several tags per image are entries of
 * manifest.json. Member order never matters: the table holds every member.
 */
import { InspectError, InspectErrorCode, toErrorInfo } from '../../core/errors';
import { expectObject, optionalString, optionalStringArray, parseJson } from '../../core/json';
import { MediaTypes } from '../../core/image/media-type';
import { parseConfig, parsePlatform } from '../../core/image/manifest';
import { sniffCompression } from '../../core/codec/compression';
import type { ImageModel, LayerModel } from '../../core/image/model';
import type { Compression, ConfigFile } from '../../core/types';
import { cleanTablePath, type FileTable } from '../file-table';
import { emptyImage, type ModelBuilder } from '../model-builder';
import { readOciLayout } from './oci-layout';
import { readLegacyArchive, type LayerFromPath } from './docker-legacy';
import { readEmbeddedLayout } from './docker-oci-side';
import { readBlobRange } from './tar-archive';
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
  const layerFromPath = layerReader(table);
  if (!table.has('manifest.json')) {
    await readLegacyArchive(builder, table, layerFromPath);
    return;
  }
  let entries: DockerArchiveDescriptor[];
  try {
    const text = await table.text('manifest.json');
    builder.addDocument({ path: 'manifest.json', digest: null, mediaType: null, role: 'docker-manifest', text });
    entries = parseDockerManifest(parseJson(text, 'manifest.json'));
  } catch (error) {
    builder.fail(error, 'manifest.json');
    if (table.has('oci-layout') || table.has('index.json')) {
      builder.notes.push('manifest.json could not be read; the images were read from the OCI layout beside it (index.json).');
      await readOciLayout(builder, table);
    } else if (table.has('repositories')) {
      builder.notes.push('manifest.json could not be read; the images were found through `repositories`.');
      await readLegacyArchive(builder, table, layerFromPath);
    }
    return;
  }
  const layout = await readEmbeddedLayout(builder, table);
  const readConfig = configReader(builder, table);
  // Entries naming the same config are one image with several tags (podman save of two tags).
  const byConfigPath = new Map<string, ImageModel>();
  const byConfigDigest = new Map<string, ImageModel>();
  const refSets = new Map<ImageModel, Set<string>>();
  const addRefs = (image: ImageModel, refs: string[]): void => {
    const known = refSets.get(image) ?? new Set(image.refs);
    refSets.set(image, known);
    for (const ref of refs) {
      if (known.has(ref)) continue;
      known.add(ref);
      image.refs.push(ref);
    }
  };
  for (const [position, entry] of entries.entries()) {
    const configPath = cleanTablePath(entry.Config);
    const known = byConfigPath.get(configPath);
    if (known) {
      addRefs(known, entry.RepoTags);
      continue;
    }
    const image = await imageFromEntry(entry, configPath, position, readConfig, layerFromPath);
    const same = image.configDigest ? byConfigDigest.get(image.configDigest) : undefined;
    byConfigPath.set(configPath, same ?? image);
    if (same) {
      addRefs(same, image.refs);
      continue;
    }
    if (image.configDigest) byConfigDigest.set(image.configDigest, image);
    layout?.adopt(image);
    builder.images.push(image);
  }
}

function parseDockerManifest(value: unknown): DockerArchiveDescriptor[] {
  if (!Array.isArray(value)) {
    throw new InspectError(InspectErrorCode.BadJson, 'manifest.json is not a list of images', 'manifest.json');
  }
  return value.map((item: unknown, position) => {
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

/** What reading one config file gave; shared by every entry that names it. */
interface ConfigRead {
  digest: string | null;
  verified: ImageModel['configVerified'];
  config: ConfigFile | null;
  errors: ImageModel['errors'];
}

function configReader(builder: ModelBuilder, table: FileTable): (path: string) => Promise<ConfigRead> {
  const reads = new Map<string, Promise<ConfigRead>>();
  const read = async (path: string): Promise<ConfigRead> => {
    const named = digestFromPath(path);
    const outcome: ConfigRead = { digest: named, verified: 'unchecked', config: null, errors: [] };
    try {
      const text = await table.text(path);
      const bytes = new TextEncoder().encode(text);
      const computed = await sha256Digest(bytes);
      outcome.verified = await verifyBytes(bytes, named);
      outcome.digest = named ?? computed;
      if (outcome.verified === 'mismatch') {
        outcome.errors.push({
          code: InspectErrorCode.DigestMismatch,
          message: `${path}: the config's sha256 is ${computed}, not the one its name says`,
          path,
        });
      }
      builder.addDocument({ path, digest: outcome.digest, mediaType: MediaTypes.DockerConfig, role: 'config', text });
      outcome.config = parseConfig(parseJson(text, path), path);
    } catch (error) {
      outcome.errors.push(toErrorInfo(error, path));
    }
    return outcome;
  };
  return (path) => {
    let pending = reads.get(path);
    if (!pending) {
      pending = read(path);
      reads.set(path, pending);
    }
    return pending;
  };
}

async function imageFromEntry(
  entry: DockerArchiveDescriptor,
  configPath: string,
  position: number,
  readConfig: (path: string) => Promise<ConfigRead>,
  layerFromPath: LayerFromPath,
): Promise<ImageModel> {
  const read = await readConfig(configPath);
  const image: ImageModel = {
    ...emptyImage(read.digest ?? `manifest.json#${position}`),
    refs: [...new Set(entry.RepoTags)],
    configDigest: read.digest,
    configVerified: read.verified,
    configPath,
    config: read.config,
    platform: read.config ? (parsePlatform(read.config) ?? null) : null,
    errors: [...read.errors],
  };
  image.layers = await Promise.all(
    entry.Layers.map((layerPath, index) => layerFromPath(cleanTablePath(layerPath), index, read.config)),
  );
  return image;
}

const layerMediaTypes: Record<Compression, string> = {
  none: MediaTypes.DockerLayer,
  gzip: MediaTypes.DockerLayerGzip,
  zstd: MediaTypes.OciLayerZstd,
};

/**
 * Layers of a docker-archive have no descriptor: their media type follows
 * from their first bytes (go-containerregistry stores them gzipped, docker
 * and skopeo uncompressed), read once per member.
 */
function layerReader(table: FileTable): LayerFromPath {
  const compressions = new Map<string, Promise<Compression>>();
  const compressionOf = (key: string, blob: Blob): Promise<Compression> => {
    let pending = compressions.get(key);
    if (!pending) {
      pending = readBlobRange(blob, 0, 4).then(sniffCompression, () => 'none' as const);
      compressions.set(key, pending);
    }
    return pending;
  };
  return async (path, index, config) => {
    const file = table.resolve(path);
    const location = table.location(path);
    let compression: Compression = 'none';
    if (location?.kind === 'scanned') compression = location.result.compression;
    else if (location?.kind === 'blob') compression = await compressionOf(file?.path ?? path, location.blob);
    const layer: LayerModel = {
      index,
      mediaType: layerMediaTypes[compression],
      digest: digestFromPath(file?.path ?? path),
      size: file?.size ?? null,
      expectedDiffId: config?.rootfs.diff_ids[index] ?? null,
      location,
      key: file?.path ?? path,
      error: location ? null : `Layer ${path} named in manifest.json is not in the archive`,
    };
    return layer;
  };
}
