/**
 * The distribution API calls Tarsier makes, over a RegistryClient: manifests
 * (content-negotiated, digest-checked), small blobs (configs), tag lists with
 * `Link` paging, and referrers with the tag-schema fallback
 * (distribution-spec "Listing Referrers" and "Referrers Tag Schema").
 */
import { sha256Digest } from '../../core/codec/digest';
import { InspectError, InspectErrorCode } from '../../core/errors';
import { parseIndex } from '../../core/image/manifest';
import { parseJson } from '../../core/json';
import { MediaTypes } from '../../core/image/media-type';
import type { Descriptor, Digest, MediaType, VerifyState } from '../../core/types';
import type { Reference } from './reference';
import { RegistryHttpError, type RegistryClient } from './client';

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
const maxManifestBytes = 4 * 1024 * 1024;
/** Configs of real images are KBs; history-heavy ones reach a few MB. */
const maxConfigBytes = 16 * 1024 * 1024;
/** Bounds tag-list paging against a registry that never stops. */
const maxTagPages = 100;

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

async function readLimited(
  response: Response,
  limit: number,
  what: string,
  path: string,
): Promise<Uint8Array> {
  const declared = Number(response.headers.get('Content-Length'));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel();
    throw new InspectError(
      InspectErrorCode.TooLarge,
      `${path}: the ${what} is ${declared} bytes; at most ${limit} are read.`,
      path,
    );
  }
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel();
      throw new InspectError(
        InspectErrorCode.TooLarge,
        `${path}: the ${what} is over ${limit} bytes; stopped reading.`,
        path,
      );
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/**
 * The bytes a schema1 signed manifest's digest covers: the JWS payload, i.e.
 * the text up to `formatLength` plus the decoded `formatTail` of the first
 * signature's protected header (distribution manifest/schema1, libtrust).
 */
function schema1Payload(bytes: Uint8Array, text: string): Uint8Array | null {
  try {
    const parsed = JSON.parse(text) as { signatures?: Array<{ protected?: string }> };
    const protectedHeader = parsed.signatures?.[0]?.protected;
    if (!protectedHeader) return bytes;
    const header = JSON.parse(atob(base64FromUrl(protectedHeader))) as {
      formatLength?: number;
      formatTail?: string;
    };
    if (typeof header.formatLength !== 'number' || typeof header.formatTail !== 'string')
      return null;
    const tail = Uint8Array.from(atob(base64FromUrl(header.formatTail)), (char) =>
      char.charCodeAt(0),
    );
    const payload = new Uint8Array(header.formatLength + tail.length);
    payload.set(bytes.subarray(0, header.formatLength));
    payload.set(tail, header.formatLength);
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
    const declared = (JSON.parse(text) as { mediaType?: unknown }).mediaType;
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

/**
 * Lists a repository's tags, following `Link: <…>; rel="next"` pages on the
 * same registry; `pageSize` asks for `n` tags per page.
 */
export async function listTags(
  signal: AbortSignal,
  client: RegistryClient,
  locator: RepositoryLocator,
  pageSize?: number,
): Promise<string[]> {
  const tags: string[] = [];
  const query = pageSize ? `?n=${pageSize}` : '';
  let path: string | null = `/v2/${locator.repository}/tags/list${query}`;
  for (let page = 0; path !== null && page < maxTagPages; page += 1) {
    const response = await client.get(signal, {
      host: locator.apiHost,
      repository: locator.repository,
      path,
    });
    const body = parseJson(await response.text(), path) as { tags?: unknown };
    if (Array.isArray(body.tags))
      tags.push(...body.tags.filter((tag): tag is string => typeof tag === 'string'));
    path = nextPage(response.headers.get('Link'), locator.repository);
  }
  return tags;
}

/** The `rel="next"` target when it stays on this repository's tag list (never another host). */
function nextPage(link: string | null, repository: string): string | null {
  const match = link ? /<([^>]*)>\s*;\s*rel="?next"?/.exec(link) : null;
  if (!match) return null;
  const target = new URL(match[1], 'http://registry.invalid');
  if (target.host !== 'registry.invalid' || target.pathname !== `/v2/${repository}/tags/list`)
    return null;
  return `${target.pathname}${target.search}`;
}

/**
 * Manifests that refer to `digest` (signatures, SBOMs, attestations): the
 * referrers API when the registry has it, else the `sha256-<hex>` tag that
 * holds an index of them. Empty when neither exists.
 */
export async function listReferrers(
  signal: AbortSignal,
  client: RegistryClient,
  locator: RepositoryLocator,
  digest: Digest,
): Promise<Descriptor[]> {
  const path = `/v2/${locator.repository}/referrers/${digest}`;
  try {
    const response = await client.get(signal, {
      host: locator.apiHost,
      repository: locator.repository,
      path,
      accept: MediaTypes.OciIndex,
    });
    if (response.headers.get('Content-Type')?.startsWith(MediaTypes.OciIndex)) {
      const bytes = await readLimited(response, maxManifestBytes, 'referrers index', path);
      return parseIndex(parseJson(new TextDecoder().decode(bytes), path), path).manifests;
    }
    await response.body?.cancel();
  } catch (error) {
    // Registries without the API (distribution 2.8) answer 404 from a route that sends no CORS
    // headers, which a browser reports as a network failure: both mean "try the tag schema".
    if (!isNotFound(error) && !isNetworkFailure(error)) throw error;
  }
  const fallbackTag = digest.replace(':', '-');
  try {
    const fetched = await fetchManifest(signal, client, locator, fallbackTag);
    return parseIndex(parseJson(fetched.text, fetched.path), fetched.path).manifests;
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

function isNetworkFailure(error: unknown): boolean {
  return error instanceof InspectError && error.code === InspectErrorCode.Network;
}

function isNotFound(error: unknown): boolean {
  return error instanceof RegistryHttpError && error.status === 404;
}
