/**
 * What an outer tar is, judged from all of its member names, never from the
 * first one or a prefix: `tar -C dir -cf layer.tar .` starts a plain layer
 * with `./`, exactly like a tar of an OCI layout, and go-containerregistry
 * writes `manifest.json` last, after members named `sha256:<hex>`.
 *
 * - docker-archive: a top-level `manifest.json` or `repositories`
 *   (moby image/spec v1.2, and the pre-1.10 format);
 * - OCI layout: an `oci-layout` marker or content-addressed `blobs/<alg>/<hex>`
 *   files (image-spec image-layout.md; `index.json` alone is too common a
 *   file name to count);
 * - anything else is a plain tar, shown as a single layer.
 */
import type { FileTable } from '../file-table';

/** The image archive a tar holds, or null for a plain tar (a layer). */
export type ArchiveKind = 'docker-archive' | 'oci-archive';

const blobPattern = /^blobs\/[a-z0-9]+(?:[+._-][a-z0-9]+)*\/[a-zA-Z0-9=_-]+$/;

/** The members that make a tar an image archive. */
export function isArchiveMarker(path: string): boolean {
  return path === 'manifest.json' || path === 'repositories' || path === 'oci-layout' || blobPattern.test(path);
}

/** Decides from every member of `table` (cleaned paths). */
export function archiveKind(table: FileTable): ArchiveKind | null {
  if (table.has('manifest.json') || table.has('repositories')) return 'docker-archive';
  if (table.has('oci-layout')) return 'oci-archive';
  for (const path of table.paths()) if (blobPattern.test(path)) return 'oci-archive';
  return null;
}

/**
 * Names that image archives use for their large members (layer and config
 * blobs): `<hex>/layer.tar`, `<hex>.tar`, `<hex>.tar.gz`, `sha256:<hex>`,
 * `blobs/<alg>/<hex>`. Only a hint for the streaming scan of a compressed
 * archive (which members to inspect before a marker has been seen), never
 * the judgement of what the archive is.
 */
export function looksLikeImageMember(path: string): boolean {
  return (
    isArchiveMarker(path) ||
    path === 'index.json' ||
    /^(?:sha256:)?[0-9a-f]{64}(?:\.json|\.tar|\.tar\.gz|\/layer\.tar|\/json|\/VERSION)?$/.test(path)
  );
}
