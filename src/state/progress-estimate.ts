/**
 * How far a layer pass is and how long it still takes, from what the
 * workers report: stored bytes read, uncompressed bytes produced, members
 * walked. Only the stored size is known in advance; the uncompressed size
 * is learnt on the way, and a layer can expand 3× or 1000× (a decompression
 * bomb), so a rate of stored bytes alone says little about what is left.
 *
 * The work is counted as stored plus uncompressed bytes: every stored byte is
 * hashed once, every uncompressed byte is inflated, hashed and walked
 * (docs/performance.md: hashing and inflating take about the same time). What
 * is left is the stored bytes not yet read, at the expansion of the last
 * span. A time is given only when it means something: once two spans (3 s)
 * were watched, when the speed and the expansion of the last span agree with
 * those of the span before it, and never when a size is unknown. Otherwise
 * the estimate is null and the page says nothing rather than a number it
 * cannot know.
 */

/** What one report of the workers says. */
export interface WorkDone {
  /** Stored (possibly compressed) bytes read. */
  stored: number;
  /** Uncompressed bytes produced (for an uncompressed blob, the stored bytes again). */
  uncompressed: number;
  /** Tar members walked. */
  entries: number;
}

interface Sample extends WorkDone {
  at: number;
}

/**
 * Speed and expansion are compared over two spans this long, the last one
 * and the one before it: a time is given only when they agree.
 */
const SPAN_MS = 1500;
/** Speed and expansion count as steady while the two spans agree within this factor. */
const STEADY_FACTOR = 1.5;

const work = (done: WorkDone): number => done.stored + done.uncompressed;

function agrees(a: number, b: number): boolean {
  if (a <= 0 || b <= 0) return false;
  return a / b <= STEADY_FACTOR && b / a <= STEADY_FACTOR;
}

/** What happened between two reports. */
interface Span {
  seconds: number;
  /** Work (stored + uncompressed bytes) per second. */
  rate: number;
  /** Uncompressed bytes per stored byte, or 0 when no stored byte was read. */
  expansion: number;
  stored: number;
  uncompressed: number;
}

function span(from: Sample, to: Sample): Span {
  const seconds = (to.at - from.at) / 1000;
  const stored = to.stored - from.stored;
  const uncompressed = to.uncompressed - from.uncompressed;
  return { seconds, rate: (work(to) - work(from)) / seconds, expansion: stored > 0 ? uncompressed / stored : 0, stored, uncompressed };
}

/** Progress and time left of one pass (or of several run together, summed). */
export class WorkEstimate {
  readonly #total: number | null;
  /** Reports of the last two spans, plus the one just before them. */
  #samples: Sample[] = [];

  /** `totalStored`: the stored bytes the work covers, or null when unknown. */
  constructor(totalStored: number | null) {
    this.#total = totalStored;
  }

  /** Records the work done by time `at` (milliseconds). */
  record(at: number, done: WorkDone): void {
    this.#samples.push({ at, ...done });
    while (this.#samples.length > 2 && this.#samples[1].at <= at - 2 * SPAN_MS) this.#samples.shift();
  }

  /** The latest report, or nothing done. */
  get done(): WorkDone {
    const last = this.#samples.at(-1);
    return last ? { stored: last.stored, uncompressed: last.uncompressed, entries: last.entries } : { stored: 0, uncompressed: 0, entries: 0 };
  }

  /** Stored bytes read out of the total, 0…1, or null when the total is unknown. */
  get fraction(): number | null {
    if (!this.#total) return null;
    return Math.min(1, this.done.stored / this.#total);
  }

  /** Stored bytes per second over the last span, or null before a span's worth was watched. */
  get storedRate(): number | null {
    const recent = this.#spans()?.recent;
    return recent ? recent.stored / recent.seconds : null;
  }

  /** Uncompressed bytes per second over the last span, or null. */
  get uncompressedRate(): number | null {
    const recent = this.#spans()?.recent;
    return recent ? recent.uncompressed / recent.seconds : null;
  }

  /** Milliseconds left, or null when no meaningful estimate can be given (see the file comment). */
  get timeLeft(): number | null {
    const spans = this.#spans();
    const last = this.#samples.at(-1);
    // With every stored byte read, what the decoder still has to flush is not known.
    if (this.#total === null || !spans?.earlier || !last || last.stored >= this.#total) return null;
    const { earlier, recent } = spans;
    if (!agrees(recent.rate, earlier.rate) || !agrees(recent.expansion, earlier.expansion)) return null;
    const left = Math.max(0, this.#total - last.stored) * (1 + recent.expansion);
    return (left / recent.rate) * 1000;
  }

  /** The last span, and the one before it once two spans' worth was watched. */
  #spans(): { recent: Span; earlier: Span | null } | null {
    const samples = this.#samples;
    const last = samples.at(-1);
    if (!last) return null;
    const middle = latestAtOrBefore(samples, last.at - SPAN_MS);
    if (!middle) return null;
    const first = latestAtOrBefore(samples, last.at - 2 * SPAN_MS);
    return { recent: span(middle, last), earlier: first ? span(first, middle) : null };
  }
}

function latestAtOrBefore(samples: Sample[], at: number): Sample | null {
  let found: Sample | null = null;
  for (const sample of samples) {
    if (sample.at > at) break;
    found = sample;
  }
  return found;
}
