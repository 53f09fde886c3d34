/**
 * Typed, validating parsers for the image documents: descriptor
 * (image-spec descriptor.md), manifest (manifest.md), index (image-index.md),
 * config (config.md), and Docker's schema2 equivalents, plus a sniffer that
 * tells which one an unknown JSON document is.
 */
import { InspectError, InspectErrorCode } from '../errors';
import {
  expectObject,
  isObject,
  optionalString,
  optionalStringArray,
  optionalStringMap,
  type JsonObject,
} from '../json';
import { isIndexMediaType, isManifestMediaType, isSchema1MediaType, MediaTypes } from './media-type';
import type { Config, ConfigFile, Descriptor, History, IndexManifest, Manifest, Platform } from '../types';

function bad(path: string, message: string): InspectError {
  return new InspectError(InspectErrorCode.BadJson, `${path}: ${message}`, path);
}

/** Parses a platform object, or returns undefined when absent or malformed. */
export function parsePlatform(value: unknown): Platform | undefined {
  if (!isObject(value)) return undefined;
  const os = optionalString(value, 'os');
  const architecture = optionalString(value, 'architecture');
  if (os === undefined || architecture === undefined) return undefined;
  const platform: Platform = { os, architecture };
  const variant = optionalString(value, 'variant');
  if (variant) platform.variant = variant;
  const osVersion = optionalString(value, 'os.version');
  if (osVersion) platform['os.version'] = osVersion;
  const osFeatures = optionalStringArray(value, 'os.features');
  if (osFeatures) platform['os.features'] = osFeatures;
  return platform;
}

/** Parses a descriptor; `where` names it in messages (e.g. "layers[2]"). */
export function parseDescriptor(value: unknown, path: string, where: string): Descriptor {
  const object = expectObject(value, path, where);
  const mediaType = optionalString(object, 'mediaType');
  const digest = optionalString(object, 'digest');
  const size = object.size;
  if (digest === undefined) throw bad(path, `${where} has no digest`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw bad(path, `${where} has no valid size`);
  }
  const descriptor: Descriptor = { mediaType: mediaType ?? '', digest, size };
  const platform = parsePlatform(object.platform);
  if (platform) descriptor.platform = platform;
  const annotations = optionalStringMap(object, 'annotations');
  if (annotations) descriptor.annotations = annotations;
  const urls = optionalStringArray(object, 'urls');
  if (urls) descriptor.urls = urls;
  const artifactType = optionalString(object, 'artifactType');
  if (artifactType) descriptor.artifactType = artifactType;
  return descriptor;
}

function schemaVersion(object: JsonObject): number {
  return typeof object.schemaVersion === 'number' ? object.schemaVersion : 0;
}

/** Parses an OCI image manifest or Docker schema2 manifest. */
export function parseManifest(value: unknown, path: string): Manifest {
  const object = expectObject(value, path, 'the manifest');
  if (!Array.isArray(object.layers)) throw bad(path, 'the manifest has no "layers" list');
  const manifest: Manifest = {
    schemaVersion: schemaVersion(object),
    config: parseDescriptor(object.config, path, 'config'),
    layers: object.layers.map((layer, index) => parseDescriptor(layer, path, `layers[${index}]`)),
  };
  const mediaType = optionalString(object, 'mediaType');
  if (mediaType) manifest.mediaType = mediaType;
  const artifactType = optionalString(object, 'artifactType');
  if (artifactType) manifest.artifactType = artifactType;
  if (object.subject !== undefined) manifest.subject = parseDescriptor(object.subject, path, 'subject');
  const annotations = optionalStringMap(object, 'annotations');
  if (annotations) manifest.annotations = annotations;
  return manifest;
}

/** Parses an OCI image index or Docker manifest list. */
export function parseIndex(value: unknown, path: string): IndexManifest {
  const object = expectObject(value, path, 'the index');
  if (!Array.isArray(object.manifests)) throw bad(path, 'the index has no "manifests" list');
  const index: IndexManifest = {
    schemaVersion: schemaVersion(object),
    manifests: object.manifests.map((entry, position) =>
      parseDescriptor(entry, path, `manifests[${position}]`),
    ),
  };
  const mediaType = optionalString(object, 'mediaType');
  if (mediaType) index.mediaType = mediaType;
  if (object.subject !== undefined) index.subject = parseDescriptor(object.subject, path, 'subject');
  const annotations = optionalStringMap(object, 'annotations');
  if (annotations) index.annotations = annotations;
  return index;
}

