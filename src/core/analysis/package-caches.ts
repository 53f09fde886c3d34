/**
 * Package-manager caches left in the merged filesystem: downloaded package
 * lists and archives that only the build needed. One finding per cache
 * directory that holds file bytes, attributed to the layer that stores most
 * of them (where the `rm`, `--no-cache` or `clean` belongs).
 */
import { type FileNode, findNode } from '../fs/file-node';
import type { FindingList } from './finding-list';
import { formatSize } from './text';

/** A cache directory and how to keep it out of an image. */
interface CacheDirectory {
  /** Absolute path; `*` stands for any one name (home directories). */
  path: string;
  label: string;
  remedy: string;
}

const CACHE_DIRECTORIES: readonly CacheDirectory[] = [
  { path: '/var/lib/apt/lists', label: 'apt package lists', remedy: 'rm -rf /var/lib/apt/lists/* in the RUN that ran apt-get update' },
  { path: '/var/cache/apt', label: 'apt package cache', remedy: 'apt-get clean in the RUN that installed packages' },
  { path: '/var/cache/apk', label: 'apk package cache', remedy: 'apk add --no-cache' },
  { path: '/var/cache/dnf', label: 'dnf package cache', remedy: 'dnf clean all in the RUN that installed packages' },
  { path: '/var/cache/yum', label: 'yum package cache', remedy: 'yum clean all in the RUN that installed packages' },
  { path: '/root/.cache/pip', label: 'pip cache', remedy: 'pip install --no-cache-dir' },
  { path: '/home/*/.cache/pip', label: 'pip cache', remedy: 'pip install --no-cache-dir' },
  { path: '/root/.npm/_cacache', label: 'npm cache', remedy: 'npm cache clean --force in the same RUN' },
  { path: '/home/*/.npm/_cacache', label: 'npm cache', remedy: 'npm cache clean --force in the same RUN' },
  { path: '/usr/local/share/.cache/yarn', label: 'yarn cache', remedy: 'yarn cache clean in the same RUN' },
  { path: '/root/.cache/yarn', label: 'yarn cache', remedy: 'yarn cache clean in the same RUN' },
];

/** Lock files the package managers keep in an otherwise clean cache. */
const NOT_CACHE = new Set(['lock']);

/** The directories a pattern names in the tree (`*` expanded over existing children). */
function expand(root: FileNode, pattern: string): FileNode[] {
  let nodes: FileNode[] = [root];
  for (const part of pattern.split('/').filter((name) => name !== '')) {
    const next: FileNode[] = [];
    for (const node of nodes) {
      if (!node.children) continue;
      if (part === '*') next.push(...node.children.values());
      else {
        const child = findNode(node, part);
        if (child) next.push(child);
      }
    }
    nodes = next;
  }
  return nodes.filter((node) => node.type === 'dir');
}

/** Files with content beneath a directory: how many, how many bytes, and bytes per content layer. */
function cacheContents(dir: FileNode): { files: number; bytes: number; byLayer: Map<number, number> } {
  const byLayer = new Map<number, number>();
  let files = 0;
  let bytes = 0;
  const pending: FileNode[] = [dir];
  while (pending.length > 0) {
    const node = pending.pop() as FileNode;
    if (node.children) for (const child of node.children.values()) pending.push(child);
    if (node.type !== 'file' || node.size === 0 || NOT_CACHE.has(node.name)) continue;
    files += 1;
    bytes += node.size;
    byLayer.set(node.contentLayer, (byLayer.get(node.contentLayer) ?? 0) + node.size);
  }
  return { files, bytes, byLayer };
}

/** Adds a `package-cache` finding for each cache directory with file bytes in it. */
export function checkPackageCaches(root: FileNode, list: FindingList): void {
  for (const cache of CACHE_DIRECTORIES) {
    for (const dir of expand(root, cache.path)) {
      const { files, bytes, byLayer } = cacheContents(dir);
      if (files === 0) continue;
      let layer = dir.layer;
      let most = -1;
      for (const [candidate, size] of byLayer) {
        if (size > most || (size === most && candidate > layer)) [layer, most] = [candidate, size];
      }
      const count = files === 1 ? '1 file' : `${files} files`;
      list.add(
        {
          id: 'package-cache',
          severity: 'low',
          path: dir.path,
          layer,
          message: `${cache.label} left in the image: ${count}, ${formatSize(bytes)} (${bytes} bytes); ${cache.remedy}`,
        },
        'package caches',
      );
    }
  }
}
