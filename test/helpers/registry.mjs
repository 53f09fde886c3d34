/**
 * Starts Debian's `docker-registry` (distribution 2.8) on 127.0.0.1 for unit
 * and e2e tests, with a generated config: storage in a temp dir, CORS headers
 * on or off, and optional auth — `htpasswd` (Basic) or `token` (Bearer, with
 * a tiny token server below that signs RS256 JWTs the way
 * distribution/registry/auth/token expects: x5c chain to `rootcertbundle`).
 *
 *   const registry = await startRegistry({ cors: true, auth: { kind: 'token', username, password } });
 *   await pushOciLayout(layoutDir, `${registry.host}/team/api:dev`, { credentials });
 *   await registry.stop();
 */
import { execFile, spawn } from 'node:child_process';
import { createHash, createSign, randomUUID, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bcrypt } from 'hash-wasm';

const run = promisify(execFile);
const registryBinary = '/usr/bin/docker-registry';

/** Headers a browser needs to read registry responses directly (OCI distribution + CORS). */
export const corsHeaders = {
  'Access-Control-Allow-Origin': ['*'],
  'Access-Control-Allow-Methods': ['GET, HEAD, OPTIONS'],
  'Access-Control-Allow-Headers': ['Authorization, Accept, Range'],
  'Access-Control-Expose-Headers': [
    'Docker-Content-Digest, WWW-Authenticate, Link, Content-Length, Location, Docker-Distribution-API-Version',
  ],
};

/** A free TCP port on 127.0.0.1 (the OS picks it; tiny race before the registry binds it). */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function yamlList(values) {
  return `[${values.map((value) => JSON.stringify(value)).join(', ')}]`;
}

async function htpasswdLine(username, password) {
  const salt = new Uint8Array(16);
  crypto.getRandomValues(salt);
  // distribution's htpasswd accepts only bcrypt entries; cost 5 keeps tests fast.
  const hash = await bcrypt({ password, salt, costFactor: 5, outputType: 'encoded' });
  return `${username}:${hash}\n`;
}

function base64url(data) {
  return Buffer.from(data).toString('base64url');
}

/** Parses `repository:team/api:pull,push` scopes (distribution token spec, "scope" parameter). */
function parseScopes(values) {
  return values.flatMap((value) =>
    value
      .split(' ')
      .filter(Boolean)
      .map((scope) => {
        const first = scope.indexOf(':');
        const last = scope.lastIndexOf(':');
        return {
          type: scope.slice(0, first),
          name: scope.slice(first + 1, last),
          actions: scope.slice(last + 1).split(','),
        };
      }),
  );
}

/**
 * distribution accepts a token until this long past its `exp` claim
 * (registry/auth/token/token.go `Leeway`), so a token meant to expire sooner
 * is issued with its `exp` that far back.
 */
const registryLeewaySeconds = 60;

/**
 * A token server per https://distribution.github.io/distribution/spec/auth/token/:
 * GET ?service=&scope= with optional Basic credentials → {token, access_token}.
 * Anonymous callers get `pull` only when `anonymousPull`; wrong credentials get 401.
 * With `tokenLifetime` (seconds) the registry refuses each token that long
 * after it was issued; without it tokens say they last 300 s (plus the leeway).
 */
