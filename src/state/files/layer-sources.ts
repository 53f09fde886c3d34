/**
 * What the filesystem worker is given to build an image's filesystem: for
 * each layer, the entries its layer job listed and where its bytes can be
 * read again. The filesystem is built once, from every layer (a later layer's
 * whiteouts change what an earlier one shows), so nothing is given before
 * every job has settled.
 */
import type { LayerSource } from '../../bridge/filesystem-client';
import type { ImageModel, LayerModel } from '../../core/image/model';
import type { LayerJob } from '../jobs.svelte';

/** The part of a layer job read here. */
export type SettledJob = Pick<LayerJob, 'settled' | 'result'>;

/**
 * One LayerSource per layer of `image` (index = layer index), or null while a
 * layer has no settled job. A job without a result (it failed) gives no entries.
 * Reads the jobs' reactive state, so it can back a `$derived`.
 */
export function layerSources(image: ImageModel, jobOf: (layer: LayerModel) => SettledJob | null): LayerSource[] | null {
  const sources: LayerSource[] = [];
  for (const layer of image.layers) {
    const job = jobOf(layer);
    if (!job?.settled) return null;
    const result = job.result;
    sources.push({
      entries: result?.entries ?? [],
      encodedEntries: result?.encodedEntries,
      location: layer.location,
      compression: result?.compression ?? null,
      diffId: result?.diffId ?? null,
    });
  }
  return sources;
}

/** How many layers of `image` have a settled job. */
export function settledLayerCount(image: ImageModel, jobOf: (layer: LayerModel) => SettledJob | null): number {
  return image.layers.filter((layer) => jobOf(layer)?.settled).length;
}
