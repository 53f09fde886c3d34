/**
 * Per-layer analysis jobs: one per distinct `LayerModel.key` (layers sharing
 * bytes are read once). Each job's progress is reactive on its own, so a
 * progress tick re-renders one row, not the table; results are `$state.raw`
 * because entry lists can hold hundreds of thousands of items.
 */
import type { InspectErrorInfo } from '../core/errors';
import type { BlobResult } from '../core/types';

/** Where a job is. `done` = read to the end (the result may still carry an error). */
export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

/** Progress and outcome of reading one blob. */
export class LayerJob {
  /** `LayerModel.key`. */
  readonly key: string;
  /** Path or URL the bytes come from, for messages. */
  readonly path: string;
  /** Stored size, when known in advance. */
  readonly expectedSize: number | null;

  #status = $state<JobStatus>('queued');
  #read = $state(0);
  #uncompressed = $state(0);
  #startedAt = $state<number | null>(null);
  #endedAt = $state<number | null>(null);
  #now = $state(0);
  #result = $state.raw<BlobResult | null>(null);
  #error = $state.raw<InspectErrorInfo | null>(null);

  constructor(key: string, path: string, expectedSize: number | null) {
    this.key = key;
    this.path = path;
    this.expectedSize = expectedSize;
  }

  get status(): JobStatus {
    return this.#status;
  }
  get settled(): boolean {
    return this.#status === 'done' || this.#status === 'failed';
  }
  /** Stored bytes read so far. */
  get read(): number {
    return this.#read;
  }
  get uncompressed(): number {
    return this.#uncompressed;
  }
  get result(): BlobResult | null {
    return this.#result;
  }
  get error(): InspectErrorInfo | null {
    return this.#error;
  }
  /** 0…1, or null when the size is unknown. */
  get fraction(): number | null {
    if (this.settled) return 1;
    if (!this.expectedSize) return null;
    return Math.min(1, this.#read / this.expectedSize);
  }
  /** Stored bytes per second while running (or overall, once done). */
  get rate(): number | null {
    if (this.#startedAt === null) return null;
    const seconds = ((this.#endedAt ?? this.#now) - this.#startedAt) / 1000;
    return seconds > 0.05 ? this.#read / seconds : null;
  }
  /** Estimated milliseconds left, or null. */
  get timeLeft(): number | null {
    const rate = this.rate;
    if (this.settled || rate === null || !this.expectedSize) return null;
    return (Math.max(0, this.expectedSize - this.#read) / rate) * 1000;
  }
  /** Elapsed milliseconds, or null when it never started. */
  get elapsed(): number | null {
    if (this.#startedAt === null) return null;
    return (this.#endedAt ?? this.#now) - this.#startedAt;
  }

  /** Records a progress report from the pool. */
  progress(read: number, uncompressed: number, now: number): void {
    if (this.settled) return;
    if (this.#startedAt === null) this.#startedAt = now;
    this.#status = 'running';
    this.#read = read;
    this.#uncompressed = uncompressed;
    this.#now = now;
  }

  succeed(result: BlobResult, now: number): void {
    if (this.settled) return;
    this.#startedAt ??= now;
    this.#endedAt = now;
    this.#read = result.size;
    this.#uncompressed = result.uncompressedSize ?? this.#uncompressed;
    this.#result = result;
    this.#status = 'done';
  }

  fail(error: InspectErrorInfo, now: number): void {
    if (this.settled) return;
    this.#startedAt ??= now;
    this.#endedAt = now;
    this.#error = error;
    this.#status = 'failed';
  }
}

/** All jobs of one load, with the totals the overall progress bar shows. */
export class JobBoard {
  readonly jobs: ReadonlyMap<string, LayerJob>;
  readonly startedAt: number;
  #now = $state(0);

  constructor(jobs: LayerJob[], startedAt: number) {
    this.jobs = new Map(jobs.map((job) => [job.key, job]));
    this.startedAt = startedAt;
    this.#now = startedAt;
  }

  /** Moves the clock the rate and time-left figures use. */
  tick(now: number): void {
    this.#now = now;
  }

  get settled(): boolean {
    for (const job of this.jobs.values()) if (!job.settled) return false;
    return true;
  }
  get settledCount(): number {
    let count = 0;
    for (const job of this.jobs.values()) if (job.settled) count++;
    return count;
  }
  get failedCount(): number {
    let count = 0;
    for (const job of this.jobs.values()) if (job.status === 'failed') count++;
    return count;
  }
  /** Sum of the known stored sizes. */
  get totalBytes(): number {
    let total = 0;
    for (const job of this.jobs.values()) total += job.expectedSize ?? job.read;
    return total;
  }
  get readBytes(): number {
    let total = 0;
    for (const job of this.jobs.values()) total += job.settled ? (job.expectedSize ?? job.read) : job.read;
    return total;
  }
  /** 0…1. */
  get fraction(): number {
    const total = this.totalBytes;
    if (total === 0) return this.settled ? 1 : 0;
    return Math.min(1, this.readBytes / total);
  }
  /** Stored bytes per second over the whole analysis. */
  get rate(): number | null {
    const seconds = (this.#now - this.startedAt) / 1000;
    return seconds > 0.2 ? this.readBytes / seconds : null;
  }
  get timeLeft(): number | null {
    const rate = this.rate;
    if (this.settled || rate === null || rate === 0) return null;
    return ((this.totalBytes - this.readBytes) / rate) * 1000;
  }
}
