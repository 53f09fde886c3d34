/**
 * The rows a virtualized tree draws: a depth-first walk of the directories
 * that are expanded, over children lists fetched lazily from the filesystem
 * worker. Pure, so the rules (order, depth, what a collapsed or not yet
 * loaded directory hides) are tested without a browser.
 */

/** What the walk needs to know of a row. */
export interface TreeNodeLike {
  path: string;
  hasChildren: boolean;
}

/** One drawn row. */
export interface VisibleRow<T extends TreeNodeLike> {
  node: T;
  /** 0 for children of the root. */
  depth: number;
  expanded: boolean;
  /** Expanded, but its children are not fetched yet. */
  loading: boolean;
}

/**
 * Rows under `root` in drawing order. `childrenOf` returns a directory's
 * children when they are fetched, else undefined. Iterative, so a deep tree
 * cannot overflow the stack.
 */
export function flattenTree<T extends TreeNodeLike>(
  root: string,
  childrenOf: (directory: string) => readonly T[] | undefined,
  expanded: ReadonlySet<string>,
): VisibleRow<T>[] {
  const rows: VisibleRow<T>[] = [];
  const top = childrenOf(root);
  if (!top) return rows;
  const stack: { nodes: readonly T[]; next: number; depth: number }[] = [{ nodes: top, next: 0, depth: 0 }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    if (frame.next >= frame.nodes.length) {
      stack.pop();
      continue;
    }
    const node = frame.nodes[frame.next++];
    const open = node.hasChildren && expanded.has(node.path);
    const children = open ? childrenOf(node.path) : undefined;
    rows.push({ node, depth: frame.depth, expanded: open, loading: open && !children });
    if (children && children.length > 0) stack.push({ nodes: children, next: 0, depth: frame.depth + 1 });
  }
  return rows;
}

/** `/a/b/c` → `['/', '/a', '/a/b']`: the directories to expand to show a path. */
export function ancestorsOf(path: string): string[] {
  const parts = path.split('/').filter((part) => part !== '');
  const out = ['/'];
  for (let i = 1; i < parts.length; i++) out.push(`/${parts.slice(0, i).join('/')}`);
  return out;
}

/** `/a/b` → `/a`; `/a` → `/`; `/` → null. */
export function parentOf(path: string): string | null {
  if (path === '/' || path === '') return null;
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

/**
 * Index of the row a key press moves the cursor to (arrows, j/k, Home/End,
 * PageUp/PageDown), or null for other keys. `page` is the number of rows in
 * view.
 */
export function moveCursor(key: string, cursor: number, count: number, page: number): number | null {
  if (count === 0) return null;
  const clamp = (index: number): number => Math.max(0, Math.min(count - 1, index));
  switch (key) {
    case 'ArrowDown':
    case 'j':
      return clamp(cursor + 1);
    case 'ArrowUp':
    case 'k':
      return clamp(cursor - 1);
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    case 'PageDown':
      return clamp(cursor + page);
    case 'PageUp':
      return clamp(cursor - page);
  }
  return null;
}

/**
 * Type-ahead: the first row at or after `from` (wrapping) whose name starts
 * with `prefix` (case-insensitive), or null.
 */
export function findByPrefix(names: readonly string[], prefix: string, from: number): number | null {
  const wanted = prefix.toLowerCase();
  for (let step = 0; step < names.length; step++) {
    const index = (from + step) % names.length;
    if (names[index].toLowerCase().startsWith(wanted)) return index;
  }
  return null;
}
