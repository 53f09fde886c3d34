/**
 * Package version order, per ecosystem, as each package manager decides
 * "upgrade" or "downgrade":
 *
 * - deb: deb-version(7), dpkg's `verrevcmp` (epoch, then upstream version
 *   and revision compared as alternating non-digit and digit runs; `~`
 *   sorts before everything, even the end; letters before other symbols);
 * - rpm: rpm's `rpmvercmp` on epoch, version and release (alphanumeric
 *   segments, numbers above letters; `~` before everything, `^` after the
 *   end but before anything else), a missing release before a present one,
 *   as `rpm.vercmp` in rpm 4.18 orders them;
 * - apk: apk-tools' version rules (`digit{.digit}…{letter}{_suffix{#}}…{~hash}{-r#}`;
 *   `_alpha`, `_beta`, `_pre`, `_rc` before the release, `_cvs`, `_svn`,
 *   `_git`, `_hg`, `_p` after it; a component with a leading zero compares
 *   as a string, as Gentoo's rule says).
 *
 * Each returns a negative number, 0 or a positive number, like a sort
 * comparator.
 */

import { compareApkVersions } from './apk-version';

export { compareApkVersions };

/** The ecosystems whose order is known. */
export type VersionScheme = 'deb' | 'rpm' | 'apk';

const isDigit = (code: number): boolean => code >= 0x30 && code <= 0x39;
const isAsciiLetter = (code: number): boolean => (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
const sign = (value: number): number => (value < 0 ? -1 : value > 0 ? 1 : 0);

/** Compares two digit strings by value, whatever their length or leading zeros. */
function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Code-unit order, as memcmp orders ASCII. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** dpkg's weight of a non-digit character (the end of the string weighs 0). */
function dpkgOrder(code: number | undefined): number {
  if (code === undefined) return 0;
  if (isAsciiLetter(code)) return code;
  if (code === 0x7e) return -1;
  return code + 256;
}

/** dpkg's verrevcmp on one part (upstream version or revision). */
function dpkgPartCompare(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const x = dpkgOrder(i < a.length && !isDigit(a.charCodeAt(i)) ? a.charCodeAt(i) : undefined);
      const y = dpkgOrder(j < b.length && !isDigit(b.charCodeAt(j)) ? b.charCodeAt(j) : undefined);
      if (x !== y) return sign(x - y);
      i += 1;
      j += 1;
    }
    const digitsA = /^\d*/.exec(a.slice(i))?.[0] ?? '';
    const digitsB = /^\d*/.exec(b.slice(j))?.[0] ?? '';
    const order = compareDigits(digitsA, digitsB);
    if (order !== 0) return order;
    i += digitsA.length;
    j += digitsB.length;
  }
  return 0;
}

/** Splits `[epoch:]upstream[-revision]` (the revision after the last hyphen). */
function parseDebianVersion(version: string): { epoch: string; upstream: string; revision: string } {
  const colon = version.indexOf(':');
  const epoch = colon >= 0 && /^\d+$/.test(version.slice(0, colon)) ? version.slice(0, colon) : '0';
  const rest = colon >= 0 && epoch === version.slice(0, colon) ? version.slice(colon + 1) : version;
  const hyphen = rest.lastIndexOf('-');
  return hyphen < 0
    ? { epoch, upstream: rest, revision: '' }
    : { epoch, upstream: rest.slice(0, hyphen), revision: rest.slice(hyphen + 1) };
}

/** Orders two Debian versions as `dpkg --compare-versions` does. */
export function compareDebianVersions(a: string, b: string): number {
  const x = parseDebianVersion(a);
  const y = parseDebianVersion(b);
  return compareDigits(x.epoch, y.epoch) || dpkgPartCompare(x.upstream, y.upstream) || dpkgPartCompare(x.revision, y.revision);
}

const isAlnum = (code: number): boolean => isDigit(code) || isAsciiLetter(code);

/** rpm's rpmvercmp on one field (epoch, version or release). */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  const skip = (text: string, at: number): number => {
    while (at < text.length && !isAlnum(text.charCodeAt(at)) && text[at] !== '~' && text[at] !== '^') at += 1;
    return at;
  };
  while (i < a.length || j < b.length) {
    i = skip(a, i);
    j = skip(b, j);
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i += 1;
      j += 1;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i += 1;
      j += 1;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const numeric = isDigit(a.charCodeAt(i));
    const run = numeric ? /^\d+/ : /^[A-Za-z]+/;
    const segmentA = run.exec(a.slice(i))?.[0] ?? '';
    const segmentB = run.exec(b.slice(j))?.[0] ?? '';
    // A number against letters: the number is newer.
    if (segmentB === '') return numeric ? 1 : -1;
    const order = numeric ? compareDigits(segmentA, segmentB) : compareStrings(segmentA, segmentB);
    if (order !== 0) return order;
    i += segmentA.length;
    j += segmentB.length;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

/** Splits rpm's `[epoch:]version[-release]` as rpm's parseEVR does. */
function parseRpmVersion(evr: string): { epoch: string; version: string; release: string | null } {
  const digits = /^\d*/.exec(evr)?.[0] ?? '';
  const hasEpoch = evr[digits.length] === ':';
  const rest = hasEpoch ? evr.slice(digits.length + 1) : evr;
  const hyphen = rest.lastIndexOf('-');
  return {
    epoch: hasEpoch && digits !== '' ? digits : '0',
    version: hyphen < 0 ? rest : rest.slice(0, hyphen),
    release: hyphen < 0 ? null : rest.slice(hyphen + 1),
  };
}

/** Orders two rpm `[epoch:]version-release` strings as `rpm.vercmp` does. */
export function compareRpmVersions(a: string, b: string): number {
  const x = parseRpmVersion(a);
  const y = parseRpmVersion(b);
  const order = rpmvercmp(x.epoch, y.epoch) || rpmvercmp(x.version, y.version);
  if (order !== 0) return order;
  if (x.release === null || y.release === null) return x.release === y.release ? 0 : x.release === null ? -1 : 1;
  return rpmvercmp(x.release, y.release);
}

/** Orders two versions of one ecosystem. */
export function compareVersions(scheme: VersionScheme, a: string, b: string): number {
  if (scheme === 'deb') return compareDebianVersions(a, b);
  if (scheme === 'rpm') return compareRpmVersions(a, b);
  return compareApkVersions(a, b);
}
