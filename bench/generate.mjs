// Builds (once, cached under bench/out/) the benchmark's two inputs:
//
// - realistic: an oci-archive of 6 gzip -6 layers tarred by GNU tar from this
//   machine's /etc and /usr (binaries, locales, man pages, Python, gcc, node
//   modules, icons, fonts): ~1 GB uncompressed, ~300 MB of gzip.
// - big: a ~2.1 GB docker-archive (`docker save` layout before Docker 25:
//   `<id>/layer.tar`, `<config>.json`, `manifest.json`, `repositories`) of 4
//   uncompressed layers of incompressible files, for the time to first view.
//
// A `<name>.meta.json` written last marks a finished build; a run reuses it
// when the recipe version and the archive's size match.
import { spawn } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, openSync, closeSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { END_OF_ARCHIVE, TarWriter, fdSink, memberSize } from './tar-writer.mjs';

export const outDir = join(dirname(fileURLToPath(import.meta.url)), 'out');
/** Bump when a recipe changes: cached inputs of an older recipe are rebuilt. */
const RECIPE_VERSIONS = { realistic: 2, big: 1 };
const CREATED = '2025-01-01T00:00:00Z';

/** Layers of the realistic image: what an application image on Debian looks like. */
const REALISTIC_LAYERS = [
  { createdBy: 'ADD rootfs.tar / # etc, sbin, libexec, udev, git', paths: ['etc', 'usr/sbin', 'usr/libexec', 'usr/lib/udev', 'usr/lib/git-core'] },
  { createdBy: 'RUN apt-get install -y coreutils … # /usr/bin', paths: ['usr/bin'] },
  { createdBy: 'RUN apt-get install -y locales man-db # locale, man, i18n', paths: ['usr/share/locale', 'usr/share/man', 'usr/share/i18n'] },
  { createdBy: 'RUN apt-get install -y python3', paths: ['usr/lib/python3', 'usr/lib/python3.11'] },
  { createdBy: 'RUN apt-get install -y gcc', paths: ['usr/lib/gcc'] },
  { createdBy: 'COPY app /usr/lib/node_modules # node modules, vim, perl, icons, fonts', paths: ['usr/lib/node_modules', 'usr/share/vim', 'usr/share/perl', 'usr/share/icons', 'usr/share/fonts'] },
];

function readMeta(metaPath, archivePath, recipeVersion) {
  if (!existsSync(metaPath) || !existsSync(archivePath)) return null;
  try {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
    if (meta.recipeVersion !== recipeVersion || meta.size !== statSync(archivePath).size) return null;
    return meta;
  } catch {
    return null;
  }
}

