/**
 * Version order against the package managers themselves: every pair is
 * compared by `dpkg --compare-versions` and by rpm's `rpm.vercmp` (rpm 4.18's
 * Lua binding of rpmvercmp on epoch, version and release), over hand-picked
 * versions with epochs, tildes, carets and letters, and a few hundred
 * generated ones. apk has no Debian package; its cases follow the rules of
 * apk-tools' version grammar, written out below.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { compareApkVersions, compareDebianVersions, compareRpmVersions } from '../../../../src/core/compare/version-compare';

/** mulberry32: a small seeded generator, so failures reproduce. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)];
}

function generated(next: () => number, alphabet: string, count: number, make: (part: () => string) => string): string[] {
  const part = (): string => {
    let text = pick(next, ['0', '1', '2', '10', '01', '9']);
    const length = Math.floor(next() * 6);
    for (let i = 0; i < length; i += 1) text += pick(next, [...alphabet]);
    return text;
  };
  return Array.from({ length: count }, () => make(part));
}

/** Pairs of every version with its neighbours and a few random others. */
function pairsOf(versions: string[], next: () => number): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < versions.length; i += 1) {
    pairs.push([versions[i], versions[(i + 1) % versions.length]]);
    pairs.push([versions[i], pick(next, versions)]);
    pairs.push([versions[i], versions[i]]);
  }
  return pairs;
}

const DEBIAN_VERSIONS = [
  '1.0', '1.0-1', '1.0-2', '1.0~rc1', '1.0~rc1-1', '1.0~~', '1.0~', '1.0+b1', '1.0.1', '1:0.9', '2:0.1', '0:1.0',
  '1.0a', '1.0A', '1.0-1ubuntu1', '1.0-1+deb12u1', '1.0-1~bpo11+1', '2.36-9+deb12u4', '2.36-9', '10', '9.9', '1.00', '1.000',
  '3.0.11-1~deb12u2', '1:2.38.1-5+deb12u1', '7.88.1-10+deb12u5', '5.2.15-2+b2', '252.22-1~deb12u1', '1.2.13.dfsg-1',
  '0.0', '0', '00', '1.0-0', '1.0-00', '1.0.', '1.0+', '1.0.a', '1.0+a', '1.0~a', '1.0-a', '1-1-1', '1.2-3.4-5',
];

const RPM_VERSIONS = [
  '1.0-1', '1.0-2', '1.0~rc1-1', '1.0^git1-1', '1.0^-1', '1.0~-1', '1:1.0-1', '0:1.0-1', '2:0.1-1', '1.0-1.el9', '1.0-1.el9_3',
  '1.0-1.fc40', '1.0a-1', '1.0.a-1', '1.0_1-1', '1.0+1-1', '1.00-1', '1.01-1', '1.1-1', '10-1', '9-1', 'a-1', 'b-1',
  '2.34-83.el9_3.7', '2.34-83.el9_3.12', '3.0.7-24.el9', '1.0', '1.0.1', '1.0-1.1', '1.0-1.a', '1.0-1~a', '5.1.8-6.el9_1',
  '1.0-1^a', '1.0~~-1', '1.0~~~-1', '1.0^^-1', '1.a-1', '1.A-1', '1..0-1', '1.0.-1', '01.0-1',
];

function dpkgOrder(pairs: [string, string][]): number[] {
  const script =
    'while read -r a b; do if dpkg --compare-versions "$a" lt "$b"; then echo -1; ' +
    'elif dpkg --compare-versions "$a" eq "$b"; then echo 0; else echo 1; fi; done';
  const input = pairs.map(([a, b]) => `${a} ${b}`).join('\n') + '\n';
  return execFileSync('sh', ['-c', script], { input, encoding: 'utf8' }).trim().split('\n').map(Number);
}

