/**
 * The explorer's tree as the page holds it: only the children lists it has
 * fetched from the filesystem worker, the expanded directories and the
 * cursor, so the page never walks 300k entries. The rows shown are the
 * fetched lists flattened through the expanded directories.
 */
import { ancestorsOf, flattenTree, type VisibleRow } from '../../lib/tree-walk';
import type { TreeRow } from '../../bridge/filesystem-client';

/** Asks the worker for the rows of one directory of the tree being shown. */
export type ListChildren = (directory: string) => Promise<TreeRow[]>;

/** Expanded directories, fetched children and cursor of one tree. */
export class FileTree {
  #list: ListChildren | null = null;
  /** Fetched children by directory; replaced (not mutated) so that `rows` re-derives. */
  #children = $state.raw(new Map<string, TreeRow[]>());
  /** Children requests in flight, by directory. */
  #fetching = new Map<string, Promise<TreeRow[] | null>>();
  #expanded = $state.raw(new Set<string>());
  #generation = 0;
  /** Index of the row under the cursor. */
  cursor = $state(0);

  /** The visible rows, in tree order. */
  readonly rows = $derived(
    flattenTree<TreeRow>('/', (directory) => this.#children.get(directory), this.#expanded),
  );

  /** The row under the cursor, or null. */
  get current(): VisibleRow<TreeRow> | null {
    return this.rows[this.cursor] ?? null;
  }

  isExpanded(path: string): boolean {
    return this.#expanded.has(path);
  }

  /**
   * Shows the tree that `list` reads (another scope, or a filesystem that
   * just became ready), or nothing with null. Expanded directories stay
   * expanded: the same paths usually exist.
   */
  show(list: ListChildren | null): void {
    this.#generation++;
    this.#list = list;
    this.#children = new Map();
    this.#fetching.clear();
    this.cursor = 0;
    if (list === null) return;
    void this.#fetch('/');
    for (const path of this.#expanded) void this.#fetch(path);
  }

  /** Forgets everything, expanded directories too (another image). */
  clear(): void {
    this.show(null);
    this.#expanded = new Set();
  }

  /** Expands or collapses a directory. */
  toggle(path: string): void {
    if (this.#expanded.has(path)) this.collapse(path);
    else this.expand(path);
  }

  expand(path: string): void {
    if (!this.#expanded.has(path)) this.#expanded = new Set(this.#expanded).add(path);
    void this.#fetch(path);
  }

  collapse(path: string): void {
    if (!this.#expanded.has(path)) return;
    const next = new Set(this.#expanded);
    next.delete(path);
    this.#expanded = next;
  }

  /** Collapses every directory. */
  collapseAll(): void {
    this.#expanded = new Set();
    this.cursor = 0;
  }

  /**
   * Expands the directories above `path`, waits for their children, and puts
   * the cursor on it. Resolves to false when the path is not in this tree.
   */
  async reveal(path: string): Promise<boolean> {
    if (this.#list === null) return false;
    const ancestors = ancestorsOf(path);
    const next = new Set(this.#expanded);
    for (const directory of ancestors) if (directory !== '/') next.add(directory);
    this.#expanded = next;
    for (const directory of ancestors) {
      if (!(await this.#fetch(directory))) return false;
    }
    const index = this.rows.findIndex((row) => row.node.path === path);
    if (index < 0) return false;
    this.cursor = index;
    return true;
  }

  #fetch(directory: string): Promise<TreeRow[] | null> {
    const known = this.#children.get(directory);
    if (known) return Promise.resolve(known);
    const inFlight = this.#fetching.get(directory);
    if (inFlight) return inFlight;
    const list = this.#list;
    if (list === null) return Promise.resolve(null);
    const request = this.#request(list, directory);
    this.#fetching.set(directory, request);
    return request;
  }

  async #request(list: ListChildren, directory: string): Promise<TreeRow[] | null> {
    const generation = this.#generation;
    try {
      const rows = await list(directory);
      if (generation !== this.#generation) return null;
      this.#children = new Map(this.#children).set(directory, rows);
      return rows;
    } catch {
      // The directory stays unexpanded; the worker's failures surface through the explorer's status.
      return null;
    } finally {
      if (generation === this.#generation) this.#fetching.delete(directory);
    }
  }
}
