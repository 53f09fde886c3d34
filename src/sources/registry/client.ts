/**
 * A client for the OCI distribution API
 * (https://github.com/opencontainers/distribution-spec/blob/main/spec.md):
 * GET manifests, blobs, tag lists and referrers, with Docker-style auth, over
 * an injected `fetch` (the browser's, a worker's, or Node's in tests).
 *
 * Routing: registries reached from a web page must send CORS headers; most
 * do not, so requests can go through the reference proxy instead
 * (`http://127.0.0.1:PORT/<host[:port]>/<path>`, see proxy/README.md). In
 * `auto` mode a request that fails as a network error (which is how a
 * browser reports a CORS refusal) is retried through the proxy, and that
 * registry stays on the proxy from then on.
 */
import { InspectError, InspectErrorCode, isAbortError } from '../../core/errors';
import {
  basicAuthorization,
  parseChallenge,
  pullScope,
  tokenFromResponse,
  tokenUrl,
  type RegistryCredentials,
} from './auth';
import { isLoopbackHost } from './reference';
import { loginError, proxyRefusal, registryError, statusError } from './errors';

export { RegistryHttpError } from './errors';

/** The subset of `fetch` the client uses. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** How to reach registries: straight, through the proxy, or straight with the proxy as fallback. */
export type RegistryMode = 'direct' | 'proxy' | 'auto';

/** Options of a RegistryClient. */
export interface RegistryClientOptions {
  fetch: FetchLike;
  /** Base URL of the reference proxy (e.g. `http://127.0.0.1:8787`), or null. */
  proxyUrl?: string | null;
  mode: RegistryMode;
  /** Sent to token endpoints and Basic-auth registries only. */
  credentials?: RegistryCredentials | null;
  /**
   * Registries `auto` mode has moved to the proxy, shared between clients so
   * that a page learns once per registry that it sends no CORS headers.
   */
  proxiedHosts?: Set<string>;
}

/** One GET against a registry. */
export interface RegistryRequest {
  /** Host[:port] serving the API. */
  host: string;
  /** Repository the request concerns (the auth scope). */
  repository: string;
  /** Path starting with `/v2/`. */
  path: string;
  accept?: string;
  /** `HEAD` asks only whether the object exists (and for its digest); default `GET`. */
  method?: 'GET' | 'HEAD';
}

/** Header the reference proxy sets on refusals of its own (as opposed to the registry's). */
export const proxyErrorHeader = 'X-Registry-Proxy-Error';

type Route = 'direct' | 'proxy';

/** Thrown inside a route attempt when the network (or CORS) failed; triggers the fallback. */
class NetworkFailure extends Error {
  constructor(readonly reason: unknown) {
    super('network failure');
  }
}

/** Distribution API client with token cache and proxy routing. */
export class RegistryClient {
  readonly #fetch: FetchLike;
  readonly #proxyUrl: string | null;
  readonly #mode: RegistryMode;
  readonly #credentials: RegistryCredentials | null;
  /** Registries `auto` mode has moved to the proxy. */
  readonly #proxiedHosts: Set<string>;
  /** Bearer tokens by `host scope`. */
  readonly #tokens = new Map<string, string>();
  /** Registries that answered with a Basic challenge. */
  readonly #basicHosts = new Set<string>();

  constructor(options: RegistryClientOptions) {
    // Called unbound: `window.fetch` called as a method of another object throws "Illegal invocation".
    const fetchFunction = options.fetch;
    this.#fetch = (input, init) => fetchFunction(input, init);
    this.#proxyUrl = options.proxyUrl ? options.proxyUrl.replace(/\/+$/, '') : null;
    this.#mode = options.mode;
    this.#credentials = options.credentials ?? null;
    this.#proxiedHosts = options.proxiedHosts ?? new Set<string>();
    if (this.#mode === 'proxy' && this.#proxyUrl === null) {
      throw new InspectError(
        InspectErrorCode.Network,
        'Proxy mode needs a Registry proxy URL (e.g. http://127.0.0.1:8787).',
      );
    }
  }

  #route(host: string): Route {
    if (this.#mode === 'proxy') return 'proxy';
    return this.#mode === 'auto' && this.#proxiedHosts.has(host) ? 'proxy' : 'direct';
  }

