/**
 * Digests (OCI image-spec descriptor.md § Digests: `algorithm:encoded`) and
 * sha256 hashing. Whole buffers (manifests, configs) go to WebCrypto, which
 * hashes off the JavaScript thread at ~880 MB/s and exists in browsers,
 * workers and Node alike; streams go to hash-wasm, which hashes
 * incrementally (WebCrypto cannot).
 */
import { createSHA256 } from 'hash-wasm';
import type { Digest } from '../types';

/** A digest split into its parts (go-containerregistry `Hash`). */
export interface Hash {
  algorithm: string;
  hex: string;
}

/** descriptor.md grammar, with the registered sha256/sha512 lengths checked. */
const DIGEST_PATTERN = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;
const HEX_LENGTHS: Record<string, number> = { sha256: 64, sha512: 128 };

/** Parses `sha256:<hex>`; returns null when the text is not a well-formed digest. */
export function parseDigest(text: string): Hash | null {
  const match = DIGEST_PATTERN.exec(text);
  if (match === null) return null;
  const [, algorithm, hex] = match;
  const expectedLength = HEX_LENGTHS[algorithm];
  if (expectedLength !== undefined && !new RegExp(`^[a-f0-9]{${expectedLength}}$`).test(hex)) {
    return null;
  }
  return { algorithm, hex };
}

/** True for a well-formed digest string. */
export function isDigest(text: string): text is Digest {
  return parseDigest(text) !== null;
}

/** `sha256:<hex>` of a whole buffer. */
export async function sha256Digest(bytes: Uint8Array): Promise<Digest> {
  return `sha256:${await sha256Hex(bytes)}`;
}

/** Hex sha256 of a whole buffer. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  let hex = '';
  for (const byte of hash) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/** Incremental sha256: `update` as bytes stream by, `digest` once at the end. */
export interface Sha256Hasher {
  update(bytes: Uint8Array): void;
  /** `sha256:<hex>` of everything given to `update`. */
  digest(): Digest;
}

/** Creates an incremental sha256 hasher (each has its own WASM state). */
export async function createSha256Hasher(): Promise<Sha256Hasher> {
  const hasher = await createSHA256();
  hasher.init();
  return {
    update(bytes) {
      hasher.update(bytes);
    },
    digest() {
      return `sha256:${hasher.digest('hex')}`;
    },
  };
}
