import { describe, expect, test } from 'vitest';
import { ByteBatcher } from '../../../../src/core/codec/byte-batcher';

/** A file image built from positioned writes, with the writes recorded. */
function recorder() {
  const file = new Uint8Array(1 << 16);
  const writes: { position: number; length: number }[] = [];
  const write = (bytes: Uint8Array, position: number): void => {
    file.set(bytes, position);
    writes.push({ position, length: bytes.length });
  };
  return { file, writes, write };
}

/** Deterministic pseudo-random bytes. */
function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed;
  for (let i = 0; i < length; i += 1) {
    state = (state * 1103515245 + 12345) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}

describe('ByteBatcher', () => {
  test('consecutive chunks of odd sizes arrive as full batches, byte-exact', () => {
    const source = bytes(20_000, 7);
    const { file, writes, write } = recorder();
    const batcher = new ByteBatcher(4096);
    let offset = 0;
    for (const size of [1, 100, 4095, 3, 5000, 7, 777, 4096, 123]) {
      batcher.push(source.subarray(offset, offset + size), offset, write);
      offset += size;
    }
    batcher.push(source.subarray(offset), offset, write);
    batcher.flush(write);
    expect(file.subarray(0, source.length)).toEqual(source);
    // Every write but the last is a full batch, or a chunk that was large by itself.
    for (const { length } of writes.slice(0, -1)) expect(length).toBeGreaterThanOrEqual(4096);
    expect(writes.reduce((sum, w) => sum + w.length, 0)).toBe(source.length);
    for (let i = 1; i < writes.length; i += 1) expect(writes[i].position).toBe(writes[i - 1].position + writes[i - 1].length);
  });

  test('a chunk that does not continue the batch flushes it first', () => {
    const { file, writes, write } = recorder();
    const batcher = new ByteBatcher(1024);
    batcher.push(bytes(10, 1), 0, write);
    batcher.push(bytes(10, 2), 500, write);
    batcher.flush(write);
    expect(writes).toEqual([{ position: 0, length: 10 }, { position: 500, length: 10 }]);
    expect(file.subarray(500, 510)).toEqual(bytes(10, 2));
  });

  test('flush with nothing gathered writes nothing', () => {
    const { writes, write } = recorder();
    new ByteBatcher(16).flush(write);
    expect(writes).toEqual([]);
  });
});
