/**
 * Directory sizes of a merged tree: the sum of the sizes of what a directory
 * holds (files, hard links, devices and other content, and subdirectories),
 * computed bottom-up. Only directories a layer copied can have changed, so
 * only those are visited.
 */
import type { EntryType } from '../types';

/** What the computation reads and writes of a node. */
interface SizedNode {
  type: EntryType;
  size: number;
  children: Map<string, SizedNode> | undefined;
}

/** Recomputes the size of `root` and of every directory under it that `changed` accepts. */
export function recomputeDirectorySizes<N extends SizedNode>(root: N, changed: (dir: N) => boolean): void {
  const order: N[] = [];
  const pending: N[] = [root];
  while (pending.length > 0) {
    const dir = pending.pop() as N;
    order.push(dir);
    for (const child of (dir.children as Map<string, N>).values()) {
      if (child.children !== undefined && changed(child)) pending.push(child);
    }
  }
  for (let i = order.length - 1; i >= 0; i -= 1) {
    let total = 0;
    for (const child of (order[i].children as Map<string, N>).values()) {
      if (child.type === 'dir' || child.type === 'file' || child.type === 'hardlink' || child.type === 'other') {
        total += child.size;
      }
    }
    order[i].size = total;
  }
}
