/**
 * The Changes and Merged views: the filesystem worker of the image shown
 * (built once per image, from every layer's entries), the tree, the name
 * search, the opened file, the wasted space, and the downloads. The session
 * says what to show (`show`, from the link); components read the getters and
 * call the verbs. Nothing outside src/state touches the worker.
 */
import {
  FilesystemClient,
  type LayerSource,
  type SearchHitRow,
  type SearchResponse,
  type TreeRow,
  type TreeSort,
  type TreeView,
  type WastedSpace,
} from '../../bridge/filesystem-client';
import { downloadJson } from '../../lib/download';
import { FileSearch, type SearchMode } from './file-search.svelte';
import { FileTree } from './file-tree.svelte';
import { FileView } from './file-view.svelte';
import { SaveAction } from './save-action.svelte';

export type { SearchHitRow as SearchHit, TreeRow, TreeSort, TreeView, WastedSpace };

/** What the Files view shows, from the link and the layer jobs. */
export interface FilesTarget {
  /** `ImageModel.id`: the filesystem is built once per image. */
  imageKey: string;
  /** The link's `image` value, named in files.json. */
  imageRouteId: string;
  /** Every layer's entries, or null while layers are still being read. */
  sources: LayerSource[] | null;
  /** Null for an image without layers. */
  layer: number | null;
  view: TreeView;
  /** The link's `path` (opened in the viewer), or null. */
  path: string | null;
  /** The link's `line`, or null. */
  line: number | null;
}

/** What the tree shows. */
export interface TreeScope {
  layer: number;
  view: TreeView;
  /** In the merged view: only the paths the layer itself wrote. */
  onlyLayerChanges: boolean;
  sort: TreeSort;
}

/** Where the worker's filesystem is. */
export type ExplorerStatus = 'idle' | 'loading' | 'ready' | 'failed';

