/**
 * Main-thread side of the layer workers (squoosh's WorkerBridge, pooled):
 * a few dedicated workers, started lazily, each running one blob at a time;
 * a queue that runs the biggest blobs first (they decide when the analysis
 * ends); cancellation by terminating the worker that runs the job; workers
 * that sit idle are terminated after a while.
 *
 * One layer per worker scales ~1.65× on 2 cores (2 layers in 7.4 s with 2
 * workers, 12.2 s with 1; docs/performance.md, "Workers and the pool"), and a core should stay free for the
 * browser process (it serves File reads) and the UI: so `cores - 1` workers,
 * but 2 on a 2-core machine, where one worker would leave that 1.65× unused.
 * At most 4: memory grows per worker, and layers rarely outnumber them.
 */
import { proxy, wrap, type Remote } from 'comlink';
import { InspectErrorCode, type InspectErrorInfo } from '../core/errors';
import type { BlobLocation } from '../core/image/model';
import type { BlobResult } from '../core/types';
import type { KeepRequest, LayerProgress, LayerWorkerApi } from '../../workers/layer-api';
import { headerRefresherFor } from './blob-auth';

/** Workers are terminated after this long without work. */
const IDLE_TIMEOUT_MS = 10_000;

export type { LayerProgress };

/** Options of a LayerPool. */
export interface LayerPoolOptions {
  /** Idle time before a worker is terminated (default 10 s). */
  idleTimeoutMs?: number;
}

interface Job {
  location: BlobLocation;
  keep: KeepRequest | null;
  onProgress: (progress: LayerProgress) => void;
  signal: AbortSignal;
  priority: number;
  /** Submission order: equal priorities run first come, first served. */
  sequence: number;
  resolve(result: BlobResult): void;
  reject(reason: unknown): void;
  /** Removes the abort listener. */
  detach(): void;
}

interface Slot {
  worker: Worker;
  api: Remote<LayerWorkerApi>;
  job: Job | null;
  idleTimer: ReturnType<typeof setTimeout> | null;
}

function defaultPoolSize(): number {
  const cores = navigator.hardwareConcurrency || 2;
  return Math.max(1, Math.min(cores, Math.max(2, cores - 1), 4));
}

/** Cancellation is always a DOMException named AbortError (ARCHITECTURE.md, "Conventions"), whatever the signal's reason. */
function abortError(signal: AbortSignal): DOMException {
  const reason: unknown = signal.reason;
  return reason instanceof DOMException && reason.name === 'AbortError'
    ? reason
    : new DOMException('The operation was aborted.', 'AbortError');
}

/** A pool of layer workers. */
export class LayerPool {
  readonly #size: number;
  readonly #idleTimeoutMs: number;
  readonly #slots: Slot[] = [];
  #queue: Job[] = [];
  #sequence = 0;

  /** `size`: workers at most (default: cores − 1, but 2 on 2 cores, 4 at most; see above). */
  constructor(size = defaultPoolSize(), options: LayerPoolOptions = {}) {
    this.#size = Math.max(1, size);
    this.#idleTimeoutMs = options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
  }

