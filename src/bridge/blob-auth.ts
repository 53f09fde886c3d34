/**
 * Fresh Authorization headers for registry blob URLs. A layer's location
 * carries the headers known when the model was built, but bearer tokens are
 * short-lived (Docker Hub's last 300 s) and big layers may wait in the pool's
 * queue longer than that. The environment that built a registry source
 * registers, per location, how to get new headers; the layer pool hands that
 * to the worker as a comlink callback, which the worker calls once on a 401.
 * Keyed weakly by the location object, so a dropped source leaves nothing behind.
 */
import type { BlobLocation } from '../core/model';

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
