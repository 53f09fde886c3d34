// What the registry e2e tests push into Debian's docker-registry (distribution
// 2.8): the oci-archive fixture with its own gzip layers (digests preserved),
// the same image recompressed to zstd by skopeo, a real two-platform index
// (test/helpers/registry.mjs makeOciLayout), and an SBOM artifact whose
// `subject` is the image. distribution 2.8 has no referrers API, so the
// artifact is also listed under the referrers tag schema's `sha256-<hex>` tag,
// the way oras and cosign do it for such registries
// (distribution-spec "Referrers Tag Schema").
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createServer } from 'node:http';
import { makeOciLayout, pushOciLayout } from '../helpers/registry.mjs';
import { createProxyServer } from '../../proxy/server.mjs';
import { fixturesDir } from './harness.mjs';

const run = promisify(execFile);
export const archivePath = join(fixturesDir, 'oci-archive.tar');
const ociManifestType = 'application/vnd.oci.image.manifest.v1+json';
const ociIndexType = 'application/vnd.oci.image.index.v1+json';
export const sbomArtifactType = 'application/spdx+json';

const sha256 = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

async function skopeo(args) {
  // A fresh HOME each time: no blob-info cache or auth file carries over between runs.
  const home = await mkdtemp(join(tmpdir(), 'tarsier-skopeo-'));
  try {
    await run('skopeo', args, { env: { ...process.env, HOME: home } });
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/**
 * skopeo copy of the oci-archive fixture, bytes kept (`--preserve-digests`);
 * with `zstd`, first recompressed into an OCI layout (`--dest-compress-format
 * zstd`), because a copy straight to the registry reuses the gzip blobs it
 * finds there instead of recompressing.
 */
export async function pushArchive(target, { zstd = false, credentials = null } = {}) {
  const push = ['copy', '--quiet', '--dest-tls-verify=false', '--preserve-digests'];
  if (credentials) push.push('--dest-creds', `${credentials.username}:${credentials.password}`);
  if (!zstd) {
    await skopeo([...push, `oci-archive:${archivePath}`, `docker://${target}`]);
    return;
  }
  const layout = await mkdtemp(join(tmpdir(), 'tarsier-e2e-zstd-'));
  try {
    await skopeo(['copy', '--quiet', '--dest-compress', '--dest-compress-format', 'zstd', `oci-archive:${archivePath}`, `oci:${layout}:zstd`]);
    await skopeo([...push, `oci:${layout}:zstd`, `docker://${target}`]);
  } finally {
    await rm(layout, { recursive: true, force: true });
  }
}

/** The raw manifest of `target` as skopeo reads it, and its digest. */
export async function inspectRaw(target, { credentials = null } = {}) {
  const args = ['inspect', '--raw', '--tls-verify=false'];
  if (credentials) args.push('--creds', `${credentials.username}:${credentials.password}`);
  args.push(`docker://${target}`);
  const { stdout } = await run('skopeo', args, { env: { ...process.env, HOME: tmpdir() }, encoding: 'buffer', maxBuffer: 1 << 24 });
  return { manifest: JSON.parse(stdout.toString('utf8')), digest: sha256(stdout), size: stdout.length };
}

/** Builds and pushes a linux/amd64 + linux/arm64 index; returns makeOciLayout's digests. */
export async function pushTwoPlatformIndex(target) {
  const layout = await mkdtemp(join(tmpdir(), 'tarsier-e2e-index-'));
  try {
    const built = await makeOciLayout(layout, { tag: 'multi', platforms: ['linux/amd64', 'linux/arm64'] });
    await pushOciLayout(layout, target, { all: true });
    return built;
  } finally {
    await rm(layout, { recursive: true, force: true });
  }
}

async function putBlob(registryUrl, repository, bytes) {
  const digest = sha256(bytes);
  const start = await fetch(`${registryUrl}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
  if (start.status !== 202) throw new Error(`blob upload start: ${start.status}`);
  const location = new URL(start.headers.get('location'), registryUrl);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/octet-stream' },
    body: bytes,
  });
  if (put.status !== 201) throw new Error(`blob upload: ${put.status} ${await put.text()}`);
  return { digest, size: bytes.length };
}

async function putManifest(registryUrl, repository, reference, mediaType, value) {
  const bytes = Buffer.from(JSON.stringify(value));
  const response = await fetch(`${registryUrl}/v2/${repository}/manifests/${reference}`, {
    method: 'PUT',
    headers: { 'Content-Type': mediaType },
    body: bytes,
  });
  if (response.status !== 201) throw new Error(`manifest ${reference}: ${response.status} ${await response.text()}`);
  return { mediaType, digest: sha256(bytes), size: bytes.length };
}

/**
 * Pushes an SPDX SBOM as an OCI artifact manifest whose `subject` is the
 * image, plus the `sha256-<hex>` referrers index. Returns the artifact's descriptor.
 */
export async function pushSbomReferrer(registryUrl, repository, subject) {
  const empty = await putBlob(registryUrl, repository, Buffer.from('{}'));
  const sbom = await putBlob(
    registryUrl,
    repository,
    Buffer.from(JSON.stringify({ spdxVersion: 'SPDX-2.3', name: 'tarsier-e2e', packages: [] })),
  );
  const artifact = await putManifest(registryUrl, repository, 'sbom', ociManifestType, {
    schemaVersion: 2,
    mediaType: ociManifestType,
    artifactType: sbomArtifactType,
    config: { mediaType: 'application/vnd.oci.empty.v1+json', ...empty },
    layers: [{ mediaType: sbomArtifactType, ...sbom }],
    subject,
    annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
  });
  await putManifest(registryUrl, repository, subject.digest.replace(':', '-'), ociIndexType, {
    schemaVersion: 2,
    mediaType: ociIndexType,
    manifests: [{ ...artifact, artifactType: sbomArtifactType }],
  });
  return { ...artifact, artifactType: sbomArtifactType };
}

/** The reference proxy in-process on a free port, forwarding to `allow`. */
export async function startProxy(allow) {
  const lines = [];
  const server = createProxyServer({ allow, defaults: false, log: (line) => lines.push(line) });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    lines,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(resolve);
      }),
  };
}

/** Report facts that must not depend on where the bytes came from (file or registry). */
export function imageFacts(image) {
  return {
    manifestDigest: image.manifestDigest,
    manifestMediaType: image.manifestMediaType,
    platform: image.platform && { os: image.platform.os, architecture: image.platform.architecture, variant: image.platform.variant ?? null },
    configDigest: image.configDigest,
    configVerified: image.configVerified,
    history: image.history,
    layers: image.layers.map((layer) => ({
      mediaType: layer.mediaType,
      digest: layer.digest,
      size: layer.size,
      compression: layer.compression,
      diffId: layer.diffId,
      uncompressedSize: layer.uncompressedSize,
      entries: layer.entries,
      whiteouts: layer.whiteouts,
      verified: layer.verified,
      error: layer.error,
    })),
  };
}

/** Types `reference` into the "Image reference" field and presses Enter. */
export async function enterReference(page, reference) {
  const field = page.getByLabel('Image reference');
  await field.fill(reference);
  await field.press('Enter');
}

/** Sets the "Registry proxy" field (the app stores it in localStorage). */
export async function setProxy(page, url) {
  await page.getByLabel('Registry proxy').fill(url);
}

/** An HTTP server on 127.0.0.1 for one test; handler(request, response). */
export async function listen(handler) {
  const server = createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: server.address().port, close: () => new Promise((resolve) => server.close(resolve)) };
}

/**
 * Collects console errors with the URL Chromium names. Chromium itself logs
 * every failed fetch (a 404, a 401 challenge, a CORS-less answer), so tests
 * list the requests they expect to fail and assert nothing else went wrong;
 * `texts` is every line, for the credential checks.
 */
export function watchConsole(page) {
  const errors = [];
  const texts = [];
  page.on('console', (message) => {
    texts.push(message.text());
    if (message.type() === 'error') errors.push({ text: message.text(), url: message.location().url ?? '' });
  });
  page.on('pageerror', (error) => errors.push({ text: `pageerror: ${error.message}`, url: '' }));
  return {
    texts,
    /** Errors whose text or URL matches none of `expected` (RegExps). */
    unexpected: (expected = []) =>
      errors.filter((line) => !expected.some((pattern) => pattern.test(line.text) || pattern.test(line.url))).map((line) => line.text),
  };
}

/** distribution 2.8 has no referrers API: its 404 carries no CORS headers, so the browser logs a CORS error. */
export const referrersProbe = /\/referrers\/sha256:|\/manifests\/sha256-[0-9a-f]{64}$/;

/** Fills the "Sign in to registry" form with `username` and `password` and sends it (it waits for the form). */
export async function signIn(page, { username, password }) {
  const form = page.getByRole('form', { name: 'Sign in to registry' });
  await form.waitFor();
  await form.getByLabel('Username').fill(username);
  await form.getByLabel('Password or token').fill(password);
  await form.getByRole('button', { name: 'Sign in' }).click();
}
