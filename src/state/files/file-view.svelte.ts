/**
 * What the file viewer shows for one path: the entry (stat), where a symlink
 * leads, and the file's content in pages fetched from the filesystem worker,
 * which resolves links and reads the layer blob. Text is decoded page by page
 * (a page ends after a newline), binary is shown as hex a window at a time,
 * images go to an `<img>` through a blob URL. Nothing is truncated silently:
 * the view always says how much of the file is loaded.
 */
import type { FileInfo, FilesystemClient, ReadProgress, TreeRow } from '../../bridge/filesystem-client';
import type { FileKind } from '../../core/content/file-kind';
import { TEXT_PAGE_BYTES, pageLength, pageLines } from '../../core/content/text-page';
import { prettyJsonLines } from '../../lib/pretty-json';

/** Bytes shown per hex window. */
export const HEX_WINDOW_BYTES = 64 * 1024;
/** Biggest JSON file pretty-printed as a whole (bigger ones show as plain text pages). */
const PRETTY_JSON_LIMIT = 8 * 1024 * 1024;
/** How often a read that waits for its layer to be decoded asks how far it got. */
const PROGRESS_POLL_MS = 250;

/** Biggest image drawn. */
const IMAGE_LIMIT = 64 * 1024 * 1024;

const IMAGE_TYPES: Partial<Record<FileKind, string>> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
};

/** How the content is drawn. */
export type ContentMode = 'text' | 'hex' | 'image';

/** The content of one opened file. */
export class FileView {
  readonly #client: FilesystemClient;
  readonly layer: number;
  readonly view: 'merged' | 'changes';
  readonly path: string;
  readonly #controller = new AbortController();

  row = $state.raw<TreeRow | null>(null);
  /** Where a symlink resolves to inside the image, or why it does not. */
  link = $state.raw<{ path: string; row: TreeRow } | { error: string } | null>(null);
  info = $state.raw<FileInfo | null>(null);
  mode = $state<ContentMode>('text');
  status = $state<'loading' | 'ready' | 'missing' | 'failed'>('loading');
  error = $state<string | null>(null);

  lines = $state.raw<string[]>([]);
  /** Bytes decoded into `lines` so far. */
  textBytes = $state(0);
  /** The JSON was re-indented (line numbers are of the pretty text). */
  pretty = $state(false);
  hexOffset = $state(0);
  hexBytes = $state.raw<Uint8Array>(new Uint8Array(0));
  imageUrl = $state<string | null>(null);
  /** A read waiting for its layer to be decoded (a layer that was not kept by the first pass), or null. */
  waiting = $state.raw<ReadProgress | null>(null);
  #decoder = new TextDecoder();
  #paging: Promise<void> | null = null;
  /** The line a link asks for: text pages are read until it is loaded. */
  #wantedLine: number | null = null;

  constructor(client: FilesystemClient, layer: number, view: 'merged' | 'changes', path: string) {
    this.#client = client;
    this.layer = layer;
    this.view = view;
    this.path = path;
    void this.#open();
  }

  /** The path whose content is shown: the symlink's target, else the path. */
  get contentPath(): string {
    const link = this.link;
    return link && 'path' in link ? link.path : this.path;
  }
  get size(): number {
    return this.info?.size ?? 0;
  }
  get textComplete(): boolean {
    return this.textBytes >= this.size;
  }

