/**
 * What the app keeps on this device: decompressed copies of the layers it
 * read, so that their files open at once (workers/storage/layer-store.ts). Shown on
 * the landing page with a Clear button, because people auditing an image
 * should know what stays behind in the browser.
 */
import { clearKeptLayers, keptLayersUsage, type KeptLayersUsage } from '../bridge/kept-layers';

/** How much the kept layers take, and Clear. */
export class KeptLayers {
  #usage = $state.raw<KeptLayersUsage | null>(null);
  #clearing = $state(false);
  /** Layers that Clear could not delete (open in a worker of this or another tab). */
  #leftInUse = $state(0);

  get usage(): KeptLayersUsage | null {
    return this.#usage;
  }

  get clearing(): boolean {
    return this.#clearing;
  }

  get leftInUse(): number {
    return this.#leftInUse;
  }

  /** Reads the usage again (no OPFS, or an error: nothing to show). */
  async refresh(): Promise<void> {
    this.#usage = await keptLayersUsage().catch(() => null);
  }

  async clear(): Promise<void> {
    this.#clearing = true;
    try {
      this.#usage = await clearKeptLayers().catch(() => this.#usage);
      this.#leftInUse = this.#usage?.layers ?? 0;
    } finally {
      this.#clearing = false;
    }
  }
}
