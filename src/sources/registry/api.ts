/**
 * The distribution API calls Tarsier makes, over a RegistryClient: manifests
 * (content-negotiated, digest-checked) and small blobs (configs); tag lists
 * and referrers are in listing.ts.
 */
import { sha256Digest } from '../../core/codec/digest';
import { InspectError, InspectErrorCode } from '../../core/errors';
import { isObject } from '../../core/json';
import { MediaTypes } from '../../core/image/media-type';
import type { Descriptor, Digest, MediaType, VerifyState } from '../../core/types';
import type { Reference } from './reference';
import { readLimited } from './body';
import type { RegistryClient } from './client';

/** Every manifest kind we can show, best first (schema1 last: deprecated). */
export const manifestAccept = [
  MediaTypes.OciIndex,
  MediaTypes.OciManifest,
  MediaTypes.DockerManifestList,
  MediaTypes.DockerManifest,
  `${MediaTypes.DockerSchema1Signed};q=0.5`,
  `${MediaTypes.DockerSchema1};q=0.5`,
].join(', ');

/** The OCI spec asks registries to accept manifests of at least 4 MiB; more is hostile. */
export const maxManifestBytes = 4 * 1024 * 1024;
/** Configs of real images are KBs; history-heavy ones reach a few MB. */
const maxConfigBytes = 16 * 1024 * 1024;

/** OCI digest grammar (descriptor.md "Digests"); anything else never goes into a URL. */
const digestPattern = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const tagPattern = /^[\w][\w.-]{0,127}$/;

/** True for a digest that may be put in a registry URL path. */
export function isWellFormedDigest(digest: string): boolean {
  return digestPattern.test(digest);
}

function checkIdentifier(identifier: string, path: string): void {
  if (digestPattern.test(identifier) || tagPattern.test(identifier)) return;
  throw new InspectError(
    InspectErrorCode.BadJson,
    `${path}: "${identifier.slice(0, 80)}" is neither a digest nor a tag; not fetched.`,
    path,
  );
}

/** Where a repository lives: the parts of a Reference the API needs. */
export type RepositoryLocator = Pick<Reference, 'apiHost' | 'repository'>;

/** A manifest as fetched. */
export interface FetchedManifest {
  bytes: Uint8Array;
  text: string;
  /** Content-Type, or the document's own `mediaType` when the header is generic. */
  mediaType: MediaType | null;
  /** The digest that names it: requested digest, else Docker-Content-Digest, else computed. */
  digest: Digest;
  /** sha256 of the bytes (for schema1, of the payload without signatures). */
  computedDigest: Digest;
  verified: VerifyState;
  /** Registry path it came from, e.g. `/v2/library/alpine/manifests/3.20`. */
  path: string;
}

/**
 * The bytes a schema1 signed manifest's digest covers: the JWS payload, i.e.
 * the text up to `formatLength` plus the decoded `formatTail` of the first
 * signature's protected header (distribution manifest/schema1, libtrust).
 */
function schema1Payload(bytes: Uint8Array, text: string): Uint8Array | null {
  try {
    const parsed: unknown = JSON.parse(text);
    const signatures = isObject(parsed) && Array.isArray(parsed.signatures) ? parsed.signatures : [];
    const first: unknown = signatures[0];
    const protectedHeader = isObject(first) ? first.protected : undefined;
    if (protectedHeader === undefined) return bytes;
    if (typeof protectedHeader !== 'string') return null;
    const header: unknown = JSON.parse(atob(base64FromUrl(protectedHeader)));
    if (!isObject(header)) return null;
    const { formatLength, formatTail } = header;
    // The payload is a prefix of the bytes received: a length past them is a lie, never an allocation.
    if (typeof formatLength !== 'number' || !Number.isSafeInteger(formatLength)) return null;
    if (formatLength < 0 || formatLength > bytes.length || typeof formatTail !== 'string') return null;
    const tail = Uint8Array.from(atob(base64FromUrl(formatTail)), (char) => char.charCodeAt(0));
    const payload = new Uint8Array(formatLength + tail.length);
    payload.set(bytes.subarray(0, formatLength));
    payload.set(tail, formatLength);
    return payload;
  } catch {
    return null;
  }
}

