/**
 * Registry authentication as Docker clients do it: a 401 carries a
 * `WWW-Authenticate` challenge (RFC 7235). `Basic` means send the credentials
 * on every request; `Bearer realm=…,service=…,scope=…` means fetch a token from
 * the realm (https://distribution.github.io/distribution/spec/auth/token/),
 * with Basic credentials when the person gave some, and send it as
 * `Authorization: Bearer <token>`.
 */

/** A parsed `WWW-Authenticate` challenge. */
export interface AuthChallenge {
  /** Lowercased scheme: `bearer`, `basic`, … */
  scheme: string;
  /** Auth parameters with lowercased names (`realm`, `service`, `scope`, `error`). */
  params: Record<string, string>;
}

/** Username and password for a registry; never put into URLs, documents or messages. */
export interface RegistryCredentials {
  username: string;
  password: string;
}

/**
 * Parses the first challenge of a `WWW-Authenticate` header, honouring quoted
 * strings (a scope such as `repository:a/b:pull,push` contains commas).
 */
export function parseChallenge(header: string | null): AuthChallenge | null {
  if (!header) return null;
  const match = /^\s*([A-Za-z][A-Za-z0-9._~+/-]*)\s*/.exec(header);
  if (!match) return null;
  const params: Record<string, string> = {};
  const paramPattern = /([A-Za-z][A-Za-z0-9._-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/y;
  paramPattern.lastIndex = match[0].length;
  let param: RegExpExecArray | null;
  // The sticky pattern stops at a second challenge, which starts with a bare scheme word.
  while ((param = paramPattern.exec(header)) !== null) {
    const name = param[1].toLowerCase();
    const value = param[2] !== undefined ? param[2].replace(/\\(.)/g, '$1') : (param[3] ?? '');
    params[name] = value;
  }
  return { scheme: match[1].toLowerCase(), params };
}

/** `Authorization: Basic …` value (RFC 7617, UTF-8). */
export function basicAuthorization(credentials: RegistryCredentials): string {
  const bytes = new TextEncoder().encode(`${credentials.username}:${credentials.password}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

/** The pull scope for a repository (token spec "scope" parameter). */
export function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

/** Token request URL: the realm with `service` and `scope` query parameters added. */
export function tokenUrl(challenge: AuthChallenge, scope: string): string {
  const url = new URL(challenge.params.realm ?? '');
  if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
  url.searchParams.set('scope', scope);
  return url.toString();
}

/** The token from a token endpoint's JSON (`token`, or OAuth2's `access_token`). */
export function tokenFromResponse(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  const token = record.token ?? record.access_token;
  return typeof token === 'string' && token !== '' ? token : null;
}
