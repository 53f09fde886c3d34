/**
 * Digest checks of small documents (manifests, configs, indexes: kilobytes)
 * and the digests that file names in archives encode. Layer blobs never come
 * here: they stream through workers.
 */
import { sha256Digest } from '../core/codec/digest';
import type { Digest, VerifyState } from '../core/types';

/** Compares the sha256 of `bytes` with `expected`; other algorithms stay unchecked. */
export async function verifyBytes(bytes: Uint8Array, expected: Digest | null): Promise<VerifyState> {
  if (!expected || !expected.startsWith('sha256:')) return 'unchecked';
  return (await sha256Digest(bytes)) === expected ? 'ok' : 'mismatch';
}

/** `blobs/<algorithm>/<hex>`: where an OCI layout keeps the blob with `digest`. */
export function blobPath(digest: Digest): string {
  const [algorithm, hex] = digest.split(':');
  return `blobs/${algorithm}/${hex}`;
}

/**
 * The digest that a file name in an archive encodes, or null:
 * `blobs/sha256/<hex>` (OCI), `<hex>.tar` / `<hex>.json` (docker, skopeo),
 * `sha256:<hex>` and `<hex>.tar.gz` (go-containerregistry's tarball, which
 * names a layer by the digest of its stored, compressed bytes).
 */
export function digestFromPath(path: string): Digest | null {
  const blobMatch = /(?:^|\/)blobs\/sha256\/([0-9a-f]{64})$/.exec(path);
  if (blobMatch) return `sha256:${blobMatch[1]}`;
  const fileMatch = /(?:^|\/)(?:sha256:)?([0-9a-f]{64})(?:\.tar|\.tar\.gz|\.json)?$/.exec(path);
  return fileMatch ? `sha256:${fileMatch[1]}` : null;
}
