/**
 * Digest checks of small documents (manifests, configs, indexes: kilobytes).
 * WebCrypto digests off the JavaScript thread and exists in browsers, workers
 * and Node alike; layer blobs never come here, they stream through workers.
 */
import type { Digest, VerifyState } from '../core/types';

/** `sha256:<hex>` of `bytes`. */
export async function sha256Digest(bytes: Uint8Array): Promise<Digest> {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  let hex = '';
  for (const byte of hash) hex += byte.toString(16).padStart(2, '0');
  return `sha256:${hex}`;
}

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

/** The digest that a `blobs/sha256/<hex>` or `<hex>.tar`/`<hex>.json` file name encodes, or null. */
export function digestFromPath(path: string): Digest | null {
  const blobMatch = /(?:^|\/)blobs\/sha256\/([0-9a-f]{64})$/.exec(path);
  if (blobMatch) return `sha256:${blobMatch[1]}`;
  const fileMatch = /(?:^|\/)([0-9a-f]{64})(?:\.tar|\.json)?$/.exec(path);
  return fileMatch ? `sha256:${fileMatch[1]}` : null;
}
