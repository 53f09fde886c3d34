/**
 * What a source yields once its metadata is read: images, indexes, documents
 * and problems. Layers point at where their bytes live (`BlobLocation`); the
 * worker pipeline turns each location into a `BlobResult`. Plain data only.
 */
import type { InspectErrorInfo } from '../errors';
import type {
  BlobResult,
  ConfigFile,
  Descriptor,
  Digest,
  MediaType,
  Platform,
  VerifyState,
} from '../types';

/** Report `source.kind`. */
export type SourceKind = 'docker-archive' | 'oci-archive' | 'oci-layout' | 'layer' | 'registry' | 'json';

/** Where a blob's bytes can be read from. */
export type BlobLocation =
  /** A Blob (a File, or a slice of an archive File). */
  | { kind: 'blob'; blob: Blob; path: string }
  /** A registry URL, fetched by the worker itself (headers carry auth, never logged). */
  | { kind: 'url'; url: string; headers: Record<string, string>; path: string }
  /**
   * Already read by a streaming scan (a gzipped archive); the result is known.
   * `blob` is the copy the scan kept on disk, for reading files later, when it could keep one.
   */
  | { kind: 'scanned'; result: BlobResult; path: string; blob?: Blob };

/** A JSON document found in the source, kept as text for the raw views. */
export interface DocumentModel {
  /** Path in the archive/folder, or the registry URL path. */
  path: string;
  digest: Digest | null;
  mediaType: MediaType | null;
  /** What the document is. */
  role: 'manifest' | 'index' | 'config' | 'docker-manifest' | 'repositories' | 'oci-layout' | 'other';
  text: string;
}

/** One layer of one image, before the pipeline runs. */
export interface LayerModel {
  index: number;
  mediaType: MediaType;
  /** Expected digest of the stored bytes (descriptor or file name), or null when unknown. */
  digest: Digest | null;
  /** Expected stored size (descriptor or member size), or null. */
  size: number | null;
  /** Expected DiffID from the config's rootfs.diff_ids[index], or null. */
  expectedDiffId: Digest | null;
  /** Where to read the bytes, or null when the blob is absent. */
  location: BlobLocation | null;
  /** Key shared by every layer that reads the same bytes (the pipeline runs once per key). */
  key: string;
  /** Problem known before reading (missing blob…), or null. */
  error: string | null;
}

/** One image: a manifest (or docker-archive entry) and its config. */
export interface ImageModel {
  /** Stable id within the source: manifest digest, else config digest, else a path. */
  id: string;
  refs: string[];
  manifestDigest: Digest | null;
  manifestMediaType: MediaType | null;
  manifestVerified: VerifyState;
  /** Path of the manifest document (in `SourceModel.documents`), or null. */
  manifestPath: string | null;
  platform: Platform | null;
  configDigest: Digest | null;
  configVerified: VerifyState;
  configPath: string | null;
  config: ConfigFile | null;
  layers: LayerModel[];
  /** For an artifact (a manifest whose config is not an image config): its type; else null. */
  artifactType: string | null;
  /** Notes to show (deprecated schema1, artifact, …). */
  notes: string[];
  errors: InspectErrorInfo[];
}

/** An index (OCI index.json, image index, Docker manifest list). */
export interface IndexModel {
  /** Digest of the index bytes; null for an OCI layout's index.json. */
  digest: Digest | null;
  mediaType: MediaType | null;
  path: string;
  manifests: IndexEntryModel[];
}

/** One entry of an index. */
export interface IndexEntryModel {
  descriptor: Descriptor;
  platform: Platform | null;
  /** What the entry points at. */
  kind: 'image' | 'index' | 'artifact' | 'unknown';
  /** True when the blob it names is in the source. */
  present: boolean;
  /** Image id (ImageModel.id) when it resolved to an image. */
  imageId: string | null;
  refName: string | null;
}

/** Everything read from a source's metadata. */
export interface SourceModel {
  kind: SourceKind;
  name: string;
  /** Bytes, or null for folders and registries. */
  size: number | null;
  images: ImageModel[];
  indexes: IndexModel[];
  documents: DocumentModel[];
  /** Problems with the source as a whole (report `errors[]`). */
  errors: InspectErrorInfo[];
  /** Things worth telling (e.g. "opened as a single layer"). */
  notes: string[];
}
