/**
 * Gathers small chunks written at consecutive positions into writes of a
 * fixed batch size (for file writes, where each call costs a system call).
 * A chunk that does not continue the gathered bytes flushes them first, so
 * writes always reach `write` in order.
 */
export type PositionedWrite = (bytes: Uint8Array, position: number) => void;

export class ByteBatcher {
  readonly #bytes: Uint8Array;
  #length = 0;
  #position = 0;

  constructor(readonly batchSize: number) {
    this.#bytes = new Uint8Array(batchSize);
  }

  /** Adds `chunk` (to be written at `position`); calls `write` with each full batch. */
  push(chunk: Uint8Array, position: number, write: PositionedWrite): void {
    if (this.#length > 0 && position !== this.#position + this.#length) this.flush(write);
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#length === 0 && chunk.length - offset >= this.batchSize) {
        // Large enough by itself: written without a copy.
        write(chunk.subarray(offset), position + offset);
        return;
      }
      if (this.#length === 0) this.#position = position + offset;
      const taken = Math.min(chunk.length - offset, this.batchSize - this.#length);
      this.#bytes.set(chunk.subarray(offset, offset + taken), this.#length);
      this.#length += taken;
      offset += taken;
      if (this.#length === this.batchSize) this.flush(write);
    }
  }

  /** Writes what was gathered. `write` receives a view of the batcher's buffer: it must copy what it keeps. */
  flush(write: PositionedWrite): void {
    if (this.#length > 0) write(this.#bytes.subarray(0, this.#length), this.#position);
    this.#length = 0;
  }
}
