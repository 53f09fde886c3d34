/**
 * Reads one tagged image of an OCI layout for the analysis tests: its
 * config and its layers' uncompressed tars (gunzipped by Node's zlib), with
 * the members listed by the independent reader in tar-reader.ts, and a
 * `read` over those bytes like the one Rootfs gives the analyses.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ReadLayerBytes } from '../../src/core/analysis/rootfs';
import { LayeredFilesystem } from '../../src/core/fs/filesystem';
import type { ConfigFile, TarEntry } from '../../src/core/types';
import { readTar } from './tar-reader';

export interface TestImage {
  config: ConfigFile;
  tars: Uint8Array[];
  layers: TarEntry[][];
  filesystem: LayeredFilesystem;
  read: ReadLayerBytes;
  /** How many bytes `read` has returned so far. */
  bytesRead(): number;
  /** Every read so far. */
  reads: { layer: number; offset: number; length: number }[];
}

/** The image tagged `tag` (org.opencontainers.image.ref.name) in the layout at `layout`. */
export function loadOciImage(layout: string, tag: string): TestImage {
  const blob = (digest: string): Buffer => readFileSync(join(layout, 'blobs/sha256', digest.slice('sha256:'.length)));
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as {
    manifests: { digest: string; annotations?: Record<string, string> }[];
  };
  const entry = index.manifests.find((manifest) => manifest.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (!entry) throw new Error(`no image tagged ${tag} in ${layout}`);
  const manifest = JSON.parse(blob(entry.digest).toString('utf8')) as { config: { digest: string }; layers: { digest: string }[] };
  const config = JSON.parse(blob(manifest.config.digest).toString('utf8')) as ConfigFile;
  const tars = manifest.layers.map(({ digest }) => {
    const bytes = blob(digest);
    return new Uint8Array(bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes);
  });
  const layers = tars.map(readTar);
  const filesystem = new LayeredFilesystem();
  for (const entries of layers) filesystem.applyLayer(entries);
  let total = 0;
  const reads: TestImage['reads'] = [];
  const read: ReadLayerBytes = async (layer, offset, length) => {
    const bytes = tars[layer].slice(offset, offset + length);
    total += bytes.length;
    reads.push({ layer, offset, length });
    return bytes;
  };
  return { config, tars, layers, filesystem, read, bytesRead: () => total, reads };
}