  /**
   * Inspects the blob at `location` in a worker. Jobs with a higher
   * `priority` (pass the blob's size) start first; `keep` has the worker
   * store the decompressed layer for the file viewer. Rejects with the signal's
   * AbortError when aborted (a running job's worker is terminated), or with
   * an InspectErrorInfo when the bytes cannot be read.
   */
  inspect(
    signal: AbortSignal,
    location: BlobLocation,
    onProgress: (progress: LayerProgress) => void,
    priority = 0,
    keep: KeepRequest | null = null,
  ): Promise<BlobResult> {
    if (signal.aborted) return Promise.reject(abortError(signal));
    if (location.kind === 'scanned') return Promise.resolve(location.result);
    return new Promise<BlobResult>((resolve, reject) => {
      const onAbort = (): void => this.#abort(job);
      const job: Job = {
        location,
        keep,
        onProgress,
        signal,
        priority,
        sequence: this.#sequence++,
        resolve,
        reject,
        detach: () => signal.removeEventListener('abort', onAbort),
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(job);
      this.#queue.sort((a, b) => b.priority - a.priority || a.sequence - b.sequence);
      this.#dispatch();
    });
  }

  /**
   * Terminates every worker; queued and running jobs reject with an AbortError.
   * The pool stays usable: later jobs start fresh workers.
   */
  terminate(): void {
    const error = new DOMException('The layer pool was terminated.', 'AbortError');
    for (const job of this.#queue) {
      job.detach();
      job.reject(error);
    }
    this.#queue = [];
    for (const slot of [...this.#slots]) {
      const job = slot.job;
      this.#retire(slot);
      if (job) {
        job.detach();
        job.reject(error);
      }
    }
  }

  /** Starts queued jobs on idle workers, creating workers up to the pool size. */
  #dispatch(): void {
    while (this.#queue.length > 0) {
      let slot = this.#slots.find((candidate) => candidate.job === null);
      if (!slot) {
        if (this.#slots.length >= this.#size) return;
        slot = this.#createSlot();
      }
      this.#run(slot, this.#queue.shift() as Job);
    }
  }

  #createSlot(): Slot {
    // Vite bundles the worker from this exact `new Worker(new URL(…), { type: 'module' })` form.
    const worker = new Worker(new URL('../../workers/layer.worker.ts', import.meta.url), {
      type: 'module',
      name: 'tarsier-layer',
    });
    const slot: Slot = { worker, api: wrap<LayerWorkerApi>(worker), job: null, idleTimer: null };
    worker.addEventListener('error', (event) => {
      // The worker failed to load or crashed: its job cannot finish.
      event.preventDefault();
      const job = slot.job;
      this.#retire(slot);
      if (job) {
        job.detach();
        const info: InspectErrorInfo = {
          code: InspectErrorCode.Internal,
          message: `${job.location.path}: the layer worker failed (${event.message || 'no message'})`,
          path: job.location.path,
        };
        job.reject(info);
      }
      this.#dispatch();
    });
    this.#slots.push(slot);
    return slot;
  }

  #run(slot: Slot, job: Job): void {
    if (slot.idleTimer !== null) clearTimeout(slot.idleTimer);
    slot.idleTimer = null;
    slot.job = job;
    const refresher = headerRefresherFor(job.location);
    slot.api.inspect(job.location, proxy(job.onProgress), refresher && proxy(refresher), job.keep).then(
      (result) => this.#settle(slot, job, () => job.resolve(result)),
      (error: unknown) => this.#settle(slot, job, () => job.reject(error)),
    );
  }

  /** Finishes `job` unless it was aborted meanwhile, then frees its worker for the next one. */
  #settle(slot: Slot, job: Job, finish: () => void): void {
    if (slot.job !== job) return;
    job.detach();
    finish();
    slot.job = null;
    slot.idleTimer = setTimeout(() => this.#retire(slot), this.#idleTimeoutMs);
    this.#dispatch();
  }

  #abort(job: Job): void {
    const queued = this.#queue.indexOf(job);
    if (queued >= 0) {
      this.#queue.splice(queued, 1);
    } else {
      const slot = this.#slots.find((candidate) => candidate.job === job);
      // Terminating is the only way to stop a worker mid-blob; a fresh one replaces it on demand.
      if (slot) this.#retire(slot);
    }
    job.reject(abortError(job.signal));
    this.#dispatch();
  }

  #retire(slot: Slot): void {
    if (slot.idleTimer !== null) clearTimeout(slot.idleTimer);
    slot.worker.terminate();
    slot.job = null;
    const index = this.#slots.indexOf(slot);
    if (index >= 0) this.#slots.splice(index, 1);
  }
}
