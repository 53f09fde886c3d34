/**
 * Tarsier registry CORS proxy: the Cloudflare Workers recipe (module syntax).
 *
 * Same contract as proxy/server.mjs (see proxy/README.md):
 *   GET/HEAD https://<worker>/<registry host[:port]>/v2/...  ->  https://<host>/v2/...
 * for allowlisted registries, plus token realms. Workers keep no state between
 * isolates, so a realm is forwarded when it is one of the well-known token
 * endpoints below or was named by a challenge this isolate proxied.
 *
 * Deploy: `npx wrangler deploy proxy/cloudflare-worker.js --name tarsier-proxy`
 * (wrangler bundles rules.mjs, the allowlist and path rules shared with
 * server.mjs); extra registries go in the ALLOW variable (comma-separated
 * `host[:port]`). proxy/workerd.capnp runs this module under workerd as it
 * is, which is how test/unit/proxy-contract.test.ts tests it.
 */
import {
  corsHeaders,
  defaultAllowlist,
  downstreamResponseHeaders,
  isAllowedHost,
  isLoopback,
  isRegistryApiPath,
  parseTarget,
  proxyErrorHeader,
  upstreamRequestHeaders,
} from './rules.mjs';

/** Token endpoints the registries above name in their challenges. */
const knownRealms = new Set([
  'auth.docker.io/token',
  'ghcr.io/token',
  'public.ecr.aws/token',
  'quay.io/v2/auth',
]);
/** Realms named by challenges this isolate has proxied. */
const seenRealms = new Set();

const maxRedirects = 5;

function refuse(status, kind, message) {
  return new Response(JSON.stringify({ errors: [{ code: 'DENIED', message }] }), {
    status,
    headers: { ...corsHeaders, 'Content-Type': 'application/json', [proxyErrorHeader]: kind },
  });
}

/** Fetches upstream, following redirects here; Authorization only to the original host. */
async function fetchFollowing(url, init, originalHost) {
  let target = url;
  for (let hop = 0; hop <= maxRedirects; hop += 1) {
    const headers = new Headers(init.headers);
    if (target.host !== originalHost) headers.delete('authorization');
    const response = await fetch(target.toString(), {
      method: init.method,
      headers,
      redirect: 'manual',
    });
    const location = response.headers.get('location');
    if (![301, 302, 303, 307, 308].includes(response.status) || !location) return response;
    target = new URL(location, target);
    if (target.protocol !== 'https:' && !(target.protocol === 'http:' && isLoopback(originalHost)))
      break;
  }
  return refuse(502, 'bad-redirect', 'The registry redirected too often or to a non-https URL.');
}

/** Handles one request; exported for tests. */
export async function handleRequest(request, env = {}) {
  if (request.method === 'OPTIONS')
    return new Response(null, { status: 204, headers: corsHeaders });
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return refuse(405, 'method', `The proxy forwards only GET and HEAD, not ${request.method}.`);
  }
  // Parse the path as sent: new URL() would already have removed "..".
  const raw = request.url.replace(/^[a-z]+:\/\/[^/]+/i, '');
  const target = parseTarget(raw);
  if (!target)
    return refuse(
      403,
      'bad-path',
      'The proxy expects /<registry host[:port]>/v2/... without dot segments.',
    );
  const allowlist = [
    ...defaultAllowlist,
    ...String(env.ALLOW ?? '')
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean),
  ];
  const isApi = isAllowedHost(target.host, allowlist) && isRegistryApiPath(target.path);
  const realmKey = `${target.host}${target.path}`;
  if (!isApi && !knownRealms.has(realmKey) && !seenRealms.has(realmKey)) {
    return refuse(
      403,
      'not-allowed',
      `${target.host}${target.path} is not forwarded by this proxy.`,
    );
  }
  const protocol = isLoopback(target.host) ? 'http:' : 'https:';
  const url = new URL(`${protocol}//${target.host}${target.path}${target.query}`);
  // Authorization goes upstream here too: redirects to other hosts drop it in fetchFollowing.
  const headers = upstreamRequestHeaders(Object.fromEntries(request.headers), true);
  let upstream;
  try {
    upstream = await fetchFollowing(url, { method: request.method, headers }, url.host);
  } catch (error) {
    return refuse(502, 'unreachable', `${target.host} could not be reached: ${error.message}`);
  }
  const outgoing = new Headers(downstreamResponseHeaders(Object.fromEntries(upstream.headers)));
  const challenge = upstream.headers.get('www-authenticate');
  const realm = challenge && isApi ? /realm="(https?:\/\/[^"]*)"/i.exec(challenge) : null;
  if (realm) {
    const realmUrl = new URL(realm[1]);
    seenRealms.add(`${realmUrl.host}${realmUrl.pathname}`);
    const origin = new URL(request.url).origin;
    outgoing.set(
      'www-authenticate',
      challenge.replace(
        realm[0],
        `realm="${origin}/${realmUrl.host}${realmUrl.pathname}${realmUrl.search}"`,
      ),
    );
  }
  // The body streams through untouched.
  return new Response(upstream.body, { status: upstream.status, headers: outgoing });
}

export default { fetch: handleRequest };