const scopeKey = (scope: TreeScope): string => `${scope.layer}|${scope.view}|${scope.onlyLayerChanges}|${scope.sort}`;
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** State of the explorer of one page; it outlives the Files view, so switching views keeps the worker. */
export class Explorer {
  readonly tree = new FileTree();
  readonly search = new FileSearch((query) => this.#runSearch(query));
  /** Saves of the Downloads menu (layer blobs, the root filesystem). */
  readonly downloads = new SaveAction();
  /** Saves of the file viewer; a save keeps running (and can be cancelled) after moving on. */
  readonly viewerSaves = new SaveAction();

  #client: FilesystemClient | null = null;
  #imageKey: string | null = null;
  /** Layers of the filesystem in the worker: the search covers them all. */
  #layerCount = 0;
  #loadController: AbortController | null = null;
  #target: FilesTarget | null = null;
  #status = $state<ExplorerStatus>('idle');
  #error = $state<string | null>(null);
  #scope = $state.raw<TreeScope>({ layer: 0, view: 'merged', onlyLayerChanges: false, sort: 'name' });
  #sort = $state<TreeSort>('name');
  #onlyLayerChanges = $state(false);
  #file = $state.raw<FileView | null>(null);
  #wasted = $state.raw<WastedSpace | null>(null);
  #wastedError = $state<string | null>(null);

  get status(): ExplorerStatus {
    return this.#status;
  }
  /** Why the filesystem could not be built, or null. */
  get error(): string | null {
    return this.#error;
  }
  get ready(): boolean {
    return this.#status === 'ready';
  }
  get scope(): TreeScope {
    return this.#scope;
  }
  /** Sort order of every directory (directories first). */
  get sort(): TreeSort {
    return this.#sort;
  }
  set sort(value: TreeSort) {
    this.#sort = value;
    this.#rescope();
  }
  /** In the merged view: show only what the layer itself wrote. */
  get onlyLayerChanges(): boolean {
    return this.#onlyLayerChanges;
  }
  set onlyLayerChanges(value: boolean) {
    this.#onlyLayerChanges = value;
    this.#rescope();
  }
  /** The file open in the viewer, or null. */
  get file(): FileView | null {
    return this.#file;
  }
  /** Bytes the layers store that the last layer's filesystem does not show, once computed. */
  get wasted(): WastedSpace | null {
    return this.#wasted;
  }
  get wastedError(): string | null {
    return this.#wastedError;
  }

  /** Shows what `target` names: builds the image's filesystem once its layers are read, then the tree, the path and the file. */
  show(target: FilesTarget): void {
    const previous = this.#target;
    this.#target = target;
    this.#attach(target.imageKey, target.sources);
    const scopeChanged = this.#applyScope();
    if (this.#status !== 'ready') return;
    if (scopeChanged || previous?.path !== target.path) this.#reveal();
    this.#syncFile();
  }

  /** The Files view is not shown: the opened file stops reading; the filesystem stays for the next visit. */
  hide(): void {
    this.#target = null;
    this.#closeFile();
    this.downloads.clearError();
  }

  /** Frees the worker. */
  dispose(): void {
    this.#reset(null);
  }

  /** Saves `files.json` of what the view shows (the README's "files.json" contract). */
  async downloadFileList(): Promise<void> {
    const target = this.#target;
    const client = this.#readyClient();
    if (!target || !client || target.layer === null) return;
    const entries = await client.fileList(target.view, target.layer);
    downloadJson({ image: target.imageRouteId, layer: target.layer, view: target.view, entries }, 'files.json');
  }

  /** Saves layer `layer` as stored (compressed) or as its uncompressed tar. */
  saveLayer(layer: number, form: 'stored' | 'uncompressed'): void {
    const client = this.#readyClient();
    if (client) void this.downloads.run((signal) => client.saveLayer(signal, layer, form));
  }

  /** Saves the merged root filesystem after `layer` as a tar. */
  saveRootfs(layer: number): void {
    const client = this.#readyClient();
    if (client) void this.downloads.run((signal) => client.saveRootfsTar(signal, layer));
  }

  /** Saves a directory of the merged tree after `layer` as a tar. */
  saveDirectory(layer: number, path: string): void {
    const client = this.#readyClient();
    if (client) void this.viewerSaves.run((signal) => client.saveDirectoryTar(signal, layer, path));
  }

  /** Saves one file's content (a symlink's: its target's). */
  saveFile(layer: number, path: string): void {
    const client = this.#readyClient();
    if (client) void this.viewerSaves.run((signal) => client.saveFile(signal, layer, path));
  }

  #readyClient(): FilesystemClient | null {
    return this.#status === 'ready' ? this.#client : null;
  }

  #attach(imageKey: string, sources: LayerSource[] | null): void {
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
    this.#layerCount = sources.length;
    this.#status = 'loading';
    client.load(controller.signal, sources).then(
      () => {
        if (this.#client !== client) return;
        this.#status = 'ready';
        this.tree.show((directory) => this.#listChildren(client, directory));
        this.#loadWasted(client);
        this.#reveal();
        this.#syncFile();
      },
      (error: unknown) => {
        if (this.#client !== client) return;
        this.#status = 'failed';
        this.#error = messageOf(error);
      },
    );
  }

  #reset(imageKey: string | null): void {
    this.#loadController?.abort();
    this.#client?.dispose();
    this.#client = null;
    this.#imageKey = imageKey;
    this.#status = 'idle';
    this.#error = null;
    this.#wasted = null;
    this.#wastedError = null;
    this.#closeFile();
    this.tree.clear();
    this.search.forget();
  }

  /** Another sort or filter: the tree is read again and the open path revealed in it. */
  #rescope(): void {
    if (this.#applyScope() && this.#status === 'ready') this.#reveal();
  }

  /** Applies the target's layer and view with the sort and filter; true when the tree changed. */
  #applyScope(): boolean {
    const target = this.#target;
    if (!target || target.layer === null) return false;
    const view = target.view;
    const scope = { layer: target.layer, view, onlyLayerChanges: view === 'merged' && this.#onlyLayerChanges, sort: this.#sort };
    if (scopeKey(scope) === scopeKey(this.#scope)) return false;
    this.#scope = scope;
    const client = this.#readyClient();
    this.tree.show(client && ((directory) => this.#listChildren(client, directory)));
    return true;
  }

  async #listChildren(client: FilesystemClient, directory: string): Promise<TreeRow[]> {
    const scope = this.#scope;
    const changedOnly = scope.view === 'merged' && scope.onlyLayerChanges;
    const rows = await client.children(scope.layer, changedOnly ? 'changes' : scope.view, directory, scope.sort);
    // What layer N changed and still stands after it: its change set without its deletions.
    return changedOnly ? rows.filter((row) => row.change !== 'deleted' && row.type !== 'whiteout') : rows;
  }

  /** A link (or a search hit) names a path: open the directories above it and put the cursor on it. */
  #reveal(): void {
    const path = this.#target?.path ?? null;
    if (path !== null) void this.tree.reveal(path);
  }

  /** Opens the target's path in the viewer (a new FileView when the path, layer or view changed). */
  #syncFile(): void {
    const target = this.#target;
    const client = this.#readyClient();
    if (!target || !client || target.path === null || target.layer === null) {
      this.#closeFile();
      return;
    }
    const open = this.#file;
    if (!open || open.layer !== target.layer || open.view !== target.view || open.path !== target.path) {
      open?.dispose();
      this.#file = new FileView(client, target.layer, target.view, target.path);
      this.viewerSaves.clearError();
    }
    this.#file?.showLine(target.line);
  }

  #closeFile(): void {
    this.#file?.dispose();
    this.#file = null;
  }

  #loadWasted(client: FilesystemClient): void {
    client.wastedSpace().then(
      (value) => {
        if (this.#client === client) this.#wasted = value;
      },
      (error: unknown) => {
        if (this.#client === client) this.#wastedError = messageOf(error);
      },
    );
  }

  #runSearch(query: { text: string; mode: SearchMode }): Promise<SearchResponse> | null {
    const client = this.#readyClient();
    // Layers 0…last: every member of every layer, each hit saying whether it survives.
    return client && this.#layerCount > 0 ? client.search(query, this.#layerCount - 1) : null;
  }
}
