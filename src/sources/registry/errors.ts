/**
 * Registry answers turned into InspectErrors whose messages say what to do:
 * HTTP statuses (with the distribution error body's code, spec "Error
 * Codes"), and the reference proxy's own refusals.
 */
import { InspectError, InspectErrorCode } from '../../core/errors';
import { isObject } from '../../core/json';
import { readPrefix } from './body';

/** What a failed request asked for (the parts messages name). */
export interface FailedRequest {
  host: string;
  repository: string;
  path: string;
}

/** A registry's non-success answer; `status` lets callers treat 404 as "absent". */
export class RegistryHttpError extends InspectError {
  constructor(
    readonly status: number,
    message: string,
    path: string,
  ) {
    super(status === 401 ? InspectErrorCode.Unauthorized : InspectErrorCode.Registry, message, path);
  }
}

/** The proxy's own refusal (see proxy/server.mjs `refuse`), as a message saying what to do. */
export async function proxyRefusal(
  request: FailedRequest,
  kind: string,
  response: Response,
): Promise<InspectError> {
  const detail = (await errorDetail(response)).replace(/^ \(DENIED: (.*)\)$/, '$1');
  if (kind === 'not-allowed') {
    return new InspectError(
      InspectErrorCode.Network,
      `The Registry proxy does not forward to ${request.host}. Restart it with --allow ${request.host} if you trust that registry.`,
      request.path,
    );
  }
  if (kind === 'unreachable') {
    return new InspectError(
      InspectErrorCode.Network,
      `The Registry proxy could not reach ${request.host}: ${detail}`,
      request.path,
    );
  }
  return new InspectError(
    InspectErrorCode.Network,
    `The Registry proxy refused the request (${kind}): ${detail}`,
    request.path,
  );
}

export function registryError(message: string, path: string | null): InspectError {
  return new InspectError(InspectErrorCode.Registry, message, path);
}

/** The registry wants (other) credentials: the page offers its sign-in form for this code. */
export function loginError(message: string, path: string | null): InspectError {
  return new InspectError(InspectErrorCode.Unauthorized, message, path);
}

/** The first error of a distribution error body (`{"errors":[{code, message}]}`), shortened. */
async function errorDetail(response: Response): Promise<string> {
  try {
    const text = new TextDecoder().decode(await readPrefix(response, 2048));
    const parsed: unknown = JSON.parse(text);
    const errors = isObject(parsed) && Array.isArray(parsed.errors) ? parsed.errors : [];
    const first: unknown = errors[0];
    if (isObject(first) && typeof first.code === 'string') {
      const message = typeof first.message === 'string' ? `: ${first.message.slice(0, 200)}` : '';
      return ` (${first.code.slice(0, 80)}${message})`;
    }
  } catch {
    // Not a distribution error body (or cut at 2 KiB); the status says enough.
  }
  return '';
}

export async function statusError(
  request: FailedRequest,
  response: Response,
  hasCredentials: boolean,
): Promise<InspectError> {
  const detail = await errorDetail(response);
  const { host, repository, path } = request;
  const registryError = (message: string, at: string) =>
    new RegistryHttpError(response.status, message, at);
  switch (response.status) {
    case 401:
      return registryError(
        hasCredentials
          ? `${host} rejected the username or password for ${repository}${detail}.`
          : `${host} wants a login for ${repository}${detail}. Enter a username and password.`,
        path,
      );
    case 403:
      return registryError(
        `${host} denied access to ${repository}${detail}. Check the name and your permissions.`,
        path,
      );
    case 404:
      return registryError(
        `${host} has no ${describe(path)}${detail}. Check the repository name, tag or digest.`,
        path,
      );
    case 429: {
      const retryAfter = response.headers.get('Retry-After');
      const wait = retryAfter
        ? ` Try again in ${retryAfter} seconds.`
        : ' Wait a little and try again.';
      return registryError(`${host} is rate-limiting requests (429)${detail}.${wait}`, path);
    }
    default:
      return registryError(
        `${host} answered ${response.status} for ${describe(path)}${detail}.`,
        path,
      );
  }
}

function describe(path: string): string {
  const match = /^\/v2\/(.+)\/(manifests|blobs|tags|referrers)\/(.*)$/.exec(path);
  if (!match) return path;
  const [, name, kind, rest] = match;
  if (kind === 'manifests') return `manifest ${name}:${rest}`.replace(':sha256:', '@sha256:');
  if (kind === 'blobs') return `blob ${rest} in ${name}`;
  if (kind === 'tags') return `tag list for ${name}`;
  return `referrers of ${rest} in ${name}`;
}
