/**
 * Two images' installed packages compared: what was added, removed,
 * upgraded or downgraded (by the version order of each package manager,
 * version-compare.ts), or changed otherwise (the same version spelt
 * differently, or another architecture). A package is identified by its
 * type and name; several installed copies of one name (dpkg multiarch,
 * rpm's several kernels) are paired first by equal version and
 * architecture, then by architecture, then in version order.
 */

import { compareVersions, type VersionScheme } from './version-compare';

/** The package fields the comparison reads (the package list of the report has these). */
export interface PackageRecord {
  /** `deb`, `apk` or `rpm`. */
  type: string;
  name: string;
  version: string;
  arch: string;
}

/** What happened to a package from left to right. */
export type PackageChange = 'added' | 'removed' | 'upgraded' | 'downgraded' | 'changed';

/** One package that differs. */
export interface PackageDifference {
  type: string;
  name: string;
  change: PackageChange;
  left: { version: string; arch: string } | null;
  right: { version: string; arch: string } | null;
}

const SCHEMES: ReadonlySet<string> = new Set<VersionScheme>(['deb', 'rpm', 'apk']);

function order(type: string, a: string, b: string): number {
  if (SCHEMES.has(type)) return Math.sign(compareVersions(type as VersionScheme, a, b));
  return a === b ? 0 : Number.NaN;
}

function groupByName(packages: readonly PackageRecord[]): Map<string, PackageRecord[]> {
  const groups = new Map<string, PackageRecord[]>();
  for (const item of packages) {
    const key = `${item.type}\0${item.name}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  return groups;
}

/** Removes and returns pairs that satisfy `matches`, first come first served. */
function takePairs(left: PackageRecord[], right: PackageRecord[], matches: (a: PackageRecord, b: PackageRecord) => boolean): [PackageRecord, PackageRecord][] {
  const pairs: [PackageRecord, PackageRecord][] = [];
  for (let i = 0; i < left.length; ) {
    const j = right.findIndex((candidate) => matches(left[i], candidate));
    if (j < 0) {
      i += 1;
      continue;
    }
    pairs.push([left[i], right[j]]);
    left.splice(i, 1);
    right.splice(j, 1);
  }
  return pairs;
}

function differenceOf(a: PackageRecord | null, b: PackageRecord | null): PackageDifference | null {
  const side = (item: PackageRecord | null) => (item === null ? null : { version: item.version, arch: item.arch });
  const base = a ?? (b as PackageRecord);
  if (a === null || b === null) return { type: base.type, name: base.name, change: a === null ? 'added' : 'removed', left: side(a), right: side(b) };
  if (a.version === b.version && a.arch === b.arch) return null;
  const sign = order(a.type, a.version, b.version);
  const change: PackageChange = sign < 0 ? 'upgraded' : sign > 0 ? 'downgraded' : 'changed';
  return { type: base.type, name: base.name, change, left: side(a), right: side(b) };
}

/** The packages that differ, sorted by type, name, then left version. */
export function comparePackages(left: readonly PackageRecord[], right: readonly PackageRecord[]): PackageDifference[] {
  const out: PackageDifference[] = [];
  const rightGroups = groupByName(right);
  const push = (difference: PackageDifference | null): void => {
    if (difference !== null) out.push(difference);
  };
  for (const [key, group] of groupByName(left)) {
    const others = rightGroups.get(key) ?? [];
    rightGroups.delete(key);
    const a = [...group];
    const b = [...others];
    takePairs(a, b, (x, y) => x.version === y.version && x.arch === y.arch);
    const byVersion = (x: PackageRecord, y: PackageRecord): number => order(x.type, x.version, y.version) || 0;
    a.sort(byVersion);
    b.sort(byVersion);
    for (const [x, y] of takePairs(a, b, (x, y) => x.arch === y.arch)) push(differenceOf(x, y));
    for (const [x, y] of takePairs(a, b, () => true)) push(differenceOf(x, y));
    for (const x of a) push(differenceOf(x, null));
    for (const y of b) push(differenceOf(null, y));
  }
  for (const group of rightGroups.values()) for (const item of group) push(differenceOf(null, item));
  const text = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return out.sort((x, y) => text(x.type, y.type) || text(x.name, y.name) || text(x.left?.version ?? '', y.left?.version ?? ''));
}
