/**
 * Efficiency of an image, exactly: of the regular-file bytes its layers store
 * (`storedBytes`; a hard link member stores none), how many the merged
 * filesystem after the last layer still shows (`visibleBytes`; a content that
 * several hard links share counts once). The rest is wasted: overwritten,
 * deleted by a whiteout, hidden by an opaque directory, or written twice in
 * one layer. Whiteouts and opaque markers are applied as `umoci unpack`
 * applies them (src/core/fs/filesystem.ts), so `visibleBytes` is the size of
 * the rootfs that `umoci unpack` makes, each inode once.
 *
 * dive's score differs on purpose (see dive-efficiency.ts): it counts the
 * copy that stays as wasted too (its issue #684), compares each path's
 * smallest copy instead of the one shown, and ignores opaque directories.
 */
import { historyForLayers } from '../image/history';
import type { LayeredFilesystem } from '../fs/filesystem';
import { keptContents, wastedSpace, type WastedPath } from '../fs/wasted-space';
import type { ConfigFile, TarEntry } from '../types';

/** What one layer stores and how much of it the final filesystem shows. */
export interface LayerEfficiency {
  /** 0-based layer index. */
  index: number;
  /** The `created_by` of the history line that made this layer, or null. */
  createdBy: string | null;
  /** Regular-file bytes in this layer's tar. */
  storedBytes: number;
  /** Of those, the bytes the merged filesystem after the last layer still shows. */
  visibleBytes: number;
  /** storedBytes − visibleBytes: what later layers (or this one) overwrote, deleted or hid. */
  wastedBytes: number;
}

/** report.json `images[].efficiency`. */
export interface Efficiency {
  /** Regular-file bytes over all layers (hard links carry none). */
  storedBytes: number;
  /** Regular-file bytes of the merged rootfs, each content once. */
  visibleBytes: number;
  /** storedBytes − visibleBytes. */
  wastedBytes: number;
  /** visibleBytes / storedBytes; 1 for an image without file bytes. */
  score: number;
  layers: LayerEfficiency[];
  /** The paths with the most wasted bytes, most first (at most {@link WASTED_PATH_LIMIT}). */
  paths: WastedPath[];
  /** How many paths have wasted bytes (also those beyond `paths`). */
  pathCount: number;
}

/** Wasted paths listed in the report: enough to act on, small enough to diff. */
export const WASTED_PATH_LIMIT = 20;

const isStoredFile = (entry: TarEntry): boolean => entry.type === 'file' && entry.whiteout === null;

/** Stored and shown bytes of one layer against the offsets a tree keeps. */
function layerBytes(entries: readonly TarEntry[], kept: ReadonlySet<number>): { stored: number; visible: number } {
  let stored = 0;
  let visible = 0;
  for (const entry of entries) {
    if (!isStoredFile(entry)) continue;
    stored += entry.size;
    if (kept.has(entry.offset)) visible += entry.size;
  }
  return { stored, visible };
}

/** The efficiency of every layer of `filesystem` applied, with `config`'s history lines. */
export function imageEfficiency(filesystem: LayeredFilesystem, config: ConfigFile | null): Efficiency {
  const layerCount = filesystem.layerCount;
  const wasted = wastedSpace(filesystem, WASTED_PATH_LIMIT);
  const kept = keptContents(filesystem.rootAfter(layerCount - 1), layerCount);
  const history = historyForLayers(config, layerCount);
  const layers: LayerEfficiency[] = [];
  for (let index = 0; index < layerCount; index += 1) {
    const { stored, visible } = layerBytes(filesystem.layerEntries(index), kept[index]);
    layers.push({
      index,
      createdBy: history[index]?.created_by ?? null,
      storedBytes: stored,
      visibleBytes: visible,
      wastedBytes: stored - visible,
    });
  }
  return {
    storedBytes: wasted.totalBytes,
    visibleBytes: wasted.totalBytes - wasted.wastedBytes,
    wastedBytes: wasted.wastedBytes,
    score: wasted.efficiency,
    layers,
    paths: wasted.paths,
    pathCount: wasted.pathCount,
  };
}

/** What squashing a run of layers into one would change. */
export interface SquashSavings {
  /** First and last layer of the run (inclusive). */
  from: number;
  to: number;
  /** Regular-file bytes the run's layers store now. */
  storedBytes: number;
  /** Bytes the one squashed layer would store: the run's contents still shown after layer `to`. */
  squashedBytes: number;
  /** storedBytes − squashedBytes. */
  savedBytes: number;
}

/**
 * What squashing layers `from..to` (inclusive) into one layer would save: the
 * squashed layer holds the filesystem after `to` minus the one before `from`,
 * so it stores only the run's contents that the tree after `to` still shows;
 * everything the run wrote and then overwrote, deleted or hid within itself
 * goes. Layers above `to` do not matter: what they waste stays wasted.
 */
export function squashSavings(filesystem: LayeredFilesystem, from: number, to: number): SquashSavings {
  const last = filesystem.layerCount - 1;
  const first = Math.max(0, Math.min(from, to));
  const end = Math.min(last, Math.max(from, to));
  const kept = keptContents(filesystem.rootAfter(end), filesystem.layerCount);
  let storedBytes = 0;
  let squashedBytes = 0;
  for (let layer = first; layer <= end; layer += 1) {
    const { stored, visible } = layerBytes(filesystem.layerEntries(layer), kept[layer]);
    storedBytes += stored;
    squashedBytes += visible;
  }
  return { from: first, to: end, storedBytes, squashedBytes, savedBytes: storedBytes - squashedBytes };
}

/**
 * dive's "user" share of the waste (`highest-user-wasted-percent`): wasted
 * bytes over the bytes stored by every layer but the first (the base image),
 * a ratio in [0, ∞). Null when the layers above the base store nothing: dive
 * divides by zero there (+Inf when something is wasted, NaN when not).
 */
export function userWastedRatio(efficiency: Pick<Efficiency, 'wastedBytes' | 'layers'>): number | null {
  const userBytes = efficiency.layers.slice(1).reduce((sum, layer) => sum + layer.storedBytes, 0);
  return userBytes === 0 ? null : efficiency.wastedBytes / userBytes;
}
