#!/usr/bin/env node
/**
 * Tarsier's reference CORS proxy for container registries.
 *
 *   npm run proxy -- --port 8787 --allow localhost:5000 --allow registry.example.com
 *
 * `GET http://127.0.0.1:PORT/<host[:port]>/<path>` is forwarded to
 * `https://<host[:port]>/<path>` (http for localhost/127.x) when the host is
 * allowlisted and the path is under `/v2/`, or when it is exactly a token
 * realm that such a registry's `WWW-Authenticate` challenge named (the realm
 * in the header is rewritten to go through the proxy). Everything else: 403.
 * Bodies stream both ways; blob redirects to object storage are followed
 * here, without the Authorization header when the host changes. CORS headers
 * go on every answer. Node built-ins only. See proxy/README.md.
 */
import http from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  corsHeaders,
  defaultAllowlist,
  downstreamResponseHeaders,
  isAllowedHost,
  isLoopback,
  isRegistryApiPath,
  parseTarget,
  proxyErrorHeader,
  rewriteRealm,
  upstreamRequestHeaders,
} from './rules.mjs';

export { defaultAllowlist } from './rules.mjs';

const maxRedirects = 5;
const upstreamTimeoutMs = 30_000;

/**
 * Answers with the proxy's own error: `X-Registry-Proxy-Error: <kind>` tells
 * the app it came from the proxy (not-allowed, bad-path, method,
 * unreachable, bad-redirect); the body is a distribution-style error.
 */
function refuse(response, status, kind, reason) {
  const body = JSON.stringify({ errors: [{ code: 'DENIED', message: reason }] });
  response.writeHead(status, {
    ...corsHeaders,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    [proxyErrorHeader]: kind,
  });
  response.end(body);
}

/**
 * Creates the proxy (not yet listening). Options:
 *  - allow: extra `host[:port]` entries (`localhost:5000`, `*.example.com`);
 *  - defaults: include defaultAllowlist (default true);
 *  - publicOrigin: URL the browser reaches the proxy at, for realm
 *    rewriting (default: from the Host header and, when mounted as
 *    middleware, the mount path);
 *  - log: (line) => void, or null for silence. Lines never contain headers,
 *    query strings or tokens.
 */
export function createProxyServer(options = {}) {
  return http.createServer(createProxyHandler(options));
}

/**
 * The proxy as a `(request, response)` handler, for mounting in another
 * server, e.g. Vite's dev server: `server.middlewares.use('/registry-proxy',
 * createProxyHandler({ allow: ['localhost:5000'] }))`. Connect strips the
 * mount path from `request.url` and keeps it in `request.originalUrl`, which
 * is how rewritten realms keep the prefix.
 */
