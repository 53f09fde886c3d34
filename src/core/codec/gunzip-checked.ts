/**
 * fflate's Gunzip with the checks it leaves out. RFC 1952 § 2.3.1 ends every
 * gzip member with CRC32 and ISIZE (the uncompressed length mod 2^32);
 * `gzip -d` and the browser's DecompressionStream refuse a member whose
 * trailer disagrees with its data, fflate decodes it silently. So each
 * member's output is hashed as it goes by (hash-wasm's CRC32) and compared
 * with the trailer when the member ends.
 *
 * fflate reports where each member after the first starts (`onmember`); the
 * trailer of the member before is the 8 bytes just before it. The last
 * member has no member after it, and fflate lets up to 3 stray bytes follow
 * it unnoticed, so the end of the last member is found the same way: at the
 * end of the input, an empty gzip member is pushed as a sentinel. If fflate
 * starts it right where the input ended, the last member ended there and its
 * trailer is the 8 bytes before; if not, the stream was cut short (or ends
 * in bytes that are no gzip). Trailers come from a ring of the most recent
 * input, so memory stays bounded; a member header longer than the ring (a
 * hostile FNAME or FCOMMENT) is refused.
 */
import { Gunzip } from 'fflate';
import { createCRC32, type IHasher } from 'hash-wasm';
import { InspectError, InspectErrorCode } from '../errors';

/** An empty gzip member (`printf '' | gzip -n`): header, an empty final deflate block, CRC32 0, ISIZE 0. */
const SENTINEL = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0);

/** Input kept for finding trailers; real member headers are a few bytes to 64 KiB (FEXTRA). */
const RING_SIZE = 256 * 1024;

/** Bytes of the most recent input, addressed by their position in the whole stream. */
class InputRing {
  readonly #bytes = new Uint8Array(RING_SIZE);
  /** Bytes seen so far; the ring holds [end - RING_SIZE, end). */
  end = 0;

  add(chunk: Uint8Array): void {
    const kept = chunk.length > RING_SIZE ? chunk.subarray(chunk.length - RING_SIZE) : chunk;
    let at = (this.end + chunk.length - kept.length) % RING_SIZE;
    let from = 0;
    while (from < kept.length) {
      const step = Math.min(kept.length - from, RING_SIZE - at);
      this.#bytes.set(kept.subarray(from, from + step), at);
      from += step;
      at = (at + step) % RING_SIZE;
    }
    this.end += chunk.length;
  }

  /** The 8 bytes at `position`, or null once they left the ring. */
  trailerAt(position: number): Uint8Array | null {
    if (position < 0 || position < this.end - RING_SIZE || position + 8 > this.end) return null;
    const out = new Uint8Array(8);
    for (let i = 0; i < 8; i += 1) out[i] = this.#bytes[(position + i) % RING_SIZE];
    return out;
  }
}

/** CRC32 hashers of finished decoders, reused: a new WASM instance costs more than a small member. */
const idleHashers: IHasher[] = [];
const MAX_IDLE_HASHERS = 4;

function littleEndian(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24)) >>> 0;
}

/**
 * A streaming gzip decoder (every member, as `gzip -d` decodes them) that
 * checks each member's CRC32 and ISIZE. Errors are fflate's own or
 * InspectError BadCompression for a trailer that disagrees.
 */
export class CheckedGunzip {
  readonly #gunzip: Gunzip;
  readonly #ring = new InputRing();
  readonly #crc: IHasher;
  #member = 1;
  #memberSize = 0;
  /** Where the sentinel starts, once `finish` pushed it, and whether fflate started a member there. */
  #sentinelAt = -1;
  #sentinelReached = false;
  #done = false;

  /** Creates a decoder; `onData` sees every decompressed chunk. */
  static async create(onData: (chunk: Uint8Array) => void): Promise<CheckedGunzip> {
    // A hasher of its own while it runs: decoders side by side must not share CRC state.
    return new CheckedGunzip(onData, idleHashers.pop() ?? (await createCRC32()));
  }

  private constructor(onData: (chunk: Uint8Array) => void, crc: IHasher) {
    this.#crc = crc;
    crc.init();
    this.#gunzip = new Gunzip((data) => {
      if (data.length === 0) return;
      this.#crc.update(data);
      this.#memberSize += data.length;
      onData(data);
    });
    this.#gunzip.onmember = (offset) => {
      if (offset === this.#sentinelAt) this.#sentinelReached = true;
      this.#endMember(offset - 8);
    };
  }

  /** Feeds compressed bytes (fflate's errors are thrown as they are; the decoder is done then). */
  push(chunk: Uint8Array): void {
    this.#ring.add(chunk);
    try {
      this.#gunzip.push(chunk, false);
    } catch (error) {
      this.#release();
      throw error;
    }
  }

  /** Ends the stream: checks the last member's trailer, or says why it cannot (Truncated, BadCompression). */
  finish(): void {
    this.#sentinelAt = this.#ring.end;
    let failure: unknown = null;
    try {
      this.#ring.add(SENTINEL);
      this.#gunzip.push(SENTINEL, false);
      this.#gunzip.push(new Uint8Array(0), true);
    } catch (error) {
      failure = error;
    } finally {
      this.#release();
    }
    if (!this.#sentinelReached) {
      // fflate read the sentinel as part of the last member (cut short), or as a header after stray bytes.
      const strayBytes = failure instanceof Error && /invalid gzip data/.test(failure.message);
      throw new InspectError(
        strayBytes ? InspectErrorCode.BadCompression : InspectErrorCode.Truncated,
        strayBytes
          ? `gzip data is corrupt: member ${this.#member} ends in bytes that are no gzip, or its trailer is cut short`
          : `gzip data is truncated: member ${this.#member} is cut short`,
      );
    }
    if (failure !== null) throw failure;
  }

  #release(): void {
    if (this.#done) return;
    this.#done = true;
    if (idleHashers.length < MAX_IDLE_HASHERS) idleHashers.push(this.#crc);
  }

  #endMember(trailerPosition: number): void {
    const trailer = this.#ring.trailerAt(trailerPosition);
    if (trailer === null) {
      throw new InspectError(
        InspectErrorCode.BadCompression,
        `gzip member ${this.#member + 1} has a header too long to check the trailer of member ${this.#member}`,
      );
    }
    const crc = parseInt(this.#crc.digest('hex'), 16);
    const size = this.#memberSize % 2 ** 32;
    if (littleEndian(trailer, 0) !== crc || littleEndian(trailer, 4) !== size) {
      const what = littleEndian(trailer, 0) !== crc ? 'CRC32' : 'length (ISIZE)';
      throw new InspectError(
        InspectErrorCode.BadCompression,
        `gzip data is corrupt: the ${what} of member ${this.#member} does not match its data`,
      );
    }
    this.#member += 1;
    this.#memberSize = 0;
    this.#crc.init();
  }
}
