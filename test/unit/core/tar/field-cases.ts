/**
 * The hand-made tars of fields.test.ts, each with what GNU tar 1.34 does
 * with it (its exit status, a message it prints) and what the walker must
 * then report. Found by running GNU tar on each; the test checks it again.
 */
import { InspectErrorCode } from '../../../../src/core/errors';
import {
  base256,
  concatBytes,
  END,
  header,
  longNameRecord,
  member,
  pad,
  paxHeader,
  paxRecord,
  sparseEntry,
  type CraftedHeader,
} from '../../../helpers/craft-tar';

/** One crafted archive and what reading it must give. */
export interface FieldCase {
  title: string;
  bytes: Uint8Array;
  /** GNU tar exits with 2 over it: the InspectError the walker must report. */
  error?: { field: string; member?: string; code?: InspectErrorCode };
  /** Part of what GNU tar prints on stderr. */
  gnuSays?: string;
  /** GNU tar resyncs after a header it skips; the walker stops there (members before it only). */
  stopsBefore?: number;
  /** Members (by index) whose time GNU tar lists wrongly, with the time it extracts. */
  gnuShowsTimeWrong?: Record<number, { mtime: number; mtimeNanoseconds: number }>;
}

const NEXT = member({ name: 'next', data: 'n' });
const archive = (...parts: Uint8Array[]): Uint8Array => concatBytes(...parts, NEXT, END);
/** A member `f` with data `ab` whose header has `raw` bytes written over it. */
const withField = (raw: CraftedHeader['raw'], fields: CraftedHeader = {}): Uint8Array =>
  archive(member({ name: 'f', data: 'ab', uid: 7, gid: 8, mtime: 1000, ...fields, raw }));
const withPax = (records: [string, string | Uint8Array][], fields: CraftedHeader = {}): Uint8Array =>
  archive(paxHeader(records), member({ name: 'f', data: 'ab', uid: 7, gid: 8, mtime: 1000, ...fields }));
const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

const cases: FieldCase[] = [];
const add = (testCase: FieldCase): void => void cases.push(testCase);

// Pax times: negative (before 1970), fractional, past 2038 and 2300, the int64 limits.
for (const value of ['-315619200', '1.5', '0.000000001', '2200000000', '10413792000', '1.1234567891', '9223372036854775807', '-9223372036854775808', '1e5', '5abc', '1.', '1.5.5']) {
  add({ title: `pax mtime=${value}`, bytes: withPax([['mtime', value]]) });
}
add({
  title: 'pax mtime=-1.5 and -0.5 and -1.10000000000001 (rounded towards minus infinity)',
  bytes: archive(
    paxHeader([['mtime', '-1.5']]), member({ name: 'a', data: 'x' }),
    paxHeader([['mtime', '-0.5']]), member({ name: 'b', data: 'x' }),
    paxHeader([['mtime', '-1.10000000000001']]), member({ name: 'c', data: 'x' }),
  ),
  gnuShowsTimeWrong: {
    0: { mtime: -2, mtimeNanoseconds: 500_000_000 },
    1: { mtime: -1, mtimeNanoseconds: 500_000_000 },
    2: { mtime: -2, mtimeNanoseconds: 899_999_999 },
  },
});
for (const value of ['+5', ' 5', '.5', '', '-', '99999999999999999999999', 'junk']) {
  add({ title: `pax mtime=${JSON.stringify(value)} is refused`, bytes: withPax([['mtime', value]]), error: { field: 'mtime', member: 'f' } });
}
for (const key of ['atime', 'ctime']) {
  add({ title: `pax ${key} is read (and checked)`, bytes: withPax([[key, '-5.5']]) });
  add({ title: `pax ${key}=junk is refused`, bytes: withPax([[key, 'junk']]), error: { field: key, member: 'f' } });
}

// Pax ids and sizes.
for (const [key, value] of [['uid', '4000000000'], ['uid', '4294967295'], ['gid', '3000000000'], ['size', '2']]) {
  add({ title: `pax ${key}=${value}`, bytes: withPax([[key, value]]) });
}
for (const [key, value] of [['uid', '4294967296'], ['uid', '-1'], ['uid', '5x'], ['uid', '+5'], ['gid', ''], ['size', '-5'], ['size', 'abc'], ['size', '99999999999999999999999']]) {
  add({ title: `pax ${key}=${JSON.stringify(value)} is refused, the header's value kept`, bytes: withPax([[key, value]]), error: { field: key, member: 'f' } });
}

