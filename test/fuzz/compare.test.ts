/**
 * Fuzzes the comparison's parsers of untrusted text: package versions (as an
 * image's package database spells them) and the line diff of two file
 * versions. Besides "never throws", each input checks the properties the
 * comparison relies on: version order is reflexive and antisymmetric for
 * every scheme, and the diff's hunks turn the left text into the right one.
 */
import { compareVersions, type VersionScheme } from '../../src/core/compare/version-compare';
import { diffText } from '../../src/core/compare/text-diff';
import { fuzzTest, type FuzzTarget } from './engine';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const VERSIONS = [
  '1:2.36-9+deb12u4', '2.36-9~bpo11+1', '1.0~rc1', '5.1.8-6.el9_1', '1.0^git1-1', '3:1.0~-1', '1.36.1-r15',
  '1.0_alpha_pre2', '2.9.11_pre20051101-r2', '1.0~abc-r1', '006', '1.02.07', '', '-', ':', '~', '^', '_p', '-r',
];

const TEXT = 'line one\nline two\n\nindented\tline\r\nlast line without newline';

function checkVersions(lines: string[]): void {
  const schemes: VersionScheme[] = ['deb', 'rpm', 'apk'];
  for (const scheme of schemes) {
    for (const a of lines) {
      if (compareVersions(scheme, a, a) !== 0) throw new Error(`${scheme}: ${JSON.stringify(a)} is not equal to itself`);
      for (const b of lines) {
        const forward = Math.sign(compareVersions(scheme, a, b));
        const backward = Math.sign(compareVersions(scheme, b, a));
        if (forward !== -backward) throw new Error(`${scheme}: ${JSON.stringify(a)} vs ${JSON.stringify(b)} is not antisymmetric`);
      }
    }
  }
}

/** Applies whole-file hunks (context large enough to cover both files) to get the right side back. */
function checkDiff(left: Uint8Array, right: Uint8Array): void {
  const diff = diffText(left, right, { context: 1 << 30, maxBytes: 64 * 1024, budget: 2_000_000 });
  if (diff.kind !== 'text') return;
  const rebuilt = diff.hunks.flatMap((hunk) => hunk.lines.filter((line) => line.kind !== '-').map((line) => line.text));
  const original = diff.hunks.flatMap((hunk) => hunk.lines.filter((line) => line.kind !== '+').map((line) => line.text));
  if (diff.hunks.length === 0) return;
  const expected = decoder.decode(right).replace(/\n$/, '').split('\n');
  const expectedLeft = decoder.decode(left).replace(/\n$/, '').split('\n');
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((line, index) => line === b[index]);
  if (right.length > 0 && !same(rebuilt, expected)) throw new Error('the hunks do not rebuild the right side');
  if (left.length > 0 && !same(original, expectedLeft)) throw new Error('the hunks do not hold the left side');
}

const target: FuzzTarget = {
  name: 'compare-text',
  iterations: 3000,
  seeds() {
    const versions = encoder.encode(VERSIONS.join('\n'));
    const text = encoder.encode(TEXT);
    const edited = encoder.encode(TEXT.replace('two', '2').replace('indented', 'moved\nindented'));
    return [versions, new Uint8Array([...text, 0xff, ...edited]), new Uint8Array([...text, 0xff, ...text])];
  },
  run(input) {
    const split = input.indexOf(0xff);
    const left = split < 0 ? input : input.subarray(0, split);
    const right = split < 0 ? input.subarray(0, input.length >> 1) : input.subarray(split + 1);
    checkVersions(decoder.decode(input.subarray(0, 2048)).split('\n').slice(0, 24));
    checkDiff(left, right);
  },
};

fuzzTest(target);
