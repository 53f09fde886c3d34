import { describe, expect, it } from 'vitest';
import { JobBoard, LayerJob } from '../../../src/state/jobs.svelte';
import { WorkEstimate, type WorkDone } from '../../../src/state/progress-estimate';

const MB = 1_000_000;

/** Feeds `estimate` one report every 50 ms (as the workers post them) from `from` to `to` ms. */
function run(estimate: WorkEstimate, from: number, to: number, at: (ms: number) => WorkDone): void {
  for (let ms = from; ms <= to; ms += 50) estimate.record(ms, at(ms));
}

const NOTHING: WorkDone = { stored: 0, uncompressed: 0, entries: 0 };

/**
 * A steady pace from `start` at `startMs`: `storedPerSecond`, expanding
 * `expansion`×, one entry per 10 kB uncompressed.
 */
function steady(storedPerSecond: number, expansion: number, startMs = 0, start: WorkDone = NOTHING) {
  return (ms: number): WorkDone => {
    const stored = ((ms - startMs) / 1000) * storedPerSecond;
    const uncompressed = start.uncompressed + stored * expansion;
    return { stored: start.stored + stored, uncompressed, entries: Math.floor(uncompressed / 10_000) };
  };
}

describe('WorkEstimate', () => {
  it('gives no time during the first seconds, however fast the first reports come', () => {
    const estimate = new WorkEstimate(10 * MB);
    // The sample image's case: a tiny first report after the worker started, a 1 s job.
    run(estimate, 0, 1000, steady(10 * MB, 3));
    expect(estimate.timeLeft).toBeNull();
    expect(estimate.fraction).toBeCloseTo(1, 5);
  });

  it('gives the time left of a steady pass, from the stored bytes left at the expansion seen', () => {
    const estimate = new WorkEstimate(10 * MB);
    run(estimate, 0, 2500, steady(1 * MB, 3));
    expect(estimate.timeLeft).toBeNull();
    run(estimate, 2550, 3000, steady(1 * MB, 3));
    expect(estimate.fraction).toBeCloseTo(0.3, 5);
    expect(estimate.storedRate).toBeCloseTo(1 * MB, -3);
    expect(estimate.uncompressedRate).toBeCloseTo(3 * MB, -3);
    // 7 MB stored left at 1 MB/s.
    expect(estimate.timeLeft).toBeCloseTo(7000, -1);
  });

  it('counts the uncompressed work: a layer that expands more takes longer per stored byte', () => {
    const flat = new WorkEstimate(10 * MB);
    const dense = new WorkEstimate(10 * MB);
    // Same work rate (stored + uncompressed = 4 MB/s), different expansion.
    run(flat, 0, 3000, steady(2 * MB, 1));
    run(dense, 0, 3000, steady(0.5 * MB, 7));
    expect(flat.timeLeft).toBeCloseTo(2000, -1);
    expect(dense.timeLeft).toBeCloseTo(17_000, -1);
  });

  it('says nothing while a layer turns into a bomb, then gives the time the new pace needs', () => {
    const estimate = new WorkEstimate(3.18 * MB);
    run(estimate, 0, 2000, steady(0.5 * MB, 3));
    const before = estimate.done;
    // From 2 s on, each stored byte turns into 1000: 0.3 MB/s in, 300 MB/s out.
    const bomb = steady(0.3 * MB, 1000, 2000, before);
    const shown: (number | null)[] = [];
    for (let ms = 2050; ms <= 4500; ms += 50) {
      estimate.record(ms, bomb(ms));
      shown.push(estimate.timeLeft);
    }
    expect(shown.every((timeLeft) => timeLeft === null)).toBe(true);
    expect(estimate.done.uncompressed).toBeGreaterThan(before.uncompressed + 700 * MB);
    expect(estimate.done.entries).toBeGreaterThan(before.entries);
    run(estimate, 4550, 6000, bomb);
    const storedLeft = 3.18 * MB - estimate.done.stored;
    expect(estimate.timeLeft).toBeCloseTo((storedLeft / (0.3 * MB)) * 1000, -2);
  });

  it('gives a time again once the new pace has held for the whole window', () => {
    const estimate = new WorkEstimate(100 * MB);
    run(estimate, 0, 4000, steady(4 * MB, 3));
    expect(estimate.timeLeft).not.toBeNull();
    // One of two workers finished: the pace halves. The run's average still lags behind.
    const halfway = estimate.done;
    run(estimate, 4050, 5000, steady(2 * MB, 3, 4000, halfway));
    const settlingDown = estimate.timeLeft;
    run(estimate, 5050, 12_000, steady(2 * MB, 3, 4000, halfway));
    // 100 − 32 MB at 2 MB/s.
    expect(estimate.timeLeft).toBeCloseTo(34_000, -2);
    expect(settlingDown === null || settlingDown < 50_000).toBe(true);
  });

  it('never gives a time when the total is unknown', () => {
    const estimate = new WorkEstimate(null);
    run(estimate, 0, 5000, steady(1 * MB, 3));
    expect(estimate.fraction).toBeNull();
    expect(estimate.storedRate).toBeCloseTo(1 * MB, -3);
    expect(estimate.timeLeft).toBeNull();
  });
});

describe('LayerJob and JobBoard progress', () => {
  it('moves the counts with every report and drops the estimates once settled', () => {
    const job = new LayerJob('a', 'blobs/sha256/a', 10 * MB);
    const other = new LayerJob('b', 'blobs/sha256/b', 10 * MB);
    const board = new JobBoard([job, other], 0);
    for (let ms = 0; ms <= 3000; ms += 50) {
      const done = steady(1 * MB, 3)(ms);
      job.progress(done, ms);
      board.tick(ms);
    }
    expect(job.status).toBe('running');
    expect(job.read).toBeCloseTo(3 * MB, -3);
    expect(job.entries).toBe(900);
    expect(board.uncompressedBytes).toBeCloseTo(9 * MB, -3);
    expect(board.entries).toBe(900);
    expect(board.fraction).toBeCloseTo(0.15, 3);
    // 17 MB stored left over both jobs at the expansion seen, 1 MB/s.
    expect(board.progressView.timeLeft).toBeCloseTo(17_000, -2);
    expect(job.progressView.timeLeft).toBeCloseTo(7000, -1);
    job.fail({ code: 'aborted', message: 'Cancelled', path: null }, 3100);
    other.fail({ code: 'aborted', message: 'Cancelled', path: null }, 3100);
    expect(board.settled).toBe(true);
    expect(board.progressView).toEqual({ rate: null, uncompressedRate: null, timeLeft: null });
    expect(job.progressView.timeLeft).toBeNull();
  });
});