function base64FromUrl(text: string): string {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  return base64 + '='.repeat((4 - (base64.length % 4)) % 4);
}

function mediaTypeOf(contentType: string | null, text: string): MediaType | null {
  const header = contentType?.split(';')[0]?.trim() ?? '';
  if (header && header !== 'application/json' && header !== 'text/plain') return header;
  try {
    const value: unknown = JSON.parse(text);
    const declared = isObject(value) ? value.mediaType : undefined;
    return typeof declared === 'string' ? declared : header || null;
  } catch {
    return header || null;
  }
}

/** GETs `/v2/<name>/manifests/<tag or digest>` and checks its digest. */
export async function fetchManifest(
  signal: AbortSignal,
  client: RegistryClient,
  locator: RepositoryLocator,
  identifier: string,
): Promise<FetchedManifest> {
  const path = `/v2/${locator.repository}/manifests/${identifier}`;
  checkIdentifier(identifier, path);
  const response = await client.get(signal, {
    host: locator.apiHost,
    repository: locator.repository,
    path,
    accept: manifestAccept,
  });
  const bytes = await readLimited(response, maxManifestBytes, 'manifest', path);
  const text = new TextDecoder().decode(bytes);
  const mediaType = mediaTypeOf(response.headers.get('Content-Type'), text);
  const isSchema1 =
    mediaType === MediaTypes.DockerSchema1Signed || mediaType === MediaTypes.DockerSchema1;
  const payload = isSchema1 ? schema1Payload(bytes, text) : bytes;
  const computedDigest = await sha256Digest(payload ?? bytes);
  const requested = identifier.startsWith('sha256:') ? identifier : null;
  const header = response.headers.get('Docker-Content-Digest');
  const expected = requested ?? (header?.startsWith('sha256:') ? header : null);
  let verified: VerifyState = 'unchecked';
  if (expected && payload) verified = expected === computedDigest ? 'ok' : 'mismatch';
  return {
    bytes,
    text,
    mediaType,
    digest: expected ?? computedDigest,
    computedDigest,
    verified,
    path,
  };
}

/** A small blob (a config) as text, with its digest checked against the descriptor. */
export interface FetchedBlob {
  bytes: Uint8Array;
  text: string;
  computedDigest: Digest;
  verified: VerifyState;
  path: string;
}

/** GETs a small blob (config) whole; large blobs go to the worker pipeline by URL instead. */
export async function fetchSmallBlob(
  signal: AbortSignal,
  client: RegistryClient,
  locator: RepositoryLocator,
  descriptor: Descriptor,
): Promise<FetchedBlob> {
  const path = `/v2/${locator.repository}/blobs/${descriptor.digest}`;
  if (!isWellFormedDigest(descriptor.digest)) checkIdentifier(descriptor.digest, path);
  if (descriptor.size > maxConfigBytes) {
    throw new InspectError(
      InspectErrorCode.TooLarge,
      `${path}: the descriptor says ${descriptor.size} bytes; at most ${maxConfigBytes} are read.`,
      path,
    );
  }
  const response = await client.get(signal, {
    host: locator.apiHost,
    repository: locator.repository,
    path,
  });
  const bytes = await readLimited(response, maxConfigBytes, 'blob', path);
  const computedDigest = await sha256Digest(bytes);
  const verified: VerifyState = descriptor.digest.startsWith('sha256:')
    ? computedDigest === descriptor.digest && bytes.length === descriptor.size
      ? 'ok'
      : 'mismatch'
    : 'unchecked';
  return { bytes, text: new TextDecoder().decode(bytes), computedDigest, verified, path };
}