// Keywords GNU tar ignores or only checks.
for (const key of ['SCHILY.devmajor', 'SCHILY.dev', 'SCHILY.ino', 'SCHILY.nlink', 'LIBARCHIVE.creationtime', 'LIBARCHIVE.xattr.user.a', 'hdrcharset', 'comment', 'charset', 'FOO.bar', '']) {
  add({ title: `pax keyword ${JSON.stringify(key)} does not stop the walk`, bytes: withPax([[key, 'junk']]) });
}
add({ title: 'pax GNU.sparse.major=x is refused', bytes: withPax([['GNU.sparse.major', 'x']]), error: { field: 'GNU.sparse.major', member: 'f' } });
add({ title: 'pax uname, gname and a linkpath on a file', bytes: withPax([['uname', 'é'.repeat(40)], ['gname', 'g'], ['linkpath', 'zzz']]) });
add({ title: 'pax path with a NUL is cut there', bytes: withPax([['path', 'ab\0cd']]) });
add({ title: 'pax path="" is the root', bytes: withPax([['path', '']]) });

// Pax record syntax.
const rawPax = (payload: Uint8Array | string): Uint8Array =>
  archive(paxHeader(typeof payload === 'string' ? new TextEncoder().encode(payload) : payload), member({ name: 'f', data: 'a', uid: 9, gid: 9 }));
add({ title: 'pax record without a length', bytes: rawPax('abc path=zz\n'), error: { field: 'missing length', member: 'f' } });
add({ title: 'pax record without "="', bytes: rawPax(`12 pathzzzz\n${new TextDecoder().decode(paxRecord('uid', '5'))}`), error: { field: 'missing equal sign', member: 'f' } });
add({ title: 'pax record longer than its header', bytes: rawPax('99 path=zz\n'), error: { field: 'record length', member: 'f' } });
add({ title: 'pax record without its newline', bytes: rawPax('10 path=zzX'), error: { field: 'missing newline', member: 'f' } });
add({ title: 'pax records applied up to a malformed one', bytes: rawPax(concatBytes(paxRecord('uid', '5'), new TextEncoder().encode('xx'))), error: { field: 'missing length', member: 'f' } });
add({ title: 'pax records end at a NUL', bytes: rawPax(concatBytes(paxRecord('uid', '5'), bytes(0), paxRecord('gid', '6'))) });
add({ title: 'pax value refused, later records still applied', bytes: rawPax(concatBytes(paxRecord('uid', '5'), paxRecord('gid', 'abc'), paxRecord('path', 'pp'))), error: { field: 'gid', member: 'pp' } });
add({ title: 'pax record repeated: the last counts, a bad one keeps the earlier', bytes: rawPax(concatBytes(paxRecord('path', 'p1'), paxRecord('path', 'p2'), paxRecord('uid', '5'), paxRecord('uid', ''))), error: { field: 'uid', member: 'p2' } });

