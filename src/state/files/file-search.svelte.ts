/**
 * The name search of the Files view: what is typed, how it matches
 * (substring, glob or regex; src/core/fs/search.ts), and the hits over every
 * layer of the image. Typing is debounced so that each keystroke does not
 * ask the worker to search all layers.
 */
import type { SearchMode } from '../../core/fs/search';
import type { SearchResponse } from '../../bridge/filesystem-client';

export type { SearchMode };

/** Hits of the last search, or why it failed (a bad regex). */
export type SearchOutcome = SearchResponse | { error: string };

/** Runs one search in the worker, or returns null when no filesystem is ready. */
export type RunSearch = (query: { text: string; mode: SearchMode }) => Promise<SearchResponse> | null;

const SEARCH_DELAY_MS = 150;

/** What is searched and what was found. */
export class FileSearch {
  readonly #run: RunSearch;
  #text = $state('');
  #mode = $state<SearchMode>('substring');
  #result = $state.raw<SearchOutcome | null>(null);
  #generation = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(run: RunSearch) {
    this.#run = run;
  }

  /** The query as typed; empty = no search (the tree is shown). */
  get text(): string {
    return this.#text;
  }
  set text(value: string) {
    this.#text = value;
    this.#schedule();
  }

  get mode(): SearchMode {
    return this.#mode;
  }
  set mode(value: SearchMode) {
    this.#mode = value;
    this.#schedule();
  }

  /** The result to show: null while nothing is searched (or the filesystem is not ready). */
  get result(): SearchOutcome | null {
    return this.#text.trim() === '' ? null : this.#result;
  }

  /** Empties the query at once (Escape, or a hit was picked). */
  clear(): void {
    clearTimeout(this.#timer);
    this.#text = '';
    void this.#search();
  }

  /** Drops the hits (another image): they name paths of the old one. */
  forget(): void {
    clearTimeout(this.#timer);
    this.#generation++;
    this.#result = null;
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#search(), SEARCH_DELAY_MS);
  }

  async #search(): Promise<void> {
    const generation = ++this.#generation;
    const text = this.#text;
    const running = text.trim() === '' ? null : this.#run({ text, mode: this.#mode });
    if (running === null) {
      this.#result = null;
      return;
    }
    try {
      const result = await running;
      if (generation === this.#generation) this.#result = result;
    } catch (error) {
      if (generation === this.#generation) {
        this.#result = { error: error instanceof Error ? error.message : String(error) };
      }
    }
  }
}
