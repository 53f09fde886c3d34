/**
 * What a repository lists besides an image: its tags (every page of the
 * distribution-spec tag list) and the referrers of a digest (the referrers
 * API, else the `sha256-<hex>` tag schema: distribution-spec "Listing
 * Referrers" and "Referrers Tag Schema").
 */
import { InspectError, InspectErrorCode } from '../../core/errors';
import { MediaTypes } from '../../core/image/media-type';
import { parseIndex } from '../../core/image/manifest';
import { expectObject, parseJson } from '../../core/json';
import type { Descriptor, Digest } from '../../core/types';
import { fetchManifest, maxManifestBytes, type RepositoryLocator } from './api';
import { readLimited } from './body';
import { RegistryHttpError, type RegistryClient } from './client';

/** Bounds tag-list paging against a registry that never stops. */
const maxTagPages = 100;
/** A page of 100k tags is about 2 MB of JSON. */
const maxTagPageBytes = 16 * 1024 * 1024;
/** All pages together: the largest public repositories list a few 10k tags (under 1 MB). */
const maxTagListBytes = 32 * 1024 * 1024;

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
  let total = 0;
  for (let page = 0; path !== null && page < maxTagPages; page += 1) {
    const response = await client.get(signal, {
      host: locator.apiHost,
      repository: locator.repository,
      path,
    });
    const bytes = await readLimited(response, Math.min(maxTagPageBytes, maxTagListBytes - total), 'tag list', path);
    total += bytes.length;
    const body = expectObject(parseJson(new TextDecoder().decode(bytes), path), path, 'the tag list');
    // `tags` is null for a repository without tags (distribution answers so).
    if (body.tags !== null && body.tags !== undefined && !Array.isArray(body.tags)) {
      throw new InspectError(InspectErrorCode.BadJson, `${path}: "tags" is not a list`, path);
    }
    const listed: unknown[] = Array.isArray(body.tags) ? body.tags : [];
    for (const tag of listed) if (typeof tag === 'string') tags.push(tag);
    path = nextPage(response.headers.get('Link'), locator.repository);
  }
  return tags;
}

/** The `rel="next"` target when it stays on this repository's tag list (never another host). */
function nextPage(link: string | null, repository: string): string | null {
  const match = link ? /<([^>]*)>\s*;\s*rel="?next"?/.exec(link) : null;
  if (!match) return null;
  const target = new URL(match[1] ?? '', 'http://registry.invalid');
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
