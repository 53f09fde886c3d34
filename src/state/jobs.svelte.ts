/**
 * Per-layer analysis jobs: one per distinct `LayerModel.key` (layers sharing
 * bytes are read once). Each job's progress is reactive on its own, so a
 * progress tick re-renders one row, not the table; results are `$state.raw`
 * because entry lists can hold hundreds of thousands of items. Rates and
 * time left come from progress-estimate.ts, which gives no time it cannot know.
 */
import type { InspectErrorInfo } from '../core/errors';
import type { BlobResult } from '../core/types';
import { WorkEstimate, type WorkDone } from './progress-estimate';

/** Where a job is. `done` = read to the end (the result may still carry an error). */
export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

/** What the page shows of a pass while it runs. */
export interface ProgressView {
  /** Stored bytes per second over the last few seconds, or null. */
  rate: number | null;
  /** Uncompressed bytes per second over the last few seconds, or null. */
  uncompressedRate: number | null;
  /** Milliseconds left, or null when no meaningful estimate exists yet. */
  timeLeft: number | null;
}

const NO_PROGRESS: ProgressView = { rate: null, uncompressedRate: null, timeLeft: null };

function viewOf(estimate: WorkEstimate): ProgressView {
  return { rate: estimate.storedRate, uncompressedRate: estimate.uncompressedRate, timeLeft: estimate.timeLeft };
}

/** Progress and outcome of reading one blob. */
export class LayerJob {
  /** `LayerModel.key`. */
  readonly key: string;
  /** Path or URL the bytes come from, for messages. */
  readonly path: string;
  /** Stored size, when known in advance. */
  readonly expectedSize: number | null;
  readonly #estimate: WorkEstimate;

  #status = $state<JobStatus>('queued');
  #done = $state.raw<WorkDone>({ stored: 0, uncompressed: 0, entries: 0 });
  #progress = $state.raw<ProgressView>(NO_PROGRESS);
  #startedAt = $state<number | null>(null);
  #endedAt = $state<number | null>(null);
  #result = $state.raw<BlobResult | null>(null);
  #error = $state.raw<InspectErrorInfo | null>(null);

  constructor(key: string, path: string, expectedSize: number | null) {
    this.key = key;
    this.path = path;
    this.expectedSize = expectedSize;
    this.#estimate = new WorkEstimate(expectedSize);
  }

  get status(): JobStatus {
    return this.#status;
  }
  get settled(): boolean {
    return this.#status === 'done' || this.#status === 'failed';
  }
  /** Stored bytes read so far. */
  get read(): number {
    return this.#done.stored;
  }
  /** Uncompressed bytes produced so far. */
  get uncompressed(): number {
    return this.#done.uncompressed;
  }
  /** Tar members walked so far. */
  get entries(): number {
    return this.#done.entries;
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
    return Math.min(1, this.#done.stored / this.expectedSize);
  }
  /** Rates and time left while running; all null once settled. */
  get progressView(): ProgressView {
    return this.settled ? NO_PROGRESS : this.#progress;
  }
  /** Stored bytes per second over the whole pass, once settled. */
  get averageRate(): number | null {
    const elapsed = this.elapsed;
    return this.settled && elapsed !== null && elapsed > 50 ? (this.#done.stored / elapsed) * 1000 : null;
  }
  /** Elapsed milliseconds of a settled job, or null when it never started. */
  get elapsed(): number | null {
    if (this.#startedAt === null || this.#endedAt === null) return null;
    return this.#endedAt - this.#startedAt;
  }

  /** Records a progress report from the pool. */
  progress(done: WorkDone, now: number): void {
    if (this.settled) return;
    if (this.#startedAt === null) this.#startedAt = now;
    this.#status = 'running';
    this.#done = done;
    this.#estimate.record(now, done);
    this.#progress = viewOf(this.#estimate);
  }

  succeed(result: BlobResult, now: number): void {
    if (this.settled) return;
    this.#startedAt ??= now;
    this.#endedAt = now;
    this.#done = {
      stored: result.size,
      uncompressed: result.uncompressedSize ?? this.#done.uncompressed,
      entries: result.entryCount,
    };
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
  readonly #estimate: WorkEstimate;
  #progress = $state.raw<ProgressView>(NO_PROGRESS);

  constructor(jobs: LayerJob[], startedAt: number) {
    this.jobs = new Map(jobs.map((job) => [job.key, job]));
    this.startedAt = startedAt;
    const sizes = jobs.map((job) => job.expectedSize);
    this.#estimate = new WorkEstimate(sizes.includes(null) ? null : sizes.reduce<number>((sum, size) => sum + (size ?? 0), 0));
  }

  /** Records the jobs' progress at `now`: rates and time left follow it. */
  tick(now: number): void {
    this.#estimate.record(now, { stored: this.readBytes, uncompressed: this.uncompressedBytes, entries: this.entries });
    this.#progress = viewOf(this.#estimate);
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
  /** Stored bytes read (a settled job counts whole). */
  get readBytes(): number {
    let total = 0;
    for (const job of this.jobs.values()) total += job.settled ? (job.expectedSize ?? job.read) : job.read;
    return total;
  }
  /** Uncompressed bytes produced so far, over every job. */
  get uncompressedBytes(): number {
    let total = 0;
    for (const job of this.jobs.values()) total += job.uncompressed;
    return total;
  }
  /** Tar members walked so far, over every job. */
  get entries(): number {
    let total = 0;
    for (const job of this.jobs.values()) total += job.entries;
    return total;
  }
  /** 0…1 of the stored bytes. */
  get fraction(): number {
    const total = this.totalBytes;
    if (total === 0) return this.settled ? 1 : 0;
    return Math.min(1, this.readBytes / total);
  }
  /** Rates and time left while jobs run; all null once every job settled. */
  get progressView(): ProgressView {
    return this.settled ? NO_PROGRESS : this.#progress;
  }
}