  /** The URL to GET `path` on `host`, through the proxy when that is the route. */
  urlFor(host: string, path: string): string {
    if (this.#route(host) === 'proxy') return `${this.#proxyUrl}/${host}${path}`;
    return `${isLoopbackHost(host) ? 'http' : 'https'}://${host}${path}`;
  }

  /** Authorization headers for `repository` on `host`, as known now (for blob URLs a worker fetches). */
  authHeaders(host: string, repository: string): Record<string, string> {
    const token = this.#tokens.get(`${host} ${pullScope(repository)}`);
    if (token) return { Authorization: `Bearer ${token}` };
    if (this.#basicHosts.has(host) && this.#credentials) {
      return { Authorization: basicAuthorization(this.#credentials) };
    }
    return {};
  }

  /**
   * Forgets the cached token for `repository` and asks the registry again
   * (a HEAD of `path`, which answers 401 with a fresh challenge), returning
   * the new Authorization headers. Bearer tokens are short-lived (Docker
   * Hub's last 300 s), so a worker whose blob GET was refused calls this.
   */
  async refreshAuthHeaders(
    signal: AbortSignal,
    host: string,
    repository: string,
    path: string,
  ): Promise<Record<string, string>> {
    this.#tokens.delete(`${host} ${pullScope(repository)}`);
    const response = await this.get(signal, { host, repository, path, method: 'HEAD' });
    await response.body?.cancel();
    return this.authHeaders(host, repository);
  }

  /**
   * GETs a registry path and returns the successful response; handles auth
   * challenges and the `auto` fallback; anything else becomes an InspectError.
   */
  async get(signal: AbortSignal, request: RegistryRequest): Promise<Response> {
    try {
      return await this.#getOnRoute(signal, request);
    } catch (error) {
      if (!(error instanceof NetworkFailure)) throw error;
      const canFallBack =
        this.#mode === 'auto' && this.#proxyUrl !== null && this.#route(request.host) === 'direct';
      if (!canFallBack) throw this.#networkError(request.host, error);
      this.#proxiedHosts.add(request.host);
      try {
        return await this.#getOnRoute(signal, request);
      } catch (retryError) {
        if (retryError instanceof NetworkFailure)
          throw this.#networkError(request.host, retryError);
        throw retryError;
      }
    }
  }

  async #getOnRoute(signal: AbortSignal, request: RegistryRequest): Promise<Response> {
    let response = await this.#send(signal, request);
    if (response.status === 401) {
      const challenge = parseChallenge(response.headers.get('WWW-Authenticate'));
      await response.body?.cancel();
      if (challenge?.scheme === 'bearer' && challenge.params.realm) {
        await this.#fetchToken(
          signal,
          request,
          challenge.params.realm,
          challenge.params.service,
          challenge.params.scope,
        );
      } else if (challenge?.scheme === 'basic') {
        if (!this.#credentials) {
          throw loginError(
            `${request.host} asks for a username and password. Enter them and try again.`,
            request.path,
          );
        }
        this.#basicHosts.add(request.host);
      } else {
        throw registryError(
          `${request.host} refused the request (401) without saying how to log in.`,
          request.path,
        );
      }
      response = await this.#send(signal, request);
    }
    if (!response.ok) throw await statusError(request, response, this.#credentials !== null);
    return response;
  }

  async #send(signal: AbortSignal, request: RegistryRequest): Promise<Response> {
    const headers: Record<string, string> = {
      ...this.authHeaders(request.host, request.repository),
    };
    if (request.accept) headers.Accept = request.accept;
    const url = this.urlFor(request.host, request.path);
    const response = await this.#fetchOrFail(url, { method: request.method ?? 'GET', headers, signal });
    const proxyError = response.headers.get(proxyErrorHeader);
    if (proxyError) throw await proxyRefusal(request, proxyError, response);
    return response;
  }

  async #fetchOrFail(url: string, init: RequestInit): Promise<Response> {
    try {
      return await this.#fetch(url, init);
    } catch (error) {
      if (isAbortError(error)) throw error;
      throw new NetworkFailure(error);
    }
  }

  async #fetchToken(
    signal: AbortSignal,
    request: RegistryRequest,
    realm: string,
    service: string | undefined,
    challengeScope: string | undefined,
  ): Promise<void> {
    const scope = pullScope(request.repository);
    const params: Record<string, string> = { realm };
    if (service) params.service = service;
    let url: string;
    try {
      url = tokenUrl({ scheme: 'bearer', params }, challengeScope ?? scope);
    } catch {
      throw registryError(`${request.host} named a token service that is not a URL.`, request.path);
    }
    const headers: Record<string, string> = {};
    if (this.#credentials) {
      if (!this.#isSafeForCredentials(url)) {
        throw registryError(
          `${request.host} named a token service over plain http (${new URL(url).host}); the password is not sent there.`,
          request.path,
        );
      }
      headers.Authorization = basicAuthorization(this.#credentials);
    }
    const response = await this.#fetchOrFail(url, { headers, signal });
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw loginError(
        this.#credentials
          ? `The token service of ${request.host} rejected the username or password.`
          : `${request.host} wants a login for ${request.repository}. Enter a username and password, or check the name.`,
        request.path,
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw registryError(
        `The token service of ${request.host} answered ${response.status}.`,
        request.path,
      );
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw registryError(
        `The token service of ${request.host} sent something that is not JSON.`,
        request.path,
      );
    }
    const token = tokenFromResponse(body);
    if (!token)
      throw registryError(`The token service of ${request.host} sent no token.`, request.path);
    this.#tokens.set(`${request.host} ${scope}`, token);
  }

  /** Passwords go over https, to loopback, or to the Registry proxy the person configured. */
  #isSafeForCredentials(url: string): boolean {
    const parsed = new URL(url);
    if (parsed.protocol === 'https:' || isLoopbackHost(parsed.host)) return true;
    return this.#proxyUrl !== null && url.startsWith(`${this.#proxyUrl}/`);
  }

  #networkError(host: string, failure: NetworkFailure): InspectError {
    const viaProxy = this.#route(host) === 'proxy';
    const reason = failure.reason instanceof Error ? ` (${failure.reason.message})` : '';
    const message = viaProxy
      ? `The Registry proxy at ${this.#proxyUrl} did not answer${reason}. Start it with \`npm run proxy -- --port 8787\` (add --allow ${host} for other registries) and try again.`
      : `${host} refused the request (CORS) or is unreachable${reason}. Set a Registry proxy (run \`npm run proxy\`, then enter http://127.0.0.1:8787) and try again.`;
    return new InspectError(InspectErrorCode.Network, message, null);
  }
}
