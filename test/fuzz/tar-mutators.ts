/**
 * Structure-aware mutators for tar inputs: they change one field of a
 * header block, or insert pax/GNU records, and fix the block's checksum
 * afterwards, so the mutated header is read instead of being refused at the
 * checksum (which byte flips alone would almost always cause).
 */
import { base256, fixChecksum, longNameRecord, paxHeader } from '../helpers/craft-tar';
import { concat, type Mutator, type Random } from './engine';

const BLOCK = 512;
const encoder = new TextEncoder();

/** Offsets of the blocks that hold a valid tar header (checksum right). */
export function headerOffsets(input: Uint8Array): number[] {
  const offsets: number[] = [];
  for (let at = 0; at + BLOCK <= input.length; at += BLOCK) {
    let stored = 0;
    for (let i = 148; i < 155 && input[at + i] >= 0x30 && input[at + i] <= 0x37; i += 1) stored = stored * 8 + input[at + i] - 0x30;
    if (stored === 0) continue;
    let sum = 8 * 0x20;
    for (let i = 0; i < BLOCK; i += 1) if (i < 148 || i >= 156) sum += input[at + i];
    if (stored === sum) offsets.push(at);
  }
  return offsets;
}

/** Numeric fields: [offset, width]. */
const NUMBER_FIELDS: [number, number][] = [
  [100, 8], // mode
  [108, 8], // uid
  [116, 8], // gid
  [124, 12], // size
  [136, 12], // mtime
  [329, 8], // devmajor
  [337, 8], // devminor
  [483, 12], // GNU realsize
  [386, 12], // GNU sparse offset 0
  [398, 12], // GNU sparse numbytes 0
];

const INTERESTING_NUMBERS: bigint[] = [0n, 1n, -1n, 511n, 512n, 513n, -1024n, 2n ** 21n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 70n, 10413792000n, -315619200n];

function numberField(random: Random, width: number): Uint8Array {
  const value = random.pick(INTERESTING_NUMBERS);
  switch (random.below(6)) {
    case 0:
      return base256(value, width);
    case 1:
      return encoder.encode(`${(value < 0n ? -value : value).toString(8).padStart(width - 1, '0').slice(-(width - 1))}\0`);
    case 2:
      return encoder.encode(' '.repeat(width));
    case 3:
      return encoder.encode(`${random.pick(['+', '-', 'x', '9', '\0', ' '])}${'0'.repeat(width - 2)}1`);
    case 4:
      return Uint8Array.from({ length: width }, () => random.pick([0x00, 0x20, 0x30, 0x37, 0x38, 0x80, 0xff, 0x2b]));
    default:
      return encoder.encode(random.below(1 << 20).toString(8).padStart(width, '0').slice(0, width));
  }
}

function withHeader(input: Uint8Array, random: Random, change: (block: Uint8Array) => void): Uint8Array {
  const offsets = headerOffsets(input);
  if (offsets.length === 0) return input;
  const out = input.slice();
  const at = random.pick(offsets);
  const block = out.subarray(at, at + BLOCK);
  change(block);
  fixChecksum(block);
  return out;
}

const TYPE_FLAGS = '0123456789DgxXLKSVMNAIZ\0';
const PAX_KEYS = ['path', 'linkpath', 'size', 'uid', 'gid', 'mtime', 'atime', 'ctime', 'uname', 'gname', 'GNU.sparse.major', 'GNU.sparse.minor', 'GNU.sparse.name', 'GNU.sparse.realsize', 'GNU.sparse.size', 'GNU.sparse.map', 'GNU.sparse.offset', 'GNU.sparse.numbytes', 'SCHILY.xattr.user.a', 'SCHILY.xattr.security.capability', 'SCHILY.devmajor', 'LIBARCHIVE.xattr.user.b', 'hdrcharset', 'comment', 'unknown.key', ''];
const PAX_VALUES = ['0', '1', '-1', '-1.5', '1.5', '1e5', '+5', '', '18446744073709551616', '9223372036854775807', '-9223372036854775808', 'x', '0,1,2', 'a/b/', '../../etc', '/abs', 'é'];

function paxValue(random: Random): Uint8Array {
  switch (random.below(4)) {
    case 0:
      return Uint8Array.from({ length: random.below(40) }, () => random.below(256));
    case 1:
      return encoder.encode('p/'.repeat(random.below(300)));
    default:
      return encoder.encode(random.pick(PAX_VALUES));
  }
}

/** Inserts `record` before a random header (or at the start). */
function insertBeforeHeader(input: Uint8Array, random: Random, record: Uint8Array): Uint8Array {
  const offsets = headerOffsets(input);
  const at = offsets.length > 0 ? random.pick(offsets) : 0;
  return concat(input.subarray(0, at), record, input.subarray(at));
}

/** The tar mutators. */
export const tarMutators: Mutator[] = [
  (input, random) =>
    withHeader(input, random, (block) => {
      const [offset, width] = random.pick(NUMBER_FIELDS);
      block.set(numberField(random, width), offset);
    }),
  (input, random) => withHeader(input, random, (block) => (block[156] = random.pick([...TYPE_FLAGS]).charCodeAt(0))),
  (input, random) =>
    withHeader(input, random, (block) => {
      block.set(encoder.encode(random.pick(['ustar\u000000', 'ustar  \0', '\0\0\0\0\0\0\0\0'])), 257);
      if (random.below(2) === 0) block[482] = random.below(2);
    }),
  (input, random) =>
    withHeader(input, random, (block) => {
      const name = Uint8Array.from({ length: 1 + random.below(99) }, () => random.pick([0x61, 0x2f, 0x2e, 0xc3, 0xa9, 0xe9, 0xff, 0x0a, 0x00]));
      block.fill(0, 0, 100);
      block.set(name, 0);
    }),
  (input, random) => {
    const records: [string, Uint8Array][] = Array.from({ length: 1 + random.below(3) }, () => [random.pick(PAX_KEYS), paxValue(random)]);
    return insertBeforeHeader(input, random, paxHeader(records, random.pick(['x', 'x', 'g', 'X'])));
  },
  (input, random) => insertBeforeHeader(input, random, longNameRecord(random.below(2) === 0 ? 'L' : 'K', paxValue(random))),
  (input, random) => {
    // A pax header whose record lengths lie.
    const body = encoder.encode(`${random.below(200)} ${random.pick(PAX_KEYS)}=${random.pick(PAX_VALUES)}\n`);
    return insertBeforeHeader(input, random, paxHeader(body, 'x'));
  },
  (input, random) => {
    // A header block copied elsewhere (repeated x headers, members in odd places).
    const offsets = headerOffsets(input);
    if (offsets.length === 0) return input;
    const from = random.pick(offsets);
    return insertBeforeHeader(input, random, input.slice(from, from + BLOCK * (1 + random.below(2))));
  },
];