async function startTokenServer({ dir, service, issuer, username, password, anonymousPull, tokenLifetime: initialLifetime }) {
  let tokenLifetime = initialLifetime;
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-sha256',
    '-days',
    '2',
    '-subj',
    '/CN=tarsier-test-token-issuer',
    '-keyout',
    join(dir, 'token.key'),
    '-out',
    join(dir, 'token.crt'),
  ]);
  const key = await readFile(join(dir, 'token.key'), 'utf8');
  const certificate = new X509Certificate(await readFile(join(dir, 'token.crt')));
  const requests = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url, 'http://token.local');
    const header = request.headers.authorization ?? '';
    let account = null;
    if (header.startsWith('Basic ')) {
      const [user, ...rest] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
      if (user !== username || rest.join(':') !== password) {
        response.writeHead(401, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ details: 'incorrect username or password' }));
        requests.push({ scopes: url.searchParams.getAll('scope'), account: user, granted: false });
        return;
      }
      account = user;
    }
    const scopes = parseScopes(url.searchParams.getAll('scope'));
    const access = scopes
      .filter((scope) => scope.type === 'repository')
      .map((scope) => ({
        ...scope,
        actions: scope.actions.filter(
          (action) => account !== null || (anonymousPull && action === 'pull'),
        ),
      }));
    requests.push({
      scopes: url.searchParams.getAll('scope'),
      account,
      granted: true,
      path: url.pathname,
      issuedAt: Date.now(),
    });
    const now = Math.floor(Date.now() / 1000);
    const lifetime = tokenLifetime ?? 300;
    const exp = tokenLifetime === undefined ? now + 300 : now + tokenLifetime - registryLeewaySeconds;
    const head = { typ: 'JWT', alg: 'RS256', x5c: [certificate.raw.toString('base64')] };
    const claims = {
      iss: issuer,
      sub: account ?? '',
      aud: service,
      exp,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const signingInput = `${base64url(JSON.stringify(head))}.${base64url(JSON.stringify(claims))}`;
    const signature = createSign('RSA-SHA256').update(signingInput).sign(key);
    const token = `${signingInput}.${base64url(signature)}`;
    response.writeHead(200, { 'Content-Type': 'application/json', ...corsFlat() });
    response.end(
      JSON.stringify({
        token,
        access_token: token,
        expires_in: lifetime,
        issued_at: new Date().toISOString(),
      }),
    );
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    realm: `http://127.0.0.1:${port}/token`,
    requests,
    /** Tokens issued from now on are refused after `seconds` (undefined: the 300 s default). */
    setLifetime: (seconds) => {
      tokenLifetime = seconds;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

function corsFlat() {
  return Object.fromEntries(Object.entries(corsHeaders).map(([name, [value]]) => [name, value]));
}

async function waitForRegistry(url, child, output) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${output.join('')}`);
    try {
      const response = await fetch(`${url}/v2/`);
      if (response.status === 200 || response.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`docker-registry did not start: ${output.join('')}`);
}

/**
 * Starts a registry. Options:
 *  - cors (default true): send the CORS headers above on every response;
 *  - auth: null | { kind: 'htpasswd' | 'token', username, password, anonymousPull?,
 *    tokenLifetime? (token only: seconds until the registry refuses a token; default 300) }.
 * Returns { url, host, port, dir, token?: {realm, requests, setLifetime(seconds)}, stop() }.
 */
export async function startRegistry({ cors = true, auth = null } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'tarsier-registry-'));
  await mkdir(join(dir, 'storage'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'storage')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${host}`,
    '  headers:',
    '    X-Content-Type-Options: [nosniff]',
  ];
  if (cors) {
    for (const [name, values] of Object.entries(corsHeaders))
      lines.push(`    ${name}: ${yamlList(values)}`);
  }
  let token = null;
  if (auth?.kind === 'htpasswd') {
    await writeFile(join(dir, 'htpasswd'), await htpasswdLine(auth.username, auth.password));
    lines.push(
      'auth:',
      '  htpasswd:',
      '    realm: tarsier-test',
      `    path: ${join(dir, 'htpasswd')}`,
    );
  } else if (auth?.kind === 'token') {
    const service = 'tarsier-test-registry';
    const issuer = 'tarsier-test-issuer';
    token = await startTokenServer({
      dir,
      service,
      issuer,
      ...auth,
      anonymousPull: auth.anonymousPull ?? false,
    });
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${token.realm}`,
      `    service: ${service}`,
      `    issuer: ${issuer}`,
      `    rootcertbundle: ${join(dir, 'token.crt')}`,
    );
  }
  await writeFile(join(dir, 'config.yml'), `${lines.join('\n')}\n`);
  const output = [];
  const child = spawn(registryBinary, ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk) => output.push(String(chunk)));
  child.stderr.on('data', (chunk) => output.push(String(chunk)));
  const url = `http://${host}`;
  try {
    await waitForRegistry(url, child, output);
  } catch (error) {
    child.kill('SIGKILL');
    await token?.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    host,
    port,
    dir,
    token: token && { realm: token.realm, requests: token.requests, setLifetime: token.setLifetime },
    output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await token?.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Pushes an OCI layout (`dir` or `dir:tag`) to `target` (`host/repo:tag`) with
 * skopeo; `all` copies every platform of an index.
 */
export async function pushOciLayout(layout, target, { credentials = null, all = false } = {}) {
  const args = ['copy', '--quiet', '--dest-tls-verify=false'];
  if (all) args.push('--all');
  // Keep the layout's bytes (no recompression), so digests stay those we computed.
  args.push('--preserve-digests');
  if (credentials) args.push('--dest-creds', `${credentials.username}:${credentials.password}`);
  args.push(`oci:${layout}`, `docker://${target}`);
  await run('skopeo', args, { env: { ...process.env, HOME: tmpdir() } });
}

function sha256(bytes) {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function writeBlob(layout, bytes) {
  const digest = sha256(bytes);
  await writeFile(join(layout, 'blobs', 'sha256', digest.slice(7)), bytes);
  return { digest, size: bytes.length };
}

/**
 * Builds a tiny OCI layout with GNU tar + gzip: one image per platform, each
 * with two layers (a file, then a whiteout of it plus a new file). With more
 * than one platform the layout's index.json points at an image index under
 * `tag`; with one, straight at the manifest. Returns the digests written.
 */
export async function makeOciLayout(layout, { tag = 'latest', platforms = ['linux/amd64'] } = {}) {
  await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const work = await mkdtemp(join(tmpdir(), 'tarsier-layer-'));
  const images = [];
  try {
    for (const platformText of platforms) {
      const [os, architecture, variant] = platformText.split('/');
      const layers = [];
      const diffIds = [];
      for (const step of [0, 1]) {
        const root = join(work, `${os}-${architecture}-${variant ?? ''}-${step}`);
        await mkdir(join(root, 'etc'), { recursive: true });
        if (step === 0) {
          await writeFile(join(root, 'etc', 'hello.txt'), `hello from ${platformText}\n`);
        } else {
          await writeFile(join(root, 'etc', '.wh.hello.txt'), '');
          await writeFile(join(root, 'etc', 'world.txt'), `world ${platformText}\n`);
        }
        const tarPath = `${root}.tar`;
        await run('tar', [
          '--sort=name',
          '--mtime=@0',
          '--owner=0',
          '--group=0',
          '--numeric-owner',
          '-C',
          root,
          '-cf',
          tarPath,
          'etc',
        ]);
        const tarBytes = await readFile(tarPath);
        await run('gzip', ['-n', '-6', tarPath]);
        const gzBytes = await readFile(`${tarPath}.gz`);
        diffIds.push(sha256(tarBytes));
        layers.push({
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          ...(await writeBlob(layout, gzBytes)),
        });
      }
      const config = {
        architecture,
        os,
        ...(variant ? { variant } : {}),
        created: '1970-01-01T00:00:00Z',
        config: { Env: ['PATH=/usr/bin'], Cmd: ['/bin/sh'] },
        rootfs: { type: 'layers', diff_ids: diffIds },
        history: [
          { created_by: 'ADD hello.txt' },
          { created_by: 'RUN rm hello.txt && add world.txt' },
        ],
      };
      const configDescriptor = {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        ...(await writeBlob(layout, Buffer.from(JSON.stringify(config)))),
      };
      const manifest = {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: configDescriptor,
        layers,
      };
      const manifestDescriptor = {
        mediaType: manifest.mediaType,
        ...(await writeBlob(layout, Buffer.from(JSON.stringify(manifest)))),
      };
      images.push({
        platform: { os, architecture, ...(variant ? { variant } : {}) },
        manifest: manifestDescriptor,
        config: configDescriptor,
        layers,
        diffIds,
      });
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const annotations = { 'org.opencontainers.image.ref.name': tag };
  let top;
  let indexDescriptor = null;
  if (images.length === 1) {
    top = { ...images[0].manifest, annotations };
  } else {
    const index = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: images.map((image) => ({ ...image.manifest, platform: image.platform })),
    };
    indexDescriptor = {
      mediaType: index.mediaType,
      ...(await writeBlob(layout, Buffer.from(JSON.stringify(index)))),
    };
    top = { ...indexDescriptor, annotations };
  }
  await writeFile(
    join(layout, 'index.json'),
    JSON.stringify({ schemaVersion: 2, manifests: [top] }),
  );
  return { images, index: indexDescriptor };
}
