/**
 * Media types of the OCI image spec (media-types.md) and Docker's schema2 /
 * schema1 (https://distribution.github.io/distribution/spec/manifest-v2-2/).
 */
import type { MediaType } from '../types';

export const MediaTypes = {
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  OciLayer: 'application/vnd.oci.image.layer.v1.tar',
  OciLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  OciLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  OciEmpty: 'application/vnd.oci.empty.v1+json',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  DockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  DockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  DockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  DockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
} as const;

/** True for an image index / manifest list. */
export function isIndexMediaType(mediaType: MediaType | null | undefined): boolean {
  return mediaType === MediaTypes.OciIndex || mediaType === MediaTypes.DockerManifestList;
}

/** True for a single-image manifest (OCI or Docker schema2). */
export function isManifestMediaType(mediaType: MediaType | null | undefined): boolean {
  return mediaType === MediaTypes.OciManifest || mediaType === MediaTypes.DockerManifest;
}

/** True for the deprecated Docker schema1 manifests. */
export function isSchema1MediaType(mediaType: MediaType | null | undefined): boolean {
  return mediaType === MediaTypes.DockerSchema1 || mediaType === MediaTypes.DockerSchema1Signed;
}

/** True for an image config media type (as opposed to an artifact's config). */
export function isImageConfigMediaType(mediaType: MediaType | null | undefined): boolean {
  return mediaType === MediaTypes.OciConfig || mediaType === MediaTypes.DockerConfig;
}

/**
 * True for media types that hold a filesystem changeset. Non-distributable and
 * foreign layers count; artifact blobs do not.
 */
export function isLayerMediaType(mediaType: MediaType | null | undefined): boolean {
  if (!mediaType) return false;
  return (
    mediaType.startsWith('application/vnd.oci.image.layer.') ||
    mediaType.startsWith('application/vnd.docker.image.rootfs.')
  );
}
