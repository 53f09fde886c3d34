// The native side of the benchmark: the same per-layer work as the app's
// layer worker, done by coreutils, gzip/zstd and GNU tar on the same blobs:
//
//   sha256sum < blob                                  (stored digest)
//   gzip -dc < blob | tee -p fifo | tar -t | wc -l    (inflate + listing)
//   sha256sum < fifo                                  (DiffID, in parallel)
//
// Layers run like the app's pool runs them: biggest first, `concurrency` at a
// time. The blobs come from the archive, extracted once under bench/out/.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readSync, closeSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { outDir } from './generate.mjs';

const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

function compressionOf(path) {
  const fd = openSync(path, 'r');
  const magic = Buffer.alloc(4);
  readSync(fd, magic, 0, 4, 0);
  closeSync(fd);
  if (magic[0] === 0x1f && magic[1] === 0x8b) return 'gzip';
  if (magic.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

function blobPath(root, digest) {
  const [algorithm, hex] = digest.split(':');
  return join(root, 'blobs', algorithm, hex);
}

/** Layer blob paths of every image in an extracted OCI layout, following nested indexes. */
function ociLayers(root) {
  const layers = [];
  const visit = (descriptor) => {
    const path = blobPath(root, descriptor.digest);
    if (!existsSync(path)) return;
    const document = JSON.parse(readFileSync(path, 'utf8'));
    if (INDEX_TYPES.has(descriptor.mediaType) || Array.isArray(document.manifests)) {
      for (const child of document.manifests) visit(child);
      return;
    }
    for (const layer of document.layers ?? []) layers.push({ path: blobPath(root, layer.digest), digest: layer.digest });
  };
  const index = JSON.parse(readFileSync(join(root, 'index.json'), 'utf8'));
  for (const descriptor of index.manifests) visit(descriptor);
  return layers;
}

/** Layer paths of every image in an extracted docker-archive (old layout, or Docker 25+ OCI-style paths). */
function dockerLayers(root) {
  const layers = [];
  for (const image of JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8'))) {
    for (const layer of image.Layers) layers.push({ path: join(root, layer), digest: null });
  }
  return layers;
}

/**
 * Extracts `archivePath` once (cached in bench/out/extract/) and returns its
 * distinct layers: [{path, digest (descriptor's, or null), size, compression}].
 */
export function extractLayers(archivePath) {
  const size = statSync(archivePath).size;
  const root = join(outDir, 'extract', `${basename(archivePath)}-${size}`);
  const done = join(root, '.extracted');
  if (!existsSync(done)) {
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    // Compressed outer archives (docker save | gzip) are handled by tar's own detection.
    execFileSync('tar', ['-xf', archivePath, '-C', root, '--no-same-owner'], { stdio: 'inherit' });
    writeFileSync(done, '');
  }
  const found = existsSync(join(root, 'manifest.json')) ? dockerLayers(root) : ociLayers(root);
  const unique = new Map();
  for (const layer of found) if (!unique.has(layer.path)) unique.set(layer.path, layer);
  return [...unique.values()].map((layer) => ({ ...layer, size: statSync(layer.path).size, compression: compressionOf(layer.path) }));
}

const DECOMPRESS = { gzip: 'gzip -dc', zstd: 'zstd -dc', none: 'cat' };

// tee -p: tar stops reading at the end-of-archive blocks; the DiffID still needs every byte.
const LAYER_SCRIPT = String.raw`
blob=$1; decompress=$2; work=$(mktemp -d)
stored=$(sha256sum < "$blob" | cut -d' ' -f1)
mkfifo "$work/fifo"
sha256sum < "$work/fifo" | cut -d' ' -f1 > "$work/diff" &
entries=$($decompress < "$blob" | tee -p "$work/fifo" | tar -t | wc -l)
wait
echo "$stored $(cat "$work/diff") $entries"
rm -rf "$work"
times
`;

/** CPU seconds from bash's \`times\` line "0m1.234s 0m0.056s" (user, system of the children). */
function cpuSecondsOf(line) {
  return [...line.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, [, minutes, seconds]) => sum + Number(minutes) * 60 + Number(seconds), 0);
}

function runLayer(layer, cpuList) {
  const command = ['bash', '-c', LAYER_SCRIPT, 'layer', layer.path, DECOMPRESS[layer.compression]];
  const [file, ...args] = cpuList ? ['taskset', '-c', cpuList, ...command] : command;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 1 << 20 }, (error, stdout) => {
      if (error) return reject(error);
      const lines = stdout.trim().split('\n');
      const [stored, diff, entries] = lines[0].split(/\s+/);
      resolve({
        digest: `sha256:${stored}`,
        diffId: `sha256:${diff}`,
        entries: Number(entries),
        seconds: (performance.now() - started) / 1000,
        cpuSeconds: cpuSecondsOf(lines.at(-1)),
      });
    });
  });
}

/**
 * Runs the native pipeline on every layer, `concurrency` layers at a time,
 * biggest first; `cpuList` (e.g. "0") pins every process to those cores.
 * Returns {seconds, cpuSeconds, layers: [{digest, diffId, entries, seconds, cpuSeconds}] in input order}.
 */
export async function runNative(layers, { concurrency, cpuList = null }) {
  const order = layers.map((_, index) => index).sort((a, b) => layers[b].size - layers[a].size);
  const results = new Array(layers.length);
  let next = 0;
  const started = performance.now();
  const lanes = Array.from({ length: Math.min(concurrency, layers.length) }, async () => {
    while (next < order.length) {
      const index = order[next++];
      results[index] = await runLayer(layers[index], cpuList);
    }
  });
  await Promise.all(lanes);
  const cpuSeconds = results.reduce((sum, result) => sum + result.cpuSeconds, 0);
  return { seconds: (performance.now() - started) / 1000, cpuSeconds, layers: results };
}

/** Reads every file once so that both sides start from a warm page cache. */
export function warmPageCache(paths) {
  for (const path of paths) execFileSync('bash', ['-c', 'cat -- "$1" > /dev/null', 'warm', path]);
}
