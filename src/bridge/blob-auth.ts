/**
 * Fresh Authorization headers for registry blob URLs. A layer's location
 * carries the headers known when the model was built, but bearer tokens are
 * short-lived (Docker Hub's last 300 s) and big layers may wait in the pool's
 * queue longer than that. The environment that built a registry source
 * registers, per location, how to get new headers; the layer pool hands that
 * to the worker as a comlink callback, which the worker calls once on a 401.
 * The filesystem client does the same for later reads of the layers (opening
 * a file, saving a layer), which may come long after the token expired.
 * Keyed weakly by the location object, so a dropped source leaves nothing behind.
 */
import { toErrorInfo } from '../core/errors';
import type { BlobLocation } from '../core/image/model';

/** Asks the registry again and returns the headers to retry the blob GET with. */
export type HeaderRefresher = () => Promise<Record<string, string>>;

const refreshers = new WeakMap<BlobLocation, HeaderRefresher>();

/** Registers how to refresh the headers of `location` (a `url` location). */
export function setHeaderRefresher(location: BlobLocation, refresher: HeaderRefresher): void {
  refreshers.set(location, refresher);
}

/** The refresher registered for `location`, if any. */
export function headerRefresherFor(location: BlobLocation): HeaderRefresher | undefined {
  return refreshers.get(location);
}

/**
 * Fresh headers by layer index, for the filesystem worker: null for a layer
 * without a refresher. `locations` must be the model's own objects, not
 * copies: refreshers are keyed by identity. Refusals reject with a plain
 * InspectErrorInfo, which keeps its code across comlink (an Error would not).
 * Returns null when no layer can be renewed.
 */
export function layerHeaderRefresher(
  locations: readonly (BlobLocation | null)[],
): ((layer: number) => Promise<Record<string, string> | null>) | null {
  const byLayer = locations.map((location) => (location === null ? undefined : refreshers.get(location)));
  if (!byLayer.some((refresher) => refresher !== undefined)) return null;
  return async (layer) => {
    const refresher = byLayer[layer];
    if (refresher === undefined) return null;
    try {
      return await refresher();
    } catch (error) {
      throw toErrorInfo(error, locations[layer]?.path ?? null);
    }
  };
}
