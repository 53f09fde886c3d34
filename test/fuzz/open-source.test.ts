/**
 * Fuzzes the whole dispatcher, `openSource` (src/sources/index.ts), on small
 * image archives of every shape (archive-seeds.ts), mutated member by member
 * and byte by byte, plain and gzipped. Besides the engine's checks (typed
 * errors only, time and memory bounds): no problem in the model may be an
 * internal error (a TypeError caught and recorded), and the dispatcher may
 * only ask for byte ranges that lie inside the input.
 */
import { openSource } from '../../src/sources/index';
import { nodeEnvironment } from '../helpers/node-source';
import { fuzzTest, type FuzzTarget } from './engine';
import { archiveMutators, archiveSeeds } from './archive-seeds';

/** A File that records every range asked of it that does not lie inside it. */
class WatchedFile extends File {
  readonly outside: string[] = [];

  override slice(start = 0, end = this.size, contentType?: string): Blob {
    const bad = !Number.isFinite(start) || !Number.isFinite(end) || start < 0 || end < start || start > this.size;
    if (bad) this.outside.push(`slice(${start}, ${end}) of ${this.size} bytes`);
    return super.slice(start, end, contentType);
  }
}

const signal = new AbortController().signal;

const target: FuzzTarget = {
  name: 'open-source',
  iterations: 12_000,
  // A loaded 2-core machine pauses for GC now and then; the defects this catches took 4–60 s.
  maxMillisecondsPerInput: 3000,
  seeds: archiveSeeds,
  mutators: archiveMutators,
  async run(input) {
    const file = new WatchedFile([input], 'input.tar');
    const source = await openSource(signal, { kind: 'file', file }, nodeEnvironment);
    const problems = [...source.errors, ...source.images.flatMap((image) => image.errors)];
    const internal = problems.find((problem) => problem.code === 'internal');
    if (internal) throw new Error(`internal error in the model: ${internal.message}`);
    if (file.outside.length > 0) throw new Error(`read outside the input: ${file.outside[0]}`);
  },
};

fuzzTest(target);