function sha256Hex(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A pass-through stream that hashes and counts what flows through it. */
function tap() {
  const hash = createHash('sha256');
  let bytes = 0;
  const stream = new Transform({
    transform(chunk, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  return { stream, result: () => ({ digest: `sha256:${hash.digest('hex')}`, bytes }) };
}

function waitForExit(child, name) {
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${name} exited with ${code}`))));
  });
}

/** `tar -c paths | gzip -6 -n` into `target`, hashing both sides; returns digests and sizes. */
async function buildGzipLayer(paths, target) {
  const tar = spawn('tar', ['-cf', '-', '--sort=name', '--ignore-failed-read', '--warning=none', '-C', '/', ...paths], { stdio: ['ignore', 'pipe', 'inherit'] });
  const gzip = spawn('gzip', ['-6', '-n'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const uncompressed = tap();
  const stored = tap();
  const tarExit = waitForExit(tar, 'tar').catch((error) => error);
  await Promise.all([
    pipeline(tar.stdout, uncompressed.stream, gzip.stdin),
    pipeline(gzip.stdout, stored.stream, createWriteStream(target)),
    waitForExit(gzip, 'gzip'),
  ]);
  // GNU tar exits 1 when a file changed while it was read: the bytes are still a valid tar.
  const tarError = await tarExit;
  if (tarError instanceof Error && !/exited with 1$/.test(tarError.message)) throw tarError;
  const { digest, bytes: size } = stored.result();
  const { digest: diffId, bytes: uncompressedSize } = uncompressed.result();
  return { digest, size, diffId, uncompressedSize };
}

/** Runs `tasks` (functions returning promises) with at most `limit` at a time, keeping their order in the result. */
async function runLimited(tasks, limit) {
  const results = new Array(tasks.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, tasks.length) }, async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]();
    }
  });
  await Promise.all(lanes);
  return results;
}

function writeBlob(layoutDir, bytes) {
  const hex = sha256Hex(bytes);
  writeFileSync(join(layoutDir, 'blobs', 'sha256', hex), bytes);
  return { digest: `sha256:${hex}`, size: bytes.length };
}

/** The realistic oci-archive (≥ 200 MB of gzip layers from real files). Cached. */
export async function ensureRealisticImage(log = console.log) {
  const archivePath = join(outDir, 'realistic-oci.tar');
  const metaPath = join(outDir, 'realistic-oci.meta.json');
  const cached = readMeta(metaPath, archivePath, RECIPE_VERSIONS.realistic);
  if (cached) return cached;
  const started = performance.now();
  log(`generating ${archivePath} (6 gzip -6 layers of /etc and /usr, cached afterwards)…`);
  const layoutDir = join(outDir, 'realistic-layout');
  rmSync(layoutDir, { recursive: true, force: true });
  mkdirSync(join(layoutDir, 'blobs', 'sha256'), { recursive: true });
  const layers = await runLimited(
    REALISTIC_LAYERS.map((spec, index) => async () => {
      const temporary = join(layoutDir, `layer-${index}.tmp`);
      const layer = await buildGzipLayer(spec.paths, temporary);
      renameSync(temporary, join(layoutDir, 'blobs', 'sha256', layer.digest.slice('sha256:'.length)));
      return { ...layer, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' };
    }),
    2,
  );
  const config = {
    created: CREATED,
    architecture: 'amd64',
    os: 'linux',
    config: {
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'LANG=C.UTF-8'],
      Cmd: ['/bin/bash'],
      WorkingDir: '/',
      Labels: { 'org.opencontainers.image.title': 'tarsier bench realistic image' },
    },
    rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
    history: REALISTIC_LAYERS.map((spec) => ({ created: CREATED, created_by: spec.createdBy })),
  };
  const configDescriptor = writeBlob(layoutDir, Buffer.from(JSON.stringify(config)));
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...configDescriptor },
    layers: layers.map(({ mediaType, digest, size }) => ({ mediaType, digest, size })),
  };
  const manifestDescriptor = writeBlob(layoutDir, Buffer.from(JSON.stringify(manifest)));
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: manifest.mediaType,
        ...manifestDescriptor,
        platform: { architecture: 'amd64', os: 'linux' },
        annotations: { 'org.opencontainers.image.ref.name': 'bench-realistic' },
      },
    ],
  };
  writeFileSync(join(layoutDir, 'index.json'), JSON.stringify(index));
  writeFileSync(join(layoutDir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  // skopeo writes the blobs first and index.json last: the app must walk every member header to find it.
  await waitForExit(
    spawn('tar', ['-cf', archivePath, '--owner=0', '--group=0', '--numeric-owner', '--mtime=@1735689600', '-C', layoutDir, 'blobs', 'index.json', 'oci-layout'], { stdio: 'inherit' }),
    'tar',
  );
  rmSync(layoutDir, { recursive: true, force: true });
  const meta = {
    recipeVersion: RECIPE_VERSIONS.realistic,
    kind: 'oci-archive',
    path: archivePath,
    size: statSync(archivePath).size,
    manifestDigest: manifestDescriptor.digest,
    configDigest: configDescriptor.digest,
    layers,
    generationSeconds: (performance.now() - started) / 1000,
  };
  writeFileSync(metaPath, JSON.stringify(meta, null, 2));
  log(`generated in ${meta.generationSeconds.toFixed(1)} s`);
  return meta;
}

/** Layers of the big image: [directory count, files per directory, size of file i]. */
const BIG_LAYERS = [
  { name: 'quarter-mib', directories: 23, perDirectory: 100, size: () => 256 * 1024 },
  { name: 'ten-mib', directories: 4, perDirectory: 14, size: () => 10 * 1024 * 1024 },
  { name: 'small', directories: 60, perDirectory: 400, size: (i) => 1024 + ((i * 7919) % 49152) },
  { name: 'huge', directories: 1, perDirectory: 2, size: () => 150 * 1024 * 1024 },
];

function bigLayerPlan(spec) {
  const members = [];
  for (let d = 0; d < spec.directories; d += 1) {
    const directory = `data/${spec.name}/d${String(d).padStart(3, '0')}`;
    members.push({ path: `${directory}/`, size: 0, directory: true });
    for (let f = 0; f < spec.perDirectory; f += 1) {
      const i = d * spec.perDirectory + f;
      members.push({ path: `${directory}/f${String(i).padStart(5, '0')}.bin`, size: spec.size(i), directory: false });
    }
  }
  const tarSize = members.reduce((sum, member) => sum + memberSize(member.size), 0) + END_OF_ARCHIVE.length;
  return { members, tarSize };
}

/** The ~2.1 GB docker-archive of uncompressed incompressible layers. Cached. */
export function ensureBigImage(log = console.log) {
  const archivePath = join(outDir, 'big-docker.tar');
  const metaPath = join(outDir, 'big-docker.meta.json');
  const cached = readMeta(metaPath, archivePath, RECIPE_VERSIONS.big);
  if (cached) return cached;
  const started = performance.now();
  log(`generating ${archivePath} (~2.1 GB docker-archive, random uncompressed layers, cached afterwards)…`);
  mkdirSync(outDir, { recursive: true });
  // Random bytes are expensive to make; slices of one 64 MiB random pool are just as incompressible.
  const pool = randomFillSync(Buffer.alloc(64 * 1024 * 1024));
  let poolOffset = 0;
  const CHUNK = 4 * 1024 * 1024;
  const temporary = `${archivePath}.tmp`;
  const fd = openSync(temporary, 'w');
  const outer = new TarWriter(fdSink(fd));
  const layers = [];
  const layerIds = [];
  let parent = '';
  BIG_LAYERS.forEach((spec, index) => {
    const { members, tarSize } = bigLayerPlan(spec);
    const id = sha256Hex(`tarsier-bench-big-layer-${index}`);
    outer.directory(id);
    outer.file(`${id}/VERSION`, 3, (write) => write(Buffer.from('1.0')));
    const v1 = Buffer.from(JSON.stringify(parent ? { id, parent, created: CREATED } : { id, created: CREATED }));
    outer.file(`${id}/json`, v1.length, (write) => write(v1));
    const diffHash = createHash('sha256');
    outer.file(`${id}/layer.tar`, tarSize, (write) => {
      const inner = new TarWriter(write, (bytes) => diffHash.update(bytes));
      for (const member of members) {
        if (member.directory) {
          inner.directory(member.path);
          continue;
        }
        inner.file(member.path, member.size, (writeContent) => {
          for (let done = 0; done < member.size; ) {
            const length = Math.min(CHUNK, member.size - done, pool.length - poolOffset);
            writeContent(pool.subarray(poolOffset, poolOffset + length));
            poolOffset = (poolOffset + length) % pool.length;
            done += length;
          }
        });
      }
      inner.end();
    });
    const diffId = `sha256:${diffHash.digest('hex')}`;
    layers.push({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar', digest: diffId, size: tarSize, diffId, uncompressedSize: tarSize, entries: members.length, path: `${id}/layer.tar` });
    layerIds.push(id);
    parent = id;
  });
  const config = Buffer.from(
    JSON.stringify({
      created: CREATED,
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/usr/bin:/bin'], Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
      history: BIG_LAYERS.map((spec) => ({ created: CREATED, created_by: `COPY ${spec.name} /data/${spec.name}` })),
    }),
  );
  const configHex = sha256Hex(config);
  outer.file(`${configHex}.json`, config.length, (write) => write(config));
  const manifest = Buffer.from(JSON.stringify([{ Config: `${configHex}.json`, RepoTags: ['bench/big:1'], Layers: layers.map((layer) => layer.path) }]));
  outer.file('manifest.json', manifest.length, (write) => write(manifest));
  const repositories = Buffer.from(JSON.stringify({ 'bench/big': { 1: layerIds.at(-1) } }));
  outer.file('repositories', repositories.length, (write) => write(repositories));
  outer.end();
  closeSync(fd);
  renameSync(temporary, archivePath);
  const meta = {
    recipeVersion: RECIPE_VERSIONS.big,
    kind: 'docker-archive',
    path: archivePath,
    size: statSync(archivePath).size,
    manifestDigest: null,
    configDigest: `sha256:${configHex}`,
    layers,
    generationSeconds: (performance.now() - started) / 1000,
  };
  writeFileSync(metaPath, JSON.stringify(meta, null, 2));
  log(`generated in ${meta.generationSeconds.toFixed(1)} s`);
  return meta;
}