  async #open(): Promise<void> {
    const signal = this.#controller.signal;
    try {
      // A path the layer did not change (a link from the merged view) is still shown, from the merged tree.
      let row = await this.#client.stat(this.layer, this.path, this.view);
      if (!row && this.view === 'changes') row = await this.#client.stat(this.layer, this.path, 'merged');
      this.row = row;
      if (!row || row.change === 'deleted' || row.type === 'whiteout') {
        this.status = 'missing';
        return;
      }
      let target = row;
      if (row.type === 'symlink') {
        const link = await this.#client.resolve(this.layer, this.path);
        this.link = link;
        if ('error' in link) {
          this.status = 'ready';
          return;
        }
        target = link.row;
      }
      if (target.type !== 'file' && target.type !== 'hardlink') {
        this.status = 'ready';
        return;
      }
      const info = await this.#watched(this.#client.fileInfo(signal, this.layer, this.contentPath));
      this.info = info;
      const imageType = IMAGE_TYPES[info.kind];
      if (imageType && info.size <= IMAGE_LIMIT) {
        const bytes = await this.#read(0, info.size);
        if (signal.aborted) return;
        this.imageUrl = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: imageType }));
        this.mode = 'image';
      } else if (info.kind === 'json' && info.size <= PRETTY_JSON_LIMIT) {
        const bytes = await this.#read(0, info.size);
        this.lines = prettyJsonLines(this.#decoder.decode(bytes));
        this.textBytes = info.size;
        this.pretty = true;
        this.mode = 'text';
      } else if (info.kind === 'text' || info.kind === 'json' || info.kind === 'svg') {
        this.mode = 'text';
        await this.nextTextPage();
      } else {
        this.mode = 'hex';
        await this.showHex(0);
      }
      this.status = 'ready';
      this.#loadWantedLine();
    } catch (error) {
      if (signal.aborted) return;
      this.status = 'failed';
      this.error = error instanceof Error ? error.message : String(error);
    }
  }

  #read(offset: number, length: number): Promise<Uint8Array> {
    return this.#watched(this.#client.readFile(this.#controller.signal, this.layer, this.contentPath, offset, length));
  }

  /**
   * Polls the worker's read progress while `read` is pending: a layer that
   * was not kept decompressed (a private window) is decoded from its start,
   * which takes seconds for a big one, and the viewer says how far it got.
   */
  #watched<T>(read: Promise<T>): Promise<T> {
    let pending = true;
    const poll = async (): Promise<void> => {
      while (pending && !this.#controller.signal.aborted) {
        await new Promise((resolve) => setTimeout(resolve, PROGRESS_POLL_MS));
        const waiting = pending ? await this.#client.readProgress().catch(() => []) : [];
        if (pending) this.waiting = waiting.find((entry) => entry.reached < entry.target) ?? null;
      }
    };
    void poll();
    return read.finally(() => {
      pending = false;
      this.waiting = null;
    });
  }

  /** Decodes the next page of a text file (no-op when all is loaded). */
  nextTextPage(): Promise<void> {
    this.#paging ??= this.#readTextPage().finally(() => (this.#paging = null));
    return this.#paging;
  }

  async #readTextPage(): Promise<void> {
    const offset = this.textBytes;
    if (offset >= this.size) return;
    const length = Math.min(TEXT_PAGE_BYTES, this.size - offset);
    const bytes = await this.#read(offset, length);
    const atEnd = offset + bytes.length >= this.size || bytes.length === 0;
    const used = pageLength(bytes, atEnd);
    const text = this.#decoder.decode(bytes.subarray(0, used), { stream: !atEnd });
    this.lines = this.lines.concat(pageLines(text));
    this.textBytes = used === 0 ? this.size : offset + used;
  }

  /** Reads text pages until line `line` (1-based) is loaded or the file ends (a link's line may be past the first page). */
  showLine(line: number | null): void {
    this.#wantedLine = line;
    this.#loadWantedLine();
  }

  #loadWantedLine(): void {
    const line = this.#wantedLine;
    if (line !== null && this.status === 'ready' && this.mode === 'text') void this.#loadLine(line);
  }

  async #loadLine(line: number): Promise<void> {
    while (this.mode === 'text' && this.lines.length < line && !this.textComplete && !this.#controller.signal.aborted) {
      await this.nextTextPage();
    }
  }

  /** Shows the hex window that starts at `offset` (rounded down to a window). */
  async showHex(offset: number): Promise<void> {
    const start = Math.max(0, Math.floor(offset / HEX_WINDOW_BYTES) * HEX_WINDOW_BYTES);
    const length = Math.min(HEX_WINDOW_BYTES, Math.max(0, this.size - start));
    this.hexBytes = length === 0 ? new Uint8Array(0) : await this.#read(start, length);
    this.hexOffset = start;
  }

  /** Stops reads in flight and frees the image URL. */
  dispose(): void {
    this.#controller.abort();
    if (this.imageUrl) URL.revokeObjectURL(this.imageUrl);
  }
}
