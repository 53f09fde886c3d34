/**
 * The image vocabulary, named after the OCI image spec and go-containerregistry:
 * https://github.com/opencontainers/image-spec/blob/main/descriptor.md,
 * manifest.md, image-index.md, config.md. Data-only interfaces: every value
 * here is plain and structured-clonable, so it crosses worker boundaries as is.
 */

/** `sha256:<64 hex>` (other algorithms are kept as text but not verified). */
export type Digest = string;

/** A media type string such as `application/vnd.oci.image.manifest.v1+json`. */
export type MediaType = string;

/** OS and CPU an image runs on. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

/** Points at a blob by digest and size. */
export interface Descriptor {
  mediaType: MediaType;
  digest: Digest;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
  urls?: string[];
  artifactType?: string;
}

/** One image for one platform (OCI image manifest or Docker schema2 manifest). */
export interface Manifest {
  schemaVersion: number;
  mediaType?: MediaType;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** A list of manifests (OCI image index or Docker manifest list). */
export interface IndexManifest {
  schemaVersion: number;
  mediaType?: MediaType;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** One line of an image's build history. */
export interface History {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** The config's list of DiffIDs. */
export interface RootFS {
  type: string;
  diff_ids: Digest[];
}

/** The runtime part of an image config. */
export interface Config {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  Healthcheck?: { Test?: string[] };
}

/** The image config JSON (`application/vnd.oci.image.config.v1+json`). */
export interface ConfigFile {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  created?: string;
  author?: string;
  config?: Config;
  history?: History[];
  rootfs: RootFS;
}

/** Compression found from a blob's first bytes. */
export type Compression = 'gzip' | 'zstd' | 'none';

/** Result of a digest check. */
export type VerifyState = 'ok' | 'mismatch' | 'unchecked';

/** Kind of a tar member, as files.json names them (docs/contracts.md). */
export type EntryType =
  | 'file'
  | 'dir'
  | 'symlink'
  | 'hardlink'
  | 'char'
  | 'block'
  | 'fifo'
  | 'other';

/**
 * What every listing of a filesystem entry says about it, declared once: a
 * tar member (TarEntry), a merged-tree node (FileNode), an explorer row
 * (TreeRow), a files.json entry (FileListEntry), a header to write
 * (TarHeaderFields). `Type` is the set of kinds the listing can hold.
 */
export interface EntryFields<Type extends string = EntryType> {
  /**
   * Where the entry is: inside a layer's tar, cleaned, without a leading `./`
   * or `/` (`usr/bin/env`: TarEntry, TarHeaderFields), or absolute in the
   * image (`/usr/bin/env`: FileNode, TreeRow, files.json).
   */
  path: string;
  type: Type;
  /** Content size in bytes of a regular file (a hard link's: its target's); 0 for the rest unless a listing says otherwise. */
  size: number;
  /** Permission bits with setuid/setgid/sticky (`mode & 0o7777`). */
  mode: number;
  uid: number;
  gid: number;
  /** Modification time, whole seconds since the epoch (negative before 1970), rounded down. */
  mtime: number;
  /** A symlink's target as stored, or a hard link's target path; null otherwise. */
  linkTarget: string | null;
}

/** The header fields only some members carry (owner names, device numbers, extended attributes). */
export interface EntryExtras {
  /** Owner's user name (ustar `uname` or pax `uname`), when the header names one. */
  uname?: string;
  /** Owner's group name (ustar `gname` or pax `gname`), when the header names one. */
  gname?: string;
  /**
   * Device numbers of char and block devices (ustar devmajor/devminor, GNU
   * base-256 or star's SCHILY.devmajor/devminor pax records); set on those
   * two types only, absent on every other.
   */
  devMajor?: number;
  /** Minor device number; see devMajor. */
  devMinor?: number;
  /**
   * Extended attributes from pax `SCHILY.xattr.<name>` records (e.g.
   * `security.capability`, `user.*`), by attribute name (GNU tar's `%3D`/`%25`
   * escapes in the keyword undone). Values are binary strings: one char per
   * byte, code 0–255, so binary values (capabilities are not UTF-8) survive
   * exactly; `Uint8Array.from(value, (c) => c.charCodeAt(0))` gives the
   * bytes. ASCII values read as themselves; UTF-8 text values need decoding.
   */
  xattrs?: Record<string, string>;
}

/** One member of a layer tar, as recorded by the header walk (`path` relative, `linkTarget` of a hard link cleaned). */
export interface TarEntry extends EntryFields, EntryExtras {
  /** The name exactly as stored in the archive, when it differs from `path`. */
  rawPath?: string;
  /** The fraction of a second of `mtime`, in nanoseconds, when a pax record gave one (absent when 0). */
  mtimeNanoseconds?: number;
  /** Offset of the content in the uncompressed layer stream. */
  offset: number;
  /** `.wh.<name>` marks a deletion, `.wh..wh..opq` an opaque directory. */
  whiteout: 'whiteout' | 'opaque' | null;
  /** True when the stored name was absolute or contained `..`. */
  unsafe?: boolean;
}

/** What one streaming pass over a blob learned. */
export interface BlobResult {
  /** sha256 of the stored bytes. */
  digest: Digest;
  /** Stored size in bytes. */
  size: number;
  compression: Compression;
  /** sha256 of the uncompressed bytes. */
  diffId: Digest | null;
  uncompressedSize: number | null;
  /** True when the uncompressed stream parsed as a tar. */
  isTar: boolean;
  /** Number of tar members (each counted once, as `tar -t` does). */
  entryCount: number;
  /** Number of `.wh.` members, opaque markers included. */
  whiteoutCount: number;
  entries: TarEntry[];
  /**
   * The entries as UTF-8 JSON, in place of `entries` (then empty), once the
   * result has crossed from a worker (see tar/entry-codec.ts).
   */
  encodedEntries?: Uint8Array<ArrayBuffer>;
  /** Problem found while reading (truncation, bad tar, corrupt stream…), or null. */
  error: { code: string; message: string } | null;
}
