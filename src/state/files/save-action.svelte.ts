/**
 * One "save" button group's state: whether a save is running, why the last
 * one failed, and a way to stop it. The save jobs (FilesystemClient.save*)
 * take an AbortSignal first (ARCHITECTURE.md, "Conventions"); cancelling aborts it, which stops the
 * worker's request and discards a file the save picker created. A cancelled
 * save, or a save picker the user closed (both AbortError), is not an error.
 */
import { isAbortError } from '../../core/errors';

/** A save job: resolves once the bytes are written, rejects with an AbortError when `signal` aborts. */
export type SaveJob = (signal: AbortSignal) => Promise<unknown>;

/** Runs one save at a time and keeps its saving/error state. */
export class SaveAction {
  #controller = $state.raw<AbortController | null>(null);
  #error = $state<string | null>(null);

  /** A save is running. */
  get saving(): boolean {
    return this.#controller !== null;
  }

  /** Why the last save failed, or null. */
  get error(): string | null {
    return this.#error;
  }

  /**
   * Runs `job` unless a save is running already (the buttons are disabled
   * then). Never rejects: a failure is kept in `error`.
   */
  async run(job: SaveJob): Promise<void> {
    if (this.#controller) return;
    const controller = new AbortController();
    this.#controller = controller;
    this.#error = null;
    try {
      await job(controller.signal);
    } catch (error) {
      if (!isAbortError(error)) this.#error = error instanceof Error ? error.message : String(error);
    } finally {
      this.#controller = null;
    }
  }

  /** Stops the running save, if any; it ends without an error. */
  cancel(): void {
    this.#controller?.abort();
  }

  /** Forgets the last failure (what it was about is no longer shown). */
  clearError(): void {
    this.#error = null;
  }
}
