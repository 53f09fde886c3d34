/**
 * View state of the file explorer: which image's filesystem the worker holds,
 * the tree being shown (layer, view, sort, "only what layer N changed"),
 * expanded directories, the cursor, and the name search. The tree itself
 * lives in the filesystem worker (FilesystemClient); this class keeps only
 * the children lists it has fetched, so the page never walks 300k entries.
 */
import { FilesystemClient, type LayerSource, type TreeRow } from '../bridge/filesystem-client';
import { ancestorsOf, flattenTree, type VisibleRow } from '../lib/tree-walk';

/** Sort order of a directory's children (directories always first). */
export type TreeSort = 'name' | 'size';

/** Name search modes (DESIGN/issue 4: substring, glob or regex). */
export type SearchMode = 'substring' | 'glob' | 'regex';

/** One search hit, as the worker returns it. */
export interface SearchHit {
  path: string;
  layer: number;
  type: string;
  size: number;
  /** Still present in the merged filesystem after the current layer. */
  survives: boolean;
}

/** What the tree shows. */
export interface TreeScope {
  layer: number;
  view: 'merged' | 'changes';
  /** In the merged view: only the paths the layer itself wrote. */
  onlyLayerChanges: boolean;
  sort: TreeSort;
}

const scopeKey = (scope: TreeScope): string =>
  `${scope.layer}|${scope.view}|${scope.onlyLayerChanges}|${scope.sort}`;

/** State of the explorer of one page. */
export class Explorer {
  #client: FilesystemClient | null = null;
  #imageKey: string | null = null;
  #loadController: AbortController | null = null;
  #status = $state<'idle' | 'loading' | 'ready' | 'failed'>('idle');
  #error = $state<string | null>(null);

  #scope = $state.raw<TreeScope>({ layer: 0, view: 'merged', onlyLayerChanges: false, sort: 'name' });
  /** Fetched children by directory; replaced (not mutated) so that `rows` re-derives. */
  #children = $state.raw(new Map<string, TreeRow[]>());
  /** Children requests in flight, by directory. */
  #fetching = new Map<string, Promise<TreeRow[] | null>>();
  #expanded = $state.raw(new Set<string>());
  #generation = 0;
  cursor = $state(0);

  #searchText = $state('');
  #searchMode = $state<SearchMode>('substring');
  #searchResult = $state.raw<{ hits: SearchHit[]; capped: boolean } | { error: string } | null>(null);
  #searchGeneration = 0;

  readonly rows = $derived(
    flattenTree<TreeRow>('/', (directory) => this.#children.get(directory), this.#expanded),
  );

  get client(): FilesystemClient | null {
    return this.#status === 'ready' ? this.#client : null;
  }
  get status(): 'idle' | 'loading' | 'ready' | 'failed' {
    return this.#status;
  }
  get error(): string | null {
    return this.#error;
  }
  get scope(): TreeScope {
    return this.#scope;
  }
  get searchText(): string {
    return this.#searchText;
  }
  get searchMode(): SearchMode {
    return this.#searchMode;
  }
  get searchResult(): { hits: SearchHit[]; capped: boolean } | { error: string } | null {
    return this.#searchResult;
  }
  isExpanded(path: string): boolean {
    return this.#expanded.has(path);
  }

  /**
   * Builds the filesystem of an image in the worker (once per image key);
   * `sources` is null while layers are still being read.
   */
  attach(imageKey: string, sources: LayerSource[] | null): void {
    if (imageKey === this.#imageKey && this.#status !== 'idle') return;
    if (!sources) {
      if (imageKey !== this.#imageKey) this.#reset(imageKey);
      return;
    }
    this.#reset(imageKey);
    const controller = new AbortController();
    this.#loadController = controller;
    const client = new FilesystemClient();
    this.#client = client;
    this.#status = 'loading';
    client.load(controller.signal, sources).then(
      () => {
        if (this.#client !== client) return;
        this.#status = 'ready';
        void this.#fetch('/');
      },
      (error: unknown) => {
        if (this.#client !== client) return;
        this.#status = 'failed';
        this.#error = error instanceof Error ? error.message : String(error);
      },
    );
  }

  /** Frees the worker. */
  dispose(): void {
    this.#reset(null);
  }

  #reset(imageKey: string | null): void {
    this.#loadController?.abort();
    this.#client?.dispose();
    this.#client = null;
    this.#imageKey = imageKey;
    this.#status = 'idle';
    this.#error = null;
    this.#clearTree();
    this.#expanded = new Set();
    this.#searchResult = null;
  }

  #clearTree(): void {
    this.#generation++;
    this.#children = new Map();
    this.#fetching.clear();
    this.cursor = 0;
  }

  /** Shows another tree; keeps expanded directories (the same paths usually exist). */
  setScope(scope: TreeScope): void {
    if (scopeKey(scope) === scopeKey(this.#scope)) return;
    this.#scope = scope;
    this.#clearTree();
    if (this.#status === 'ready') {
      void this.#fetch('/');
      for (const path of this.#expanded) void this.#fetch(path);
    }
  }

  #fetch(directory: string): Promise<TreeRow[] | null> {
    const known = this.#children.get(directory);
    if (known) return Promise.resolve(known);
    const inFlight = this.#fetching.get(directory);
    if (inFlight) return inFlight;
    const client = this.client;
    if (!client) return Promise.resolve(null);
    const request = this.#request(client, directory);
    this.#fetching.set(directory, request);
    return request;
  }

  async #request(client: FilesystemClient, directory: string): Promise<TreeRow[] | null> {
    const generation = this.#generation;
    const scope = this.#scope;
    const changedOnly = scope.view === 'merged' && scope.onlyLayerChanges;
    try {
      const rows = await client.children(scope.layer, changedOnly ? 'changes' : scope.view, directory, scope.sort);
      if (generation !== this.#generation) return null;
      // What layer N changed and still stands after it: its change set without its deletions.
      const shown = changedOnly ? rows.filter((row) => row.change !== 'deleted' && row.type !== 'whiteout') : rows;
      this.#children = new Map(this.#children).set(directory, shown);
      return shown;
    } catch (error) {
      if (generation === this.#generation) this.#error = error instanceof Error ? error.message : String(error);
      return null;
    } finally {
      if (generation === this.#generation) this.#fetching.delete(directory);
    }
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
    if (this.#status !== 'ready') return false;
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

  /** The row under the cursor, or null. */
  get current(): VisibleRow<TreeRow> | null {
    return this.rows[this.cursor] ?? null;
  }

  /**
   * Runs a name search over layers 0..`layer` (the last layer: all of them),
   * each hit saying whether it survives in the filesystem after `layer`.
   * Empty text clears it.
   */
  async search(text: string, mode: SearchMode, layer: number): Promise<void> {
    this.#searchText = text;
    this.#searchMode = mode;
    const generation = ++this.#searchGeneration;
    const client = this.client;
    if (text.trim() === '' || !client) {
      this.#searchResult = null;
      return;
    }
    try {
      const result = await client.search({ text, mode }, layer);
      if (generation === this.#searchGeneration) this.#searchResult = result;
    } catch (error) {
      if (generation === this.#searchGeneration) {
        this.#searchResult = { error: error instanceof Error ? error.message : String(error) };
      }
    }
  }
}