export function createProxyHandler({
  allow = [],
  defaults = true,
  publicOrigin = null,
  log = null,
} = {}) {
  const allowlist = [
    ...(defaults ? defaultAllowlist : []),
    ...allow.map((entry) => entry.toLowerCase()),
  ];
  /** Token realms named by challenges of allowed registries: `host/path` → protocol. */
  const realms = new Map();

  function originOf(request) {
    if (publicOrigin) return publicOrigin.replace(/\/+$/, '');
    const host = request.headers.host ?? '';
    const port = request.socket.localPort;
    const origin = /^[A-Za-z0-9.-]+(?::\d+)?$/.test(host)
      ? `http://${host}`
      : `http://127.0.0.1:${port}`;
    const { originalUrl, url } = request;
    const mounted = typeof originalUrl === 'string' && url && originalUrl.endsWith(url);
    return mounted ? `${origin}${originalUrl.slice(0, originalUrl.length - url.length)}` : origin;
  }

  function handle(request, response) {
    if (request.method === 'OPTIONS') {
      response.writeHead(204, corsHeaders);
      response.end();
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      refuse(
        response,
        405,
        'method',
        `The proxy forwards only GET and HEAD, not ${request.method}.`,
      );
      return;
    }
    const target = parseTarget(request.url ?? '');
    if (!target) {
      refuse(
        response,
        403,
        'bad-path',
        'The proxy expects /<registry host[:port]>/v2/... without dot segments.',
      );
      return;
    }
    const realmProtocol = realms.get(`${target.host}${target.path}`);
    const allowedApi = isAllowedHost(target.host, allowlist) && isRegistryApiPath(target.path);
    if (!allowedApi && !realmProtocol) {
      const reason = isAllowedHost(target.host, allowlist)
        ? `only /v2/ paths and token realms are forwarded, not ${target.path}`
        : `${target.host} is not on the proxy's allowlist`;
      refuse(response, 403, 'not-allowed', reason);
      return;
    }
    const protocol =
      realmProtocol && !allowedApi ? realmProtocol : isLoopback(target.host) ? 'http:' : 'https:';
    const url = new URL(`${protocol}//${target.host}${target.path}${target.query}`);
    forward(request, response, url, upstreamRequestHeaders(request.headers, true), 0, allowedApi);
  }

  function forward(request, response, url, headers, hops, rememberRealms) {
    const client = url.protocol === 'https:' ? https : http;
    const upstream = client.request(url, {
      method: request.method,
      headers,
      timeout: upstreamTimeoutMs,
    });
    // The browser went away before the answer was complete: stop reading upstream too.
    const abort = () => {
      if (!response.writableFinished) upstream.destroy();
    };
    response.once('close', abort);
    upstream.on('timeout', () => upstream.destroy(new Error('upstream timed out')));
    upstream.on('error', (error) => {
      response.off('close', abort);
      log?.(`${request.method} ${url.host}${url.pathname} → upstream error: ${error.message}`);
      if (!response.headersSent)
        refuse(response, 502, 'unreachable', `${url.host} could not be reached: ${error.message}`);
      else response.destroy();
    });
    upstream.on('response', (answer) => {
      const status = answer.statusCode ?? 502;
      const location = answer.headers.location;
      if ([301, 302, 303, 307, 308].includes(status) && location) {
        answer.resume();
        response.off('close', abort);
        follow(request, response, url, headers, location, hops);
        return;
      }
      const outgoing = downstreamResponseHeaders(answer.headers);
      const challenge = answer.headers['www-authenticate'];
      if (rememberRealms && typeof challenge === 'string') {
        const rewritten = rewriteRealm(challenge, originOf(request));
        if (rewritten) {
          realms.set(
            `${rewritten.realm.host}${rewritten.realm.pathname}`,
            rewritten.realm.protocol,
          );
          outgoing['www-authenticate'] = rewritten.header;
        }
      }
      log?.(`${request.method} ${url.host}${url.pathname} → ${status}`);
      response.writeHead(status, outgoing);
      pipeline(answer, response, () => response.off('close', abort));
    });
    upstream.end();
  }

  /** Follows a blob redirect server-side; Authorization goes only to the same host. */
  function follow(request, response, from, headers, location, hops) {
    let next;
    try {
      next = new URL(location, from);
    } catch {
      refuse(response, 502, 'bad-redirect', `${from.host} redirected to an invalid URL.`);
      return;
    }
    const allowedScheme =
      next.protocol === 'https:' || (next.protocol === 'http:' && isLoopback(from.host));
    if (hops >= maxRedirects || !allowedScheme) {
      refuse(
        response,
        502,
        'bad-redirect',
        `${from.host} redirected too often or to a non-https URL.`,
      );
      return;
    }
    const sameHost = next.host === from.host;
    const nextHeaders = { ...headers };
    if (!sameHost) delete nextHeaders.authorization;
    forward(request, response, next, nextHeaders, hops + 1, false);
  }

  return handle;
}

function parseCommandLine(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '8787' },
      allow: { type: 'string', multiple: true, default: [] },
      'no-defaults': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  return {
    port: Number(values.port),
    allow: values.allow
      .flatMap((entry) => entry.split(','))
      .map((entry) => entry.trim())
      .filter(Boolean),
    defaults: !values['no-defaults'],
    quiet: values.quiet,
    help: values.help,
  };
}

const usage = `Usage: npm run proxy -- [--port 8787] [--allow HOST[:PORT]]… [--no-defaults] [--quiet]
Forwards http://127.0.0.1:PORT/<host[:port]>/v2/… to allowed registries, with CORS headers.
Allowed by default: ${defaultAllowlist.join(', ')}.`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const options = parseCommandLine(process.argv.slice(2));
  if (options.help || !Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    console.log(usage);
    process.exit(options.help ? 0 : 2);
  }
  const server = createProxyServer({
    ...options,
    log: options.quiet ? null : (line) => console.log(line),
  });
  server.listen(options.port, '127.0.0.1', () => {
    const { port } = server.address();
    const allowed = [...(options.defaults ? defaultAllowlist : []), ...options.allow];
    console.log(`Registry proxy on http://127.0.0.1:${port} for ${allowed.join(', ')}`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
