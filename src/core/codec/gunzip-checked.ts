/**
 * fflate's Gunzip with the checks it leaves out. RFC 1952 § 2.3.1 ends every
 * gzip member with CRC32 and ISIZE (the uncompressed length mod 2^32);
 * `gzip -d` and the browser's DecompressionStream refuse a member whose
 * trailer disagrees with its data, fflate decodes it silently. So each
 * member's output is hashed as it goes by (hash-wasm's CRC32) and compared
 * with the trailer when the member ends.
 *
 * fflate reports where each member after the first starts (`onmember`); the
 * trailer of the member before is the 8 bytes just before it, and the last
 * member's trailer is the last 8 bytes of the stream. Those bytes come from
 * a ring of the most recent input, so memory stays bounded; a member header
 * longer than the ring (a hostile FNAME or FCOMMENT) is refused.
 */
import { Gunzip } from 'fflate';
import { createCRC32, type IHasher } from 'hash-wasm';
import { InspectError, InspectErrorCode } from '../errors';

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

  /** Creates a decoder; `onData` sees every decompressed chunk. */
  static async create(onData: (chunk: Uint8Array) => void): Promise<CheckedGunzip> {
    // A hasher of its own: decoders running side by side must not share CRC state.
    return new CheckedGunzip(onData, await createCRC32());
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
    this.#gunzip.onmember = (offset) => this.#endMember(offset - 8);
  }

  /** Feeds compressed bytes; `final` ends the stream and checks the last trailer. */
  push(chunk: Uint8Array, final = false): void {
    this.#ring.add(chunk);
    this.#gunzip.push(chunk, final);
    if (final) this.#endMember(this.#ring.end - 8);
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
        `gzip data is corrupt: the ${what} of member ${this.#member} does not match its data (corrupt or cut short)`,
      );
    }
    this.#member += 1;
    this.#memberSize = 0;
    this.#crc.init();
  }
}
