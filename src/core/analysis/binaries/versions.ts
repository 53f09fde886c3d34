/** Symbol version names (`GLIBC_2.34`) and dotted version numbers. */

/** Compares dotted numbers numerically (`2.34` > `2.2.5`); non-numeric parts compare as 0. */
export function compareDotted(a: string, b: string): number {
  const left = a.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const right = b.split('.').map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference < 0 ? -1 : 1;
  }
  return 0;
}

/** The number of a `GLIBC_x.y[.z]` version name, or null for other names (`GLIBC_PRIVATE`, `GLIBCXX_3.4`). */
export function glibcVersion(name: string): string | null {
  return /^GLIBC_(\d+(?:\.\d+)*)$/.exec(name)?.[1] ?? null;
}

/** The highest of some dotted numbers, or null. */
export function highest(versions: Iterable<string | null>): string | null {
  let best: string | null = null;
  for (const version of versions) {
    if (version !== null && (best === null || compareDotted(version, best) > 0)) best = version;
  }
  return best;
}
