/**
 * Resolves a link (`RouteParams`) against a loaded source: which image, which
 * platform, which layer and view, with the defaults of docs/contracts.md "Links" (the first image,
 * the host's platform or linux/amd64, the last layer, `overview`). Pure, so the
 * rules are tested without a browser.
 */
import type { ImageModel, IndexEntryModel, IndexModel, SourceModel } from '../core/image/model';
import { formatPlatform, platformMatches } from '../core/image/platform';
import type { RouteParams, ViewName } from './route-hash';

export { formatPlatform };

/** Platform assumed when the host's cannot be told (docs/contracts.md, "Links"). */
export const DEFAULT_PLATFORM = 'linux/amd64';

/**
 * What the image list shows: one entry per image, except that the images of
 * one multi-platform index form a single group with a platform picker.
 */
export interface ImageGroup {
  /** Index digest for a platform group, else the image id. */
  key: string;
  label: string;
  /** The image index for a platform group, else null. */
  index: IndexModel | null;
  /** Images of the group present in the source, in index order. */
  images: ImageModel[];
}

/** The resolved view. */
export interface Selection {
  group: ImageGroup | null;
  image: ImageModel | null;
  /** Selected layer index, or null when the image has no layers. */
  layer: number | null;
  view: ViewName;
  path: string | null;
  line: number | null;
}

/** The value of the link's `image` key for an image: manifest digest, else config digest. */
export function imageRouteId(image: ImageModel): string {
  return image.manifestDigest ?? image.configDigest ?? image.id;
}

/** Whether an index is a real image index (a platform list) rather than an OCI layout's index.json. */
function isPlatformIndex(index: IndexModel): boolean {
  return index.digest !== null && index.manifests.some((entry) => entry.kind === 'image');
}

function groupLabel(source: SourceModel, index: IndexModel | null, images: ImageModel[]): string {
  for (const image of images) if (image.refs.length > 0) return image.refs[0];
  if (index) {
    for (const other of source.indexes) {
      const entry = other.manifests.find((e) => e.descriptor.digest === index.digest && e.refName);
      if (entry?.refName) return entry.refName;
    }
    return index.digest ?? index.path;
  }
  const image = images[0];
  return image ? imageRouteId(image) : source.name;
}

/** Groups a source's images for the image list, in the order the source lists them. */
export function groupImages(source: SourceModel): ImageGroup[] {
  const byId = new Map(source.images.map((image) => [image.id, image]));
  const position = new Map(source.images.map((image, i) => [image.id, i]));
  const grouped = new Set<string>();
  const groups: ImageGroup[] = [];
  for (const index of source.indexes) {
    if (!isPlatformIndex(index) || groups.some((g) => g.key === index.digest)) continue;
    const images: ImageModel[] = [];
    for (const entry of index.manifests) {
      const image = entry.imageId ? byId.get(entry.imageId) : undefined;
      if (image && !images.includes(image)) images.push(image);
    }
    for (const image of images) grouped.add(image.id);
    groups.push({ key: index.digest ?? index.path, label: groupLabel(source, index, images), index, images });
  }
  for (const image of source.images) {
    if (grouped.has(image.id)) continue;
    groups.push({ key: image.id, label: groupLabel(source, null, [image]), index: null, images: [image] });
  }
  const first = (group: ImageGroup): number =>
    Math.min(...group.images.map((image) => position.get(image.id) ?? Infinity), Infinity);
  return groups.sort((a, b) => first(a) - first(b));
}

/** The entries of a group's index, for the platform picker (absent ones included). */
export function platformEntries(group: ImageGroup | null): IndexEntryModel[] {
  return group?.index?.manifests.filter((entry) => entry.kind === 'image') ?? [];
}

function pickPlatform(images: ImageModel[], wanted: string[]): ImageModel | null {
  for (const platform of wanted) {
    const match = images.find((image) => platformMatches(image.platform, platform));
    if (match) return match;
  }
  return images[0] ?? null;
}

function findImage(source: SourceModel, id: string): ImageModel | null {
  return (
    source.images.find(
      (image) => image.id === id || image.manifestDigest === id || image.configDigest === id,
    ) ?? null
  );
}

/** Applies a link to a source, filling in defaults for what it leaves out or gets wrong. */
export function resolveSelection(
  source: SourceModel,
  route: RouteParams,
  hostPlatform: string = DEFAULT_PLATFORM,
): Selection {
  const groups = groupImages(source);
  const wanted = [route.platform, hostPlatform, DEFAULT_PLATFORM].filter(
    (p): p is string => typeof p === 'string' && p !== '',
  );
  let image = route.image ? findImage(source, route.image) : null;
  let group = image ? (groups.find((g) => g.images.includes(image as ImageModel)) ?? null) : null;
  if (image && group && route.platform && !platformMatches(image.platform, route.platform)) {
    image = group.images.find((i) => platformMatches(i.platform, route.platform as string)) ?? image;
  }
  if (!image) {
    group = groups.find((g) => g.images.length > 0) ?? groups[0] ?? null;
    image = group ? pickPlatform(group.images, wanted) : null;
  }
  const layerCount = image?.layers.length ?? 0;
  let layer: number | null = null;
  if (layerCount > 0) {
    layer = route.layer !== undefined && route.layer < layerCount ? route.layer : layerCount - 1;
  }
  return {
    group,
    image,
    layer,
    view: route.view ?? 'overview',
    path: route.path ?? null,
    line: route.line ?? null,
  };
}
