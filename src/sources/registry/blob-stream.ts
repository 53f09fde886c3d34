/**
 * The bytes of a registry blob as a stream of chunks, for the first pass
 * (workers/layer.worker.ts) and for reading a layer again
 * (workers/storage/layer-reader.ts). Two things go wrong on long downloads:
 *
 * - the bearer token expires (Docker Hub's live 300 s): a 401 renews the
 *   headers once and retries; a second 401 is a real refusal (distribution
 *   spec, "Pulling blobs"; token spec: a 401 with a Bearer challenge means
 *   the token was not accepted);
 * - the connection drops in the middle of a multi-GB layer: the download
 *   resumes where it stopped with `Range: bytes=N-` (RFC 9110 §14), a few
 *   times, instead of starting the whole layer again. A server that ignores
 *   Range sends the whole blob, and the bytes already delivered are skipped.
 *
 * Headers stay in memory: never in a URL, a message or storage.
 */
import { InspectError, InspectErrorCode, toErrorInfo } from '../../core/errors';

/** Authorization headers for a registry GET. */
export type AuthHeaders = Record<string, string>;

/** Where a blob is fetched from; `path` names it in messages. */
export interface BlobUrl {
  url: string;
  path: string;
}

/**
 * Authorization of one blob's GETs: the headers known when the image was
 * opened until a 401 says they expired, then the renewed ones, for this and
 * every later GET of the blob. GETs that meet the same 401 share one renewal.
 */
export class UrlAuth {
  #headers: AuthHeaders;
  #renewing: Promise<AuthHeaders | null> | null = null;
  readonly #renew: (() => Promise<AuthHeaders | null>) | null;

  /** `renew` asks the page for fresh headers (null: they cannot be renewed). */
  constructor(headers: AuthHeaders, renew: (() => Promise<AuthHeaders | null>) | null) {
    this.#headers = headers;
    this.#renew = renew;
  }

  get headers(): AuthHeaders {
    return this.#headers;
  }

  /**
   * Headers to retry with after `refused` met a 401: those another GET
   * renewed meanwhile, or freshly asked ones; null when they cannot be renewed.
   */
  renewed(refused: AuthHeaders): Promise<AuthHeaders | null> {
    if (this.#headers !== refused) return Promise.resolve(this.#headers);
    if (this.#renew === null) return Promise.resolve(null);
    this.#renewing ??= this.#renew()
      .then((fresh) => {
        if (fresh !== null) this.#headers = fresh;
        return fresh;
      })
      .finally(() => {
        this.#renewing = null;
      });
    return this.#renewing;
  }
}

/** Options of registryBlobChunks. */
export interface BlobStreamOptions {
  /** Resumptions after a dropped connection (default 3). */
  retries?: number;
  /** Wait before the n-th resumption: n × this (default 500 ms). */
  retryDelayMs?: number;
}

/** GET of a blob URL; a failure to connect becomes a Network error naming the blob. */
async function get(blob: BlobUrl, headers: AuthHeaders): Promise<Response> {
  try {
    return await fetch(blob.url, { headers });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InspectError(InspectErrorCode.Network, `${blob.path}: request failed (${reason})`, blob.path);
  }
}

/** GETs the blob from byte `from`, renewing the headers once on a 401. */
async function fetchFrom(blob: BlobUrl, auth: UrlAuth, from: number): Promise<Response> {
  const range: AuthHeaders = from > 0 ? { Range: `bytes=${from}-` } : {};
  const sent = auth.headers;
  const response = await get(blob, { ...sent, ...range });
  if (response.status !== 401) return response;
  await response.body?.cancel();
  let fresh: AuthHeaders | null;
  try {
    fresh = await auth.renewed(sent);
  } catch (error) {
    // The page's renewal rejects with a plain InspectErrorInfo (comlink keeps its code that way).
    const info = toErrorInfo(error);
    throw new InspectError(info.code, `${blob.path}: the registry token expired and could not be renewed (${info.message})`, blob.path);
  }
  if (fresh === null) return response;
  const retried = await get(blob, { ...fresh, ...range });
  if (retried.status !== 401) return retried;
  await retried.body?.cancel();
  throw new InspectError(
    InspectErrorCode.Registry,
    `${blob.path}: the registry refused the layer (401 Unauthorized) even with a renewed token; sign in again and reopen the image`,
    blob.path,
  );
}

/** Bytes to drop from the start of `response` when resuming at `from` (the server may ignore Range). */
function bytesToSkip(blob: BlobUrl, response: Response, from: number): number {
  if (from === 0) return 0;
  if (response.status !== 206) return from;
  const range = response.headers.get('Content-Range') ?? '';
  if (!range.startsWith(`bytes ${from}-`)) {
    throw new InspectError(InspectErrorCode.Registry, `${blob.path}: asked to resume at byte ${from}, the registry sent ${range || 'no Content-Range'}`, blob.path);
  }
  return 0;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The blob's bytes, resumed after dropped connections (see the module comment). */
export async function* registryBlobChunks(blob: BlobUrl, auth: UrlAuth, options: BlobStreamOptions = {}): AsyncGenerator<Uint8Array> {
  const retries = options.retries ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 500;
  let received = 0;
  let drops = 0;
  for (;;) {
    let response: Response;
    try {
      response = await fetchFrom(blob, auth, received);
    } catch (error) {
      // A first GET that fails is reported at once (a CORS refusal looks the same and never heals).
      const network = error instanceof InspectError && error.code === InspectErrorCode.Network;
      if (received === 0 || !network || drops >= retries) throw error;
      drops += 1;
      await pause(retryDelayMs * drops);
      continue;
    }
    if (!response.ok || response.body === null) {
      await response.body?.cancel();
      throw new InspectError(InspectErrorCode.Registry, `${blob.path}: the registry answered ${response.status} ${response.statusText}`.trim(), blob.path);
    }
    let skip = bytesToSkip(blob, response, received);
    const reader = response.body.getReader();
    let finished = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          finished = true;
          return;
        }
        const chunk = skip > 0 ? value.subarray(Math.min(skip, value.length)) : value;
        skip = Math.max(0, skip - value.length);
        if (chunk.length === 0) continue;
        received += chunk.length;
        yield chunk;
      }
    } catch (error) {
      // fetch reports a dropped connection as a TypeError from read().
      if (!(error instanceof TypeError)) throw error;
      if (drops >= retries) {
        throw new InspectError(InspectErrorCode.Network, `${blob.path}: the connection dropped at byte ${received}, ${retries} resumptions failed (${error.message})`, blob.path);
      }
      drops += 1;
      await pause(retryDelayMs * drops);
    } finally {
      if (!finished) void reader.cancel().catch(() => {});
    }
  }
}
