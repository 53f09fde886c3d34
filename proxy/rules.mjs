/**
 * What the reference proxy lets through, kept apart from the plumbing so the
 * rules read in one place: which registries, which paths, which headers.
 * See proxy/README.md for the reasoning; docs/contracts.md "Automation hooks" for the
 * URL form `http://127.0.0.1:PORT/<host[:port]>/<path>`.
 */

/** Registries forwarded to without `--allow`: the common public ones. */
export const defaultAllowlist = [
  'registry-1.docker.io',
  'auth.docker.io',
  'ghcr.io',
  'quay.io',
  'gcr.io',
  'registry.k8s.io',
  'public.ecr.aws',
  'mcr.microsoft.com',
  '*.pkg.dev',
];

/** Headers that describe one connection, never forwarded (RFC 9110 §7.6.1), plus cookies. */
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'cookie',
  'set-cookie',
  'set-cookie2',
]);

/** Request headers a registry client needs; everything else (Origin, Referer, Cookie…) stays home. */
const forwardedRequestHeaders = new Set([
  'authorization',
  'accept',
  'range',
  'if-none-match',
  'if-match',
  'user-agent',
]);

/** CORS headers on every answer, so a page on any origin can read registry responses. */
export const corsHeaders = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Accept, Range',
  'Access-Control-Expose-Headers':
    'Docker-Content-Digest, WWW-Authenticate, Link, Content-Length, Content-Range, Location, Docker-Distribution-API-Version, Retry-After, X-Registry-Proxy-Error',
  'Access-Control-Max-Age': '600',
};

/** Header naming the proxy's own refusals, so the app can tell them from the registry's. */
export const proxyErrorHeader = 'X-Registry-Proxy-Error';

const hostPattern =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?$/;

/** True for `localhost` and 127.x.y.z, reached over plain http. */
export function isLoopback(hostWithPort) {
  const host = hostWithPort.replace(/:\d+$/, '');
  return host === 'localhost' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * Splits a proxy request target `/<host[:port]>/<path>?<query>` and refuses
 * anything ambiguous: dot segments (raw or percent-encoded), backslashes,
 * empty segments, encoded slashes. Returns null when refused.
 */
export function parseTarget(requestUrl) {
  if (!requestUrl.startsWith('/')) return null;
  const queryAt = requestUrl.indexOf('?');
  const rawPath = queryAt === -1 ? requestUrl : requestUrl.slice(0, queryAt);
  const query = queryAt === -1 ? '' : requestUrl.slice(queryAt);
  if (/[\\\s]|%2f|%5c|%00/i.test(rawPath)) return null;
  let decoded;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  const segments = decoded.split('/').slice(1);
  // An empty segment is allowed last only: `/v2/` ends with a slash.
  const inner = segments.slice(0, -1);
  if (
    inner.some((segment) => segment === '') ||
    segments.some((segment) => segment === '.' || segment === '..')
  ) {
    return null;
  }
  const [host, ...rest] = segments;
  if (!host || !hostPattern.test(host) || rest.length === 0) return null;
  return { host, path: `/${rawPath.split('/').slice(2).join('/')}`, query };
}

/** True when `host[:port]` matches an allowlist entry (`*.pkg.dev` wildcards; a port-less entry matches any port). */
export function isAllowedHost(hostWithPort, allowlist) {
  const host = hostWithPort.replace(/:\d+$/, '');
  return allowlist.some((entry) => {
    if (entry.startsWith('*.'))
      return host.endsWith(entry.slice(1)) && host.length > entry.length - 1;
    return entry.includes(':') ? entry === hostWithPort : entry === host;
  });
}

/** True for the distribution API's paths: `/v2/` and below. */
export function isRegistryApiPath(path) {
  return path === '/v2' || path === '/v2/' || path.startsWith('/v2/');
}

/** The headers to send upstream; Authorization only when `withAuthorization`. */
export function upstreamRequestHeaders(incoming, withAuthorization) {
  const headers = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (!forwardedRequestHeaders.has(name)) continue;
    if (name === 'authorization' && !withAuthorization) continue;
    headers[name] = value;
  }
  return headers;
}

/** The upstream response headers a browser may see: hop-by-hop, cookies and upstream CORS dropped. */
export function downstreamResponseHeaders(upstream) {
  const headers = {};
  for (const [name, value] of Object.entries(upstream)) {
    if (hopByHop.has(name) || name.startsWith('access-control-') || value === undefined) continue;
    headers[name] = value;
  }
  return { ...headers, ...corsHeaders };
}

/**
 * Finds the Bearer realm in a `WWW-Authenticate` value. Returns the realm
 * URL and the header with the realm pointed at the proxy, or null.
 */
export function rewriteRealm(header, proxyOrigin) {
  const match = /realm="([^"]*)"/i.exec(header);
  if (!match) return null;
  let realm;
  try {
    realm = new URL(match[1]);
  } catch {
    return null;
  }
  if (realm.protocol !== 'https:' && realm.protocol !== 'http:') return null;
  if (!hostPattern.test(realm.host)) return null;
  const proxied = `${proxyOrigin}/${realm.host}${realm.pathname}${realm.search}`;
  return { realm, header: header.replace(match[0], `realm="${proxied}"`) };
}
