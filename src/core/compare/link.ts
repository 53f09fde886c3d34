/**
 * The link keys of a comparison (`#/?…&view=compare&right.image=…`). The
 * left image keeps the ordinary keys (`ref` or `file`/`size`, `image`,
 * `platform`, `layer`); the right image has the same keys prefixed with
 * `right.`; `section` and `changes` say what the comparison view shows, and
 * `path` the selected file. A registry image is named by a reference pinned
 * by digest, a dropped file by its name and size plus the image digest (the
 * page asks for the file again), and an image of the same source by
 * `right.image` (and `right.platform`) alone. docs/comparing.md lists them.
 *
 * These functions read and write the keys' decoded values only; escaping
 * and the rest of the link belong to the link parser (src/state/route-hash.ts).
 */

import type { FileChange } from './files';

/** The second image of a comparison, as a link names it. */
export interface CompareTarget {
  /** Registry reference, pinned by digest (`host/repo:tag@sha256:…`). */
  ref?: string;
  /** Name of the dropped file or folder. */
  file?: string;
  /** Size in bytes of the dropped file. */
  size?: number;
  /** Manifest digest, or config digest where the image has no manifest. */
  image?: string;
  /** `os/architecture[/variant]`. */
  platform?: string;
  /** 0-based layer whose merged filesystem is compared (default: the last). */
  layer?: number;
}

/** The parts of the comparison view. */
export const COMPARE_SECTIONS = ['layers', 'config', 'history', 'files', 'packages'] as const;

/** One of {@link COMPARE_SECTIONS}. */
export type CompareSection = (typeof COMPARE_SECTIONS)[number];

/** What a comparison link says beyond the left image's own keys. */
export interface CompareRoute {
  right: CompareTarget;
  /** Default: `layers`. */
  section?: CompareSection;
  /** Which changes the files section lists (default: all). */
  changes?: FileChange[];
}

/** Where the right image comes from. */
export type CompareTargetKind = 'registry' | 'file' | 'same-source';

/** The keys, in the order links write them. */
export const COMPARE_KEYS = ['right.ref', 'right.file', 'right.size', 'right.image', 'right.platform', 'right.layer', 'section', 'changes'] as const;

const CHANGES: readonly FileChange[] = ['added', 'removed', 'changed'];
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const PLATFORM = /^[^/\s]+\/[^/\s]+(?:\/[^/\s]+)?$/;

function count(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,15}$/.test(text)) return undefined;
  return Number(text);
}

/** True for a reference pinned by digest, the only form a comparison link writes for a registry. */
export function isPinnedReference(ref: string): boolean {
  return /@sha256:[0-9a-f]{64}$/.test(ref);
}

/**
 * Reads the comparison keys from a link's decoded key/value pairs (the
 * link parser's unknown keys). Invalid values are dropped so defaults apply;
 * a link naming both a reference and a file keeps the reference.
 */
export function parseCompareKeys(values: Readonly<Record<string, string>>): CompareRoute {
  const right: CompareTarget = {};
  const ref = values['right.ref'];
  if (ref) right.ref = ref;
  else if (values['right.file']) {
    right.file = values['right.file'];
    const size = count(values['right.size']);
    if (size !== undefined) right.size = size;
  }
  const image = values['right.image'];
  if (image && DIGEST.test(image)) right.image = image;
  const platform = values['right.platform'];
  if (platform && PLATFORM.test(platform)) right.platform = platform;
  const layer = count(values['right.layer']);
  if (layer !== undefined) right.layer = layer;
  const route: CompareRoute = { right };
  const section = values.section;
  if ((COMPARE_SECTIONS as readonly string[]).includes(section)) route.section = section as CompareSection;
  const changes = (values.changes ?? '').split(',').filter((item): item is FileChange => (CHANGES as readonly string[]).includes(item));
  if (changes.length > 0) route.changes = CHANGES.filter((item) => changes.includes(item));
  return route;
}

/** The comparison keys of a route, in link order, values not yet escaped. */
export function formatCompareKeys(route: CompareRoute): [string, string][] {
  const { right } = route;
  const values: Record<(typeof COMPARE_KEYS)[number], string | undefined> = {
    'right.ref': right.ref,
    'right.file': right.ref === undefined ? right.file : undefined,
    'right.size': right.ref === undefined && right.file !== undefined && right.size !== undefined ? String(right.size) : undefined,
    'right.image': right.image,
    'right.platform': right.platform,
    'right.layer': right.layer === undefined ? undefined : String(right.layer),
    section: route.section,
    changes: route.changes && route.changes.length > 0 && route.changes.length < CHANGES.length ? CHANGES.filter((item) => route.changes?.includes(item)).join(',') : undefined,
  };
  return COMPARE_KEYS.flatMap((key) => (values[key] === undefined || values[key] === '' ? [] : [[key, values[key] as string] as [string, string]]));
}

/** Where the right image of a link comes from. */
export function compareTargetKind(target: CompareTarget): CompareTargetKind {
  if (target.ref !== undefined) return 'registry';
  return target.file !== undefined ? 'file' : 'same-source';
}