// Header numbers: base-256, octal quirks, ranges.
const B = base256;
add({ title: 'base-256 mtime before 1970 and past 2300', bytes: concatBytes(member({ name: 'a', data: 'x', raw: { 136: B(-315619200, 12) } }), member({ name: 'b', data: 'x', raw: { 136: B(10413792000, 12) } }), END) });
add({ title: 'base-256 mtime beyond time_t', bytes: withField({ 136: B(2n ** 70n, 12) }), error: { field: 'mtime', member: 'f' } });
add({ title: 'base-256 uid up to 2^32-1', bytes: concatBytes(member({ name: 'a', data: 'x', raw: { 108: B(4294967295, 8) } }), member({ name: 'b', data: 'x', raw: { 116: B(2 ** 31, 8) } }), END) });
for (const [title, raw] of [['negative base-256 uid', { 108: B(-1, 8) }], ['uid beyond 2^32', { 108: B(2 ** 33, 8) }], ['junk in the uid field', { 108: '00001x0\0' }], ['a blank uid field', { 108: '        ' }], ['a 9 in the uid field', { 108: '0000019\0' }], ['a leading 0x81 in the uid field', { 108: bytes(0x81, 0, 0, 0, 0, 0, 0, 5) }]] as const) {
  add({ title: `${title} is refused, as -1`, bytes: withField(raw), error: { field: 'uid', member: 'f' } });
}
add({ title: 'octal quirks: a leading NUL, blanks, no terminator, junk after the terminator', bytes: concatBytes(
  member({ name: 'a', data: 'x', raw: { 108: bytes(0, 0x30, 0x30, 0x30, 0x30, 0x31, 0x37) } }),
  member({ name: 'b', data: 'x', raw: { 108: '17 x\0\0\0\0' } }),
  member({ name: 'c', data: 'x', raw: { 108: '\t17\0\0\0\0\0' } }),
  member({ name: 'd', data: 'x', raw: { 108: '17777777' } }),
  member({ name: 'e', data: 'x', raw: { 108: '   \0\0\0\0\0', 136: '777777777777' } }),
  member({ name: 'g', data: 'x', raw: { 108: '\0'.repeat(8) } }),
  END,
) });
add({ title: 'obsolescent base-64 (tar 1.13.6)', bytes: withField({ 108: '+\0\0\0\0\0\0\0' }), gnuSays: 'base-64' });
add({ title: 'mode: negative and huge base-256, only the low 12 bits count', bytes: concatBytes(
  member({ name: 'a', data: 'x', raw: { 100: B(-1, 8) } }),
  member({ name: 'b', data: 'x', raw: { 100: B(2 ** 40 + 0o4755, 8) } }),
  END,
) });
add({ title: 'junk in the mode field', bytes: withField({ 100: '0000x44\0' }), error: { field: 'mode', member: 'f' } });
add({ title: 'junk in the mtime field', bytes: withField({ 136: '0000000x000\0' }), error: { field: 'mtime', member: 'f' } });
add({ title: 'device numbers: negative base-256 wraps, as tar shows them', bytes: archive(member({ name: 'dev', typeFlag: '3', raw: { 329: B(-1, 8), 337: B(-5, 8) } })) });
add({ title: 'device number beyond int', bytes: archive(member({ name: 'dev', typeFlag: '4', raw: { 329: B(2 ** 31, 8) } })), error: { field: 'devmajor', member: 'dev' } });
for (const [title, size] of [['negative base-256 size', B(-1024, 12)], ['size -1', B(-1, 12)], ['junk in the size field', '0000000x000\0']] as const) {
  add({ title: `${title}: GNU tar skips the header`, bytes: withField({ 124: size }), error: { field: 'size', member: 'f' }, gnuSays: 'Skipping to next header', stopsBefore: 0 });
}
add({ title: 'base-256 size', bytes: withField({ 124: B(2, 12) }) });

// Member kinds and the data after them: GNU tar skips `size` bytes after all but hard links and directories.
const INNER = member({ name: 'inner', data: 'i' });
for (const typeFlag of ['1', '2', '3', '4', '5', '6', '7', 'D', 'V', 'M', 'N', 'Z', '\0', 'S']) {
  add({
    title: `type ${JSON.stringify(typeFlag)} with size 1024 and a header in its data`,
    bytes: archive(header({ name: `kind${typeFlag === '\0' ? '' : typeFlag}`, size: 1024, typeFlag, linkName: 'target' }), INNER),
  });
}
for (const typeFlag of ['0', '\0', '7', 'S']) {
  for (const format of ['ustar', 'gnu', 'v7'] as const) {
    add({ title: `type ${JSON.stringify(typeFlag)} (${format}) named "dir/"`, bytes: archive(header({ name: 'dir/', size: 1024, typeFlag, format }), INNER) });
  }
}

