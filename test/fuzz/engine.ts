/**
 * A small structure-aware fuzzer for the parsers of src/core and src/sources.
 * Each target (test/fuzz/*.test.ts) gives seeds — real bytes or inputs
 * built in the test — and, optionally, mutators that know its format (tar
 * header fields, PAX records, JSON values); the engine mixes those with
 * generic byte mutations and runs every input through the target.
 *
 * An input fails when the target throws anything but an InspectError (or an
 * AbortError), takes longer than the target's time bound, or leaves the heap
 * or ArrayBuffers grown past the memory bound. Runs are deterministic for a
 * seed (FUZZ_SEED, default 1): a failure is reproducible from the seed and
 * the iteration it prints, and its input is written to test/fuzz/failures/
 * so that it can be kept in test/fuzz/corpus/<target>/ as a regression case.
 * Every file of the corpus is replayed before the generated inputs.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { InspectError, isAbortError } from '../../src/core/errors';
import { concatBytes as concat } from '../helpers/craft-tar';

/** A deterministic pseudo-random source (mulberry32). */
export class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, limit). */
  below(limit: number): number {
    return Math.floor(this.next() * limit);
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }
}

/** Turns one input into a new one; may return the input changed in place or a new array. */
export type Mutator = (input: Uint8Array, random: Random) => Uint8Array;

/** What a target tells the engine. */
export interface FuzzTarget {
  /** Names the corpus folder and the test. */
  name: string;
  /** Starting inputs (real files, or bytes built here). */
  seeds(): Uint8Array[] | Promise<Uint8Array[]>;
  /** Format-aware mutators, used for about half of the mutations. */
  mutators?: Mutator[];
  /**
   * Inputs run once but never mutated: big inputs built for one known case
   * (a 1 MiB header before 1000 members), too costly to mutate thousands of times.
   */
  replays?(): Uint8Array[] | Promise<Uint8Array[]>;
  /** Generated inputs per run (the corpus is replayed on top). */
  iterations: number;
  /** Longest one input may take (default 1000 ms). */
  maxMillisecondsPerInput?: number;
  /** Most the heap plus ArrayBuffers may grow over one input (default 256 MiB). */
  maxMemoryGrowth?: number;
  /** Parses one input. Must only throw InspectError or AbortError. */
  run(input: Uint8Array): unknown;
}

/** One failing input. */
export interface FuzzFailure {
  iteration: number;
  reason: string;
  file: string;
}

/** Counts of one run. */
export interface FuzzSummary {
  target: string;
  inputs: number;
  failures: FuzzFailure[];
  milliseconds: number;
  /** CPU time of the run (user + system): what the inputs cost on a machine others share. */
  cpuMilliseconds: number;
}

const INTERESTING_BYTES = [0x00, 0x01, 0x20, 0x2f, 0x30, 0x37, 0x38, 0x7f, 0x80, 0xfe, 0xff];
const MAX_INPUT_BYTES = 1 << 20;

const genericMutators: Mutator[] = [
  (input, random) => {
    if (input.length === 0) return input;
    const out = input.slice();
    out[random.below(out.length)] ^= 1 << random.below(8);
    return out;
  },
  (input, random) => {
    if (input.length === 0) return input;
    const out = input.slice();
    out[random.below(out.length)] = random.pick(INTERESTING_BYTES);
    return out;
  },
  (input, random) => {
    const at = random.below(input.length + 1);
    const length = 1 + random.below(64);
    const insert = new Uint8Array(length).map(() => random.below(256));
    return concat(input.subarray(0, at), insert, input.subarray(at));
  },
  (input, random) => {
    if (input.length === 0) return input;
    const at = random.below(input.length);
    const length = 1 + random.below(Math.min(512, input.length - at));
    return concat(input.subarray(0, at), input.subarray(at + length));
  },
  (input, random) => input.subarray(0, random.below(input.length + 1)),
  (input, random) => {
    if (input.length < 2) return input;
    const from = random.below(input.length);
    const length = 1 + random.below(Math.min(1024, input.length - from));
    const to = random.below(input.length);
    return concat(input.subarray(0, to), input.subarray(from, from + length), input.subarray(to));
  },
];