function rpmOrder(pairs: [string, string][]): number[] {
  const calls = pairs.map(([a, b]) => `print(rpm.vercmp('${a}', '${b}') .. ' ')`).join('; ');
  return execFileSync('rpm', ['--eval', `%{lua: ${calls}}`], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
}

describe('compareDebianVersions', () => {
  const next = random(0xdeb);
  const versions = [
    ...DEBIAN_VERSIONS,
    ...generated(next, '0123456789.+~ab', 150, (part) => {
      const epoch = next() < 0.2 ? `${pick(next, ['0', '1', '2', '10'])}:` : '';
      const revision = next() < 0.6 ? `-${part()}` : '';
      return `${epoch}${part()}${revision}`;
    }),
  ];
  const pairs = pairsOf(versions, next);

  it(`orders ${pairs.length} pairs as dpkg --compare-versions does`, () => {
    const expected = dpkgOrder(pairs);
    expect(expected).toHaveLength(pairs.length);
    const ours = pairs.map(([a, b]) => Math.sign(compareDebianVersions(a, b)));
    const disagreements = pairs.filter((_, i) => ours[i] !== expected[i]).map(([a, b]) => `${a} vs ${b}`);
    expect(disagreements).toEqual([]);
    expect(new Set(expected)).toEqual(new Set([-1, 0, 1]));
  });

  it('knows the classic cases', () => {
    expect(compareDebianVersions('1.0~rc1', '1.0')).toBeLessThan(0);
    expect(compareDebianVersions('1:0.9', '2.0')).toBeGreaterThan(0);
    expect(compareDebianVersions('1.0', '1.0-0')).toBe(0);
    expect(compareDebianVersions('1.0+b1', '1.0')).toBeGreaterThan(0);
  });
});

describe('compareRpmVersions', () => {
  const next = random(0x7e7);
  const versions = [
    ...RPM_VERSIONS,
    ...generated(next, '0123456789.~^_ab', 150, (part) => {
      const epoch = next() < 0.2 ? `${pick(next, ['0', '1', '3'])}:` : '';
      return `${epoch}${part()}-${part()}`;
    }),
  ];
  const pairs = pairsOf(versions, next);

  it(`orders ${pairs.length} pairs as rpm.vercmp does`, () => {
    const expected = rpmOrder(pairs);
    expect(expected).toHaveLength(pairs.length);
    const ours = pairs.map(([a, b]) => Math.sign(compareRpmVersions(a, b)));
    const disagreements = pairs.filter((_, i) => ours[i] !== expected[i]).map(([a, b]) => `${a} vs ${b}`);
    expect(disagreements).toEqual([]);
    expect(new Set(expected)).toEqual(new Set([-1, 0, 1]));
  });
});

describe('compareApkVersions', () => {
  // Each row: a < b by apk's rules (and b > a, and each equals itself).
  const ordered: [string, string, string][] = [
    ['1.0', '1.1', 'numbers by value'],
    ['1.9', '1.10', 'numbers by value, not as text'],
    ['1.0', '1.0.1', 'a longer version is newer'],
    ['1.0_alpha', '1.0', 'a pre-release suffix is older than the release'],
    ['1.0_alpha', '1.0_beta', 'alpha < beta'],
    ['1.0_beta', '1.0_pre', 'beta < pre'],
    ['1.0_pre', '1.0_rc', 'pre < rc'],
    ['1.0_rc1', '1.0_rc2', 'suffix numbers'],
    ['1.0_rc', '1.0_rc1', 'a suffix with a number is newer'],
    ['1.0', '1.0_p1', 'a patch suffix is newer than the release'],
    ['1.0_cvs', '1.0_svn', 'cvs < svn'],
    ['1.0_git', '1.0_hg', 'git < hg'],
    ['1.0_hg', '1.0_p', 'hg < p'],
    ['1.0_alpha_pre2', '1.0_alpha', 'a pre-release of a pre-release'],
    ['1.0', '1.0a', 'a letter after the number is newer'],
    ['1.0a', '1.0b', 'letters in order'],
    ['1.0-r0', '1.0-r1', 'revisions'],
    ['1.0-r9', '1.0-r10', 'revisions by value'],
    ['1.0', '1.0-r1', 'a revision is newer than none'],
    ['1.0_rc1-r5', '1.0-r0', 'the suffix decides before the revision'],
    ['1.02', '1.1', 'a leading zero compares as text'],
    ['1.010', '1.02', 'text order: "010" < "02"'],
    ['6', '10', 'the first component by value'],
    ['006', '7', 'the first component by value, even with leading zeros'],
    ['1.0~abc', '1.0~abd', 'commit hashes as text'],
    ['1.0~abc', '1.0~abc-r1', 'a revision after a hash'],
    ['2.38.1-r0', '2.39-r0', 'real: util-linux'],
    ['3.3.0-r0', '3.3.1-r0', 'real: openssl'],
    ['1.36.1-r15', '1.36.1-r19', 'real: busybox'],
    ['20240226-r0', '20240705-r0', 'real: ca-certificates'],
    ['1.2.13-r1', '1.2.13.1-r0', 'a fourth component'],
    ['1.0', '1.0x_y', 'text that breaks the grammar sorts after'],
  ];
  for (const [a, b, why] of ordered) {
    it(`${a} < ${b} (${why})`, () => {
      expect(compareApkVersions(a, b)).toBe(-1);
      expect(compareApkVersions(b, a)).toBe(1);
      expect(compareApkVersions(a, a)).toBe(0);
    });
  }
  it('treats equal spellings as equal', () => {
    expect(compareApkVersions('1.0-r0', '1.0-r0')).toBe(0);
    expect(compareApkVersions('01.0', '1.0')).toBe(0);
    expect(compareApkVersions('1.0_p01', '1.0_p1')).toBe(0);
  });
});
