/**
 * One side of an image comparison in Node, from the real pipeline
 * (node-source.ts): the layered filesystem built from the first pass's
 * entries, the computed DiffIDs, the layer facts, and a reader of the
 * uncompressed layers (each decoded once with the app's own decoders).
 */
import { decodeLayer, blobChunks } from '../../src/core/content/layer-content';
import { LayeredFilesystem } from '../../src/core/fs/filesystem';
import type { ReadLayerBytes } from '../../src/core/analysis/rootfs';
import type { ImageModel, SourceModel } from '../../src/core/image/model';
import type { LayerOutcome } from '../../src/core/image/report';
import { layerFacts, type LayerFacts } from '../../src/core/compare/layers';
import type { TreeSide } from '../../src/core/compare/files';
import type { BlobResult, Digest } from '../../src/core/types';
import { analyse, analyseFixture, fixtureFolder } from './node-source';

export interface NodeSide extends TreeSide {
  source: SourceModel;
  image: ImageModel;
  filesystem: LayeredFilesystem;
  facts: LayerFacts[];
  read: ReadLayerBytes;
  /** How many times a layer was decoded (each at most once). */
  decodes: number;
}

function resultOf(outcomes: ReadonlyMap<string, LayerOutcome>, key: string): BlobResult {
  const outcome = outcomes.get(key);
  if (outcome === undefined || !('result' in outcome)) throw new Error(`layer ${key} was not analysed`);
  return outcome.result;
}

/** A side for image `imageIndex` of an analysed source. */
export function sideOf(source: SourceModel, results: ReadonlyMap<string, LayerOutcome>, imageIndex = 0): NodeSide {
  const image = source.images[imageIndex];
  const filesystem = new LayeredFilesystem();
  const diffIds: (Digest | null)[] = [];
  for (const layer of image.layers) {
    const result = resultOf(results, layer.key);
    filesystem.applyLayer(result.entries);
    diffIds.push(result.diffId);
  }
  const decoded = new Map<number, Promise<Uint8Array>>();
  const side: NodeSide = {
    source,
    image,
    filesystem,
    layer: image.layers.length - 1,
    diffIds,
    facts: layerFacts(image, results),
    decodes: 0,
    read: async (layer, offset, length) => {
      let bytes = decoded.get(layer);
      if (bytes === undefined) {
        side.decodes += 1;
        bytes = decodeWhole(image, results, layer);
        decoded.set(layer, bytes);
      }
      return (await bytes).subarray(offset, offset + length);
    },
  };
  return side;
}

async function decodeWhole(image: ImageModel, results: ReadonlyMap<string, LayerOutcome>, index: number): Promise<Uint8Array> {
  const layer = image.layers[index];
  const result = resultOf(results, layer.key);
  const location = layer.location;
  if (location === null || location.kind !== 'blob') throw new Error(`layer ${index} has no readable blob`);
  const out = new Uint8Array(result.uncompressedSize ?? 0);
  await decodeLayer(new AbortController().signal, () => blobChunks(location.blob), result.compression, (chunk, position) => {
    out.set(chunk, position);
    return false;
  });
  return out;
}

/** Every image of a fixture file as a side. */
export async function fixtureSides(name: string): Promise<NodeSide[]> {
  const { source, results } = await analyseFixture(name);
  return source.images.map((_, index) => sideOf(source, results, index));
}

/** Every image of a fixture folder (an OCI layout) as a side. */
export async function folderSides(name: string): Promise<NodeSide[]> {
  const { source, results } = await analyse(await fixtureFolder(name));
  return source.images.map((_, index) => sideOf(source, results, index));
}