// Metadata records and their order.
const L = longNameRecord;
add({ title: 'two x headers: only the last applies', bytes: archive(paxHeader([['path', 'first'], ['uid', '11']]), paxHeader([['path', 'second']]), member({ name: 'plain', data: 'a' })) });
add({ title: 'two L records: the last applies', bytes: archive(L('L', 'firstlong'), L('L', 'secondlong'), member({ name: 'plain', data: 'a' })) });
add({ title: 'L then x path: x wins', bytes: archive(L('L', 'fromL'), paxHeader([['path', 'fromx']]), member({ name: 'plain', data: 'a' })) });
add({ title: 'x path then L: x wins', bytes: archive(paxHeader([['path', 'fromx']]), L('L', 'fromL'), member({ name: 'plain', data: 'a' })) });
add({ title: 'x linkpath then K: x wins', bytes: archive(paxHeader([['linkpath', 'fromx']]), L('K', 'fromK'), member({ name: 'sym', typeFlag: '2', linkName: 'plain' })) });
add({ title: 'X (Solaris) reads as x', bytes: archive(paxHeader([['path', 'viaX']], 'X'), member({ name: 'plain', data: 'a' })) });
add({ title: 'x path and L name ending in "/" make directories', bytes: concatBytes(paxHeader([['path', 'viax/']]), header({ name: 'plain', size: 1024 }), INNER, L('L', 'viaL/'), header({ name: 'plain', size: 1024, format: 'gnu' }), INNER, END) });
add({ title: 'x then g then member: both apply', bytes: archive(paxHeader([['path', 'fromx']]), paxHeader([['uid', '55']], 'g'), member({ name: 'plain', data: 'a' })) });
add({ title: 'g applies to every later member, path and mtime too', bytes: archive(paxHeader([['path', 'globalpath'], ['uid', '55'], ['mtime', '-100']], 'g'), member({ name: 'one', data: 'a' }), member({ name: 'two', data: 'b' })) });
add({ title: 'a second g replaces the first', bytes: archive(paxHeader([['uid', '55'], ['gid', '3']], 'g'), member({ name: 'one', data: 'a' }), paxHeader([['uid', '66']], 'g'), member({ name: 'two', data: 'b' })) });
add({ title: 'x beats g for its member only', bytes: archive(paxHeader([['uid', '55']], 'g'), paxHeader([['uid', '77']]), member({ name: 'one', data: 'a' }), member({ name: 'two', data: 'b' })) });
add({ title: 'g xattrs are no member xattrs', bytes: archive(paxHeader([['SCHILY.xattr.user.g', 'gv']], 'g'), member({ name: 'one', data: 'a' })) });
add({ title: 'g size applies too', bytes: concatBytes(paxHeader([['size', '1']], 'g'), member({ name: 'one', data: 'a'.repeat(600) }), member({ name: 'two', data: 'b' }), END), error: { field: 'checksum', code: InspectErrorCode.BadTar }, gnuSays: 'Skipping to next header', stopsBefore: 1 });
add({ title: 'x at the end, with no member', bytes: concatBytes(member({ name: 'one', data: 'a' }), paxHeader([['path', 'dangling']]), END) });
add({ title: 'L at the end, with no member', bytes: concatBytes(member({ name: 'one', data: 'a' }), L('L', 'dangling'), END) });
add({ title: 'pax xattrs, escaped names, binary values', bytes: withPax([['SCHILY.xattr.user.a%3Db%25c', 'v'], ['SCHILY.xattr.user.bin', bytes(0, 0xff, 0x80)]]) });

// Old GNU sparse headers.
const sparseHeader = (entries: [number, number][], extended: boolean, realSize: number, size: number): Uint8Array => {
  const raw: Record<number, Uint8Array> = { 482: bytes(extended ? 1 : 0), 483: new TextEncoder().encode(`${realSize.toString(8).padStart(11, '0')}\0`) };
  entries.forEach(([offset, numBytes], i) => (raw[386 + 24 * i] = sparseEntry(offset, numBytes)));
  return header({ name: 'sp', size, typeFlag: 'S', format: 'gnu', raw });
};
const extension = (entries: [number, number][], more: boolean): Uint8Array => {
  const block = new Uint8Array(512);
  entries.forEach(([offset, numBytes], i) => block.set(sparseEntry(offset, numBytes), 24 * i));
  block[504] = more ? 1 : 0;
  return block;
};
const gnuNext = member({ name: 'next', data: 'n', format: 'gnu' });
add({ title: 'old GNU sparse flagged extended with an empty map: no extension block', bytes: concatBytes(sparseHeader([], true, 100, 0), gnuNext, END) });
add({ title: 'old GNU sparse flagged extended with a part-filled map: no extension block', bytes: concatBytes(sparseHeader([[0, 1], [10, 1]], true, 100, 1024), new Uint8Array(1024).fill(0x78), gnuNext, END) });
add({ title: 'old GNU sparse with a full map and one extension block', bytes: concatBytes(sparseHeader([[0, 1], [10, 1], [20, 1], [30, 1]], true, 100, 2560), extension([[40, 1]], false), new Uint8Array(2560), gnuNext, END) });
add({ title: 'old GNU sparse with two extension blocks', bytes: concatBytes(sparseHeader([0, 1, 2, 3].map((i) => [i * 10, 1]), true, 1000, 0), extension(Array.from({ length: 21 }, (_, i) => [40 + i * 10, 1]), true), extension([[900, 1]], false), gnuNext, END) });
add({ title: 'old GNU sparse extension block with an empty first entry but "more" set', bytes: concatBytes(sparseHeader([0, 1, 2, 3].map((i) => [i * 10, 1]), true, 1000, 0), extension([], true), gnuNext, END) });
add({ title: 'junk in an old GNU sparse realsize', bytes: concatBytes(header({ name: 'sp', typeFlag: 'S', format: 'gnu', raw: { 483: 'zz\0' } }), gnuNext, END), error: { field: 'realsize', member: 'sp' } });
add({ title: 'junk in an old GNU sparse map entry', bytes: concatBytes(header({ name: 'sp', typeFlag: 'S', format: 'gnu', raw: { 386: 'zz\0', 398: sparseEntry(0, 1).subarray(12), 483: '00000000144\0' } }), gnuNext, END), error: { field: 'sparse map', member: 'sp' } });
add({ title: 'pax GNU.sparse 0.0 and 0.1 keywords', bytes: withPax([['GNU.sparse.size', '5000'], ['GNU.sparse.numblocks', '1'], ['GNU.sparse.offset', '0'], ['GNU.sparse.numbytes', '2'], ['GNU.sparse.map', '0,2']]) });
add({
  title: 'pax GNU.sparse 1.0 name and realsize (the map in the data)',
  bytes: archive(
    paxHeader([['GNU.sparse.major', '1'], ['GNU.sparse.minor', '0'], ['GNU.sparse.name', 'real-name'], ['GNU.sparse.realsize', '5000'], ['path', 'GNUSparseFile.1/real-name']]),
    member({ name: 'f', data: concatBytes(pad(new TextEncoder().encode('1\n0\n2\n')), new TextEncoder().encode('ab')) }),
  ),
});