export { concat };

const here = new URL('.', import.meta.url).pathname;

function corpusInputs(target: string): Uint8Array[] {
  const folder = join(here, 'corpus', target);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .sort()
    .map((name) => new Uint8Array(readFileSync(join(folder, name))));
}

function keepFailure(target: string, input: Uint8Array): string {
  const folder = join(here, 'failures', target);
  mkdirSync(folder, { recursive: true });
  const file = join(folder, createHash('sha256').update(input).digest('hex').slice(0, 16));
  writeFileSync(file, input);
  return file;
}

function memoryInUse(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

async function check(target: FuzzTarget, input: Uint8Array): Promise<string | null> {
  const before = memoryInUse();
  const started = performance.now();
  try {
    await target.run(input);
  } catch (error) {
    if (!(error instanceof InspectError) && !isAbortError(error)) {
      return `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
    }
  }
  const elapsed = performance.now() - started;
  if (elapsed > (target.maxMillisecondsPerInput ?? 1000)) return `took ${elapsed.toFixed(0)} ms`;
  const growth = memoryInUse() - before;
  if (growth > (target.maxMemoryGrowth ?? 256 * 1024 * 1024)) {
    return `memory grew by ${(growth / 1048576).toFixed(0)} MiB`;
  }
  return null;
}

/** Replays the corpus, then runs `target.iterations` mutated inputs. */
export async function fuzz(target: FuzzTarget, seed = Number(process.env.FUZZ_SEED ?? 1)): Promise<FuzzSummary> {
  const random = new Random(seed);
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const failures: FuzzFailure[] = [];
  const pool = [...(await target.seeds()), ...corpusInputs(target.name)];
  if (pool.length === 0) throw new Error(`fuzz target ${target.name} has no seeds`);
  const mutators = target.mutators ?? [];
  const record = async (input: Uint8Array, iteration: number): Promise<void> => {
    const reason = await check(target, input);
    if (reason !== null && failures.length < 20) {
      failures.push({ iteration, reason, file: keepFailure(target.name, input) });
    }
  };
  for (const [index, input] of pool.entries()) await record(input, -1 - index);
  for (let iteration = 0; iteration < target.iterations; iteration += 1) {
    let input = random.pick(pool);
    const steps = 1 + random.below(4);
    for (let step = 0; step < steps; step += 1) {
      const mutator =
        mutators.length > 0 && random.next() < 0.5 ? random.pick(mutators) : random.pick(genericMutators);
      input = mutator(input, random);
    }
    if (input.length > MAX_INPUT_BYTES) input = input.subarray(0, MAX_INPUT_BYTES);
    await record(input, iteration);
  }
  // Last, once the code is warm: their time bound is about the algorithm, not the JIT.
  const replays = (await target.replays?.()) ?? [];
  for (const [index, input] of replays.entries()) await record(input, -1 - pool.length - index);
  return {
    target: target.name,
    inputs: pool.length + replays.length + target.iterations,
    failures,
    milliseconds: performance.now() - started,
    cpuMilliseconds: ((cpu) => (cpu.user + cpu.system) / 1000)(process.cpuUsage(cpuStarted)),
  };
}

/** Declares a vitest test that fuzzes `target` and fails listing every failing input. */
export function fuzzTest(target: FuzzTarget, timeoutMs = 170_000): void {
  test(`fuzz ${target.name}: ${target.iterations} inputs, typed errors only, bounded time and memory`, async () => {
    const summary = await fuzz(target);
    console.log(
      `fuzz ${summary.target}: ${summary.inputs} inputs in ${(summary.milliseconds / 1000).toFixed(1)} s (${(summary.cpuMilliseconds / 1000).toFixed(1)} s of CPU)`,
    );
    expect(summary.failures.map((failure) => `#${failure.iteration} ${failure.reason} (${failure.file})`)).toEqual([]);
  }, timeoutMs);
}
