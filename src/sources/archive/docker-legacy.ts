/**
 * The docker-archive format from before Docker 1.10: `repositories` maps
 * tags to image ids, and each `<id>/json` names its `parent`, so an image's
 * layers are the chain from its top id down to the first layer
 * (https://github.com/moby/moby/blob/master/image/spec/v1.md).
 */
import { InspectError, InspectErrorCode } from '../../core/errors';
import { expectObject, isObject, optionalString, parseJson, type JsonObject } from '../../core/json';
import { parseConfig, parsePlatform } from '../../core/image/manifest';
import type { ImageModel, LayerModel } from '../../core/image/model';
import type { ConfigFile } from '../../core/types';
import type { FileTable } from '../file-table';
import { emptyImage, type ModelBuilder } from '../model-builder';

/** Builds the model of one layer named by its path in the archive. */
export type LayerFromPath = (path: string, index: number, config: ConfigFile | null) => Promise<LayerModel>;

/** Reads the images of an old-format archive into `builder`. */
export async function readLegacyArchive(builder: ModelBuilder, table: FileTable, layerFromPath: LayerFromPath): Promise<void> {
  const tagsById = new Map<string, string[]>();
  if (table.has('repositories')) {
    try {
      const text = await table.text('repositories');
      builder.addDocument({ path: 'repositories', digest: null, mediaType: null, role: 'repositories', text });
      const repositories = expectObject(parseJson(text, 'repositories'), 'repositories', 'repositories');
      for (const [repository, tags] of Object.entries(repositories)) {
        if (!isObject(tags)) continue;
        for (const [tag, id] of Object.entries(tags)) {
          if (typeof id !== 'string') continue;
          const known = tagsById.get(id);
          if (known) known.push(`${repository}:${tag}`);
          else tagsById.set(id, [`${repository}:${tag}`]);
        }
      }
    } catch (error) {
      builder.fail(error, 'repositories');
    }
  }
  const layerJson = new Map<string, JsonObject>();
  for (const path of table.paths()) {
    const match = /^([0-9a-f]{64})\/json$/.exec(path);
    if (!match) continue;
    try {
      layerJson.set(match[1], expectObject(parseJson(await table.text(path), path), path, 'the layer JSON'));
    } catch (error) {
      builder.fail(error, path);
    }
  }
  const parents = new Set([...layerJson.values()].map((json) => optionalString(json, 'parent')));
  const tops = tagsById.size > 0 ? [...tagsById.keys()] : [...layerJson.keys()].filter((id) => !parents.has(id));
  if (tops.length === 0) {
    builder.fail(
      new InspectError(InspectErrorCode.MissingMetadata, 'The archive has neither manifest.json nor image JSON files', 'manifest.json'),
    );
  }
  for (const id of tops) builder.images.push(await legacyImage(builder, id, tagsById.get(id) ?? [], layerJson, layerFromPath));
}

/** Docker refuses images deeper than 125 layers; a longer chain is hostile, and each tag would repeat it. */
const maxChainLength = 1024;

/** The ids from the first layer up to `topId`, following `parent` (a loop ends the chain); `cut` when too long. */
function parentChain(topId: string, layerJson: Map<string, JsonObject>): { chain: string[]; cut: boolean } {
  const chain: string[] = [];
  const seen = new Set<string>();
  let id: string | undefined = topId;
  for (; id && !seen.has(id) && chain.length < maxChainLength; id = optionalString(layerJson.get(id) ?? {}, 'parent')) {
    seen.add(id);
    chain.push(id);
  }
  return { chain: chain.reverse(), cut: Boolean(id) && !seen.has(id ?? '') };
}

async function legacyImage(
  builder: ModelBuilder,
  topId: string,
  refs: string[],
  layerJson: Map<string, JsonObject>,
  layerFromPath: LayerFromPath,
): Promise<ImageModel> {
  const top = layerJson.get(topId) ?? {};
  let config: ConfigFile | null = null;
  try {
    // The old format has no image config: the top layer's JSON carries the runtime config, without DiffIDs.
    config = parseConfig({ ...top, history: undefined, rootfs: { type: 'layers', diff_ids: [] } }, `${topId}/json`);
  } catch (error) {
    builder.fail(error, `${topId}/json`);
  }
  const { chain, cut } = parentChain(topId, layerJson);
  const errors = cut
    ? [
        {
          code: InspectErrorCode.TooLarge,
          message: `${topId}/json: more than ${maxChainLength} parent layers; only the top ${maxChainLength} are listed`,
          path: `${topId}/json`,
        },
      ]
    : [];
  return {
    ...emptyImage(topId),
    errors,
    refs,
    platform: config ? (parsePlatform(config) ?? null) : null,
    configPath: `${topId}/json`,
    config,
    layers: await Promise.all(chain.map((id, index) => layerFromPath(`${id}/layer.tar`, index, null))),
    notes: ['Old docker save format (before Docker 1.10): layers have no DiffIDs to verify against.'],
  };
}