function parseRuntimeConfig(value: unknown): Config | undefined {
  if (!isObject(value)) return undefined;
  const config: Config = {};
  const user = optionalString(value, 'User');
  if (user !== undefined) config.User = user;
  const env = optionalStringArray(value, 'Env');
  if (env) config.Env = env;
  const entrypoint = optionalStringArray(value, 'Entrypoint');
  if (entrypoint) config.Entrypoint = entrypoint;
  const cmd = optionalStringArray(value, 'Cmd');
  if (cmd) config.Cmd = cmd;
  const workingDir = optionalString(value, 'WorkingDir');
  if (workingDir !== undefined) config.WorkingDir = workingDir;
  const labels = optionalStringMap(value, 'Labels');
  if (labels) config.Labels = labels;
  const stopSignal = optionalString(value, 'StopSignal');
  if (stopSignal !== undefined) config.StopSignal = stopSignal;
  if (isObject(value.ExposedPorts)) config.ExposedPorts = keysAsSet(value.ExposedPorts);
  if (isObject(value.Volumes)) config.Volumes = keysAsSet(value.Volumes);
  if (isObject(value.Healthcheck)) {
    const test = optionalStringArray(value.Healthcheck, 'Test');
    config.Healthcheck = test ? { Test: test } : {};
  }
  return config;
}

function keysAsSet(object: JsonObject): Record<string, object> {
  return Object.fromEntries(Object.keys(object).map((key) => [key, {}]));
}

function parseHistory(value: unknown): History[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter(isObject).map((item) => {
    const entry: History = {};
    for (const key of ['created', 'created_by', 'author', 'comment'] as const) {
      const text = optionalString(item, key);
      if (text !== undefined) entry[key] = text;
    }
    if (item.empty_layer === true) entry.empty_layer = true;
    return entry;
  });
}

/** Parses an image config (OCI config.md; Docker's container image JSON). */
export function parseConfig(value: unknown, path: string): ConfigFile {
  const object = expectObject(value, path, 'the image config');
  const rootfs = isObject(object.rootfs) ? object.rootfs : undefined;
  if (!rootfs || !Array.isArray(rootfs.diff_ids)) {
    throw bad(path, 'the image config has no rootfs.diff_ids');
  }
  const config: ConfigFile = {
    architecture: optionalString(object, 'architecture') ?? '',
    os: optionalString(object, 'os') ?? '',
    rootfs: {
      type: optionalString(rootfs, 'type') ?? '',
      diff_ids: rootfs.diff_ids.filter((id): id is string => typeof id === 'string'),
    },
  };
  const variant = optionalString(object, 'variant');
  if (variant) config.variant = variant;
  const osVersion = optionalString(object, 'os.version');
  if (osVersion) config['os.version'] = osVersion;
  const created = optionalString(object, 'created');
  if (created) config.created = created;
  const author = optionalString(object, 'author');
  if (author) config.author = author;
  const runtime = parseRuntimeConfig(object.config) ?? parseRuntimeConfig(object.container_config);
  if (runtime) config.config = runtime;
  const history = parseHistory(object.history);
  if (history) config.history = history;
  return config;
}

/** What an unknown JSON document is, judged by its media type and shape. */
export type DocumentKind = 'index' | 'manifest' | 'schema1' | 'config' | 'docker-manifest' | 'unknown';

/** Tells a manifest, index, config, schema1 manifest or docker-archive manifest.json apart. */
export function classifyDocument(value: unknown): DocumentKind {
  if (Array.isArray(value)) {
    return value.every((item) => isObject(item) && 'Config' in item) ? 'docker-manifest' : 'unknown';
  }
  if (!isObject(value)) return 'unknown';
  const mediaType = optionalString(value, 'mediaType');
  if (isIndexMediaType(mediaType) || Array.isArray(value.manifests)) return 'index';
  if (isSchema1MediaType(mediaType) || (value.schemaVersion === 1 && 'fsLayers' in value)) {
    return 'schema1';
  }
  if (isManifestMediaType(mediaType) || (isObject(value.config) && Array.isArray(value.layers))) {
    return 'manifest';
  }
  if (isObject(value.rootfs)) return 'config';
  return 'unknown';
}

/** Media type to show for a parsed document whose own `mediaType` field may be absent. */
export function documentMediaType(kind: DocumentKind, declared: string | undefined): string | null {
  if (declared) return declared;
  if (kind === 'index') return MediaTypes.OciIndex;
  if (kind === 'manifest') return MediaTypes.OciManifest;
  if (kind === 'config') return MediaTypes.OciConfig;
  return null;
}
