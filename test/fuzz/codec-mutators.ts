/**
 * Structure-aware mutators for gzip (RFC 1952 § 2.3) and zstd (RFC 8878
 * § 3.1) streams: header flags and fields, trailers, member and frame
 * boundaries, skippable frames. Byte flips alone mostly break the first
 * checksum; these reach the framing code behind it.
 */
import { concat, type Mutator, type Random } from './engine';

/** Offsets where a gzip member starts (1f 8b 08). */
function gzipMembers(input: Uint8Array): number[] {
  const offsets: number[] = [];
  for (let at = 0; at + 3 <= input.length; at += 1) {
    if (input[at] === 0x1f && input[at + 1] === 0x8b && input[at + 2] === 0x08) offsets.push(at);
  }
  return offsets;
}

/** Offsets where a zstd frame (28 b5 2f fd) or skippable frame (5? 2a 4d 18) starts. */
function zstdFrames(input: Uint8Array): number[] {
  const offsets: number[] = [];
  for (let at = 0; at + 4 <= input.length; at += 1) {
    const frame = input[at] === 0x28 && input[at + 1] === 0xb5 && input[at + 2] === 0x2f && input[at + 3] === 0xfd;
    const skippable = (input[at] & 0xf0) === 0x50 && input[at + 1] === 0x2a && input[at + 2] === 0x4d && input[at + 3] === 0x18;
    if (frame || skippable) offsets.push(at);
  }
  return offsets;
}

function changed(input: Uint8Array, at: number, value: (old: number) => number): Uint8Array {
  if (at < 0 || at >= input.length) return input;
  const out = input.slice();
  out[at] = value(out[at]) & 0xff;
  return out;
}

function pickOffset(offsets: number[], random: Random): number | null {
  return offsets.length === 0 ? null : random.pick(offsets);
}

/** gzip: flags (FTEXT FHCRC FEXTRA FNAME FCOMMENT, reserved), XLEN, trailers, members. */
export const gzipMutators: Mutator[] = [
  (input, random) => {
    const at = pickOffset(gzipMembers(input), random);
    return at === null ? input : changed(input, at + 3, (flags) => flags ^ (1 << random.below(8)));
  },
  (input, random) => {
    const at = pickOffset(gzipMembers(input), random);
    return at === null ? input : changed(input, at + 10 + random.below(2), () => random.pick([0, 1, 0xff, 0x80]));
  },
  (input, random) => changed(input, input.length - 1 - random.below(8), (byte) => byte ^ (1 << random.below(8))),
  (input, random) => {
    // Another member, or the start of one, after this one.
    const at = pickOffset(gzipMembers(input), random) ?? 0;
    return concat(input, input.subarray(at, at + 10 + random.below(Math.max(1, input.length - at))));
  },
  (input, random) => concat(input, Uint8Array.from({ length: 1 + random.below(16) }, () => random.pick([0, 0x1f, 0x8b, 0xff]))),
  (input, random) => {
    const at = pickOffset(gzipMembers(input), random);
    if (at === null) return input;
    const out = input.slice();
    out[at + 3] |= 0x08 | 0x10;
    // FNAME/FCOMMENT flags set over bytes that hold no NUL-terminated text.
    return out;
  },
];

/** zstd: frame header descriptor, window descriptor, block headers, frames, skippable frames. */
export const zstdMutators: Mutator[] = [
  (input, random) => {
    const at = pickOffset(zstdFrames(input), random);
    return at === null ? input : changed(input, at + 4, (descriptor) => descriptor ^ (1 << random.below(8)));
  },
  (input, random) => {
    const at = pickOffset(zstdFrames(input), random);
    return at === null ? input : changed(input, at + 5, () => random.pick([0x00, 0x58, 0x88, 0xa0, 0xf8, 0xff]));
  },
  (input, random) => {
    // A block header: 3 bytes after the frame header, last-block bit, type, size.
    const at = pickOffset(zstdFrames(input), random);
    return at === null ? input : changed(input, at + 6 + random.below(12), (byte) => byte ^ (1 << random.below(8)));
  },
  (input, random) => {
    const at = pickOffset(zstdFrames(input), random) ?? 0;
    return concat(input, input.subarray(at));
  },
  (input, random) => {
    const length = random.below(64);
    const frame = new Uint8Array(8 + length);
    frame.set([0x50 + random.below(16), 0x2a, 0x4d, 0x18, length, 0, 0, 0]);
    const at = pickOffset(zstdFrames(input), random) ?? 0;
    return concat(input.subarray(0, at), frame, input.subarray(at));
  },
  (input, random) => changed(input, input.length - 1 - random.below(4), (byte) => byte ^ (1 << random.below(8))),
];