// Where the archive ends.
const one = member({ name: 'one', data: 'a'.repeat(600) });
const two = member({ name: 'two', data: 'b' });
const full = concatBytes(one, two);
add({ title: 'no end-of-archive marker', bytes: full });
add({ title: 'a partial zero block after the last member', bytes: concatBytes(full, new Uint8Array(100)) });
add({ title: 'a partial junk block after the last member', bytes: concatBytes(full, new TextEncoder().encode('junk'.repeat(25))) });
add({ title: 'a partial header after the last member', bytes: concatBytes(full, header({ name: 'three' }).subarray(0, 300)) });
add({ title: 'one zero block, then more', bytes: concatBytes(full, new Uint8Array(512), member({ name: 'hidden', data: 'h' })), gnuSays: 'A lone zero block' });
add({ title: 'cut inside the last padding', bytes: full.subarray(0, full.length - 200), error: { field: 'two', member: 'two', code: InspectErrorCode.Truncated }, gnuSays: 'Unexpected EOF' });
add({ title: 'cut inside the data', bytes: one.subarray(0, 812), error: { field: 'one', member: 'one', code: InspectErrorCode.Truncated }, gnuSays: 'Unexpected EOF' });
add({ title: 'cut inside a pax header', bytes: concatBytes(member({ name: 'one', data: 'a' }), paxHeader([['path', 'p'.repeat(700)]]).subarray(0, 812)), error: { field: 'PaxHeaders/f', code: InspectErrorCode.Truncated }, gnuSays: 'Unexpected EOF' });

// Names: not UTF-8, look-alike, newline, BOM.
add({ title: 'names that are not UTF-8 stay distinct members', bytes: concatBytes(
  member({ name: bytes(0x63, 0x61, 0x66, 0xe9), data: '1' }),
  member({ name: bytes(0x63, 0x61, 0x66, 0xc3, 0xa9), data: '2' }),
  member({ name: bytes(0x63, 0x61, 0x66, 0xe8), data: '3' }),
  member({ name: bytes(0xed, 0xa0, 0x80, 0x78), data: '4' }),
  member({ name: bytes(0xef, 0xbb, 0xbf, 0x62, 0x6f, 0x6d), data: '5' }),
  member({ name: 'new\nline', data: '6' }),
  member({ name: bytes(0xf0, 0x9f, 0x98, 0x80), data: '7' }),
  paxHeader([['path', bytes(0x70, 0x61, 0x78, 0xff)]]),
  member({ name: 'z', data: '8' }),
  member({ name: 'l', typeFlag: '2', linkName: bytes(0x74, 0xe9) }),
  END,
) });

/** Every case, in order. */
export const FIELD_CASES: readonly FieldCase[] = cases;
