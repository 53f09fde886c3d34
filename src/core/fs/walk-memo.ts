/**
 * Remembered path walks. A lookup may follow 40 symlinks of up to PATH_MAX
 * bytes each, tens of thousands of steps, and a layer makes one lookup per
 * member: through a chain of long links that was seconds per thousand
 * members. A walk that followed a symlink is remembered at the input
 * components where it had finished following, so the next lookup under the
 * same prefix starts there. The state after a prefix is all a walk needs to
 * go on: the directories it stands in, and the links it has followed so far
 * (which still count towards the limit).
 */

/** The state of a walk after some input components. */
export interface WalkState<N> {
  /** Input components consumed. */
  consumed: number;
  /** Directories from the root to where the walk stands. */
  stack: readonly N[];
  linksFollowed: number;
}

/** Bound on remembered walks (each holds a stack): a hostile layer cannot grow it past this. */
const maxWalks = 50_000;

/** Walk states by the input prefix that leads to them. */
export class WalkMemo<N> {
  readonly #walks = new Map<string, Omit<WalkState<N>, 'consumed'>>();

  /** The state after the longest remembered prefix of `components` (at most `limit` of them), or null. */
  longestPrefix(components: readonly string[], limit = components.length): WalkState<N> | null {
    if (this.#walks.size === 0) return null;
    const keys: string[] = [];
    let key = '';
    for (let i = 0; i < limit; i += 1) {
      key = i === 0 ? components[0] : `${key}/${components[i]}`;
      keys.push(key);
    }
    for (let consumed = keys.length; consumed >= 1; consumed -= 1) {
      const hit = this.#walks.get(keys[consumed - 1]);
      if (hit) return { consumed, ...hit };
    }
    return null;
  }

  /** Remembers the state after the first `consumed` of `components`. */
  record(components: readonly string[], consumed: number, stack: readonly N[], linksFollowed: number): void {
    if (consumed === 0) return;
    if (this.#walks.size >= maxWalks) this.#walks.clear();
    this.#walks.set(components.slice(0, consumed).join('/'), { stack: [...stack], linksFollowed });
  }

  /** Forgets every walk (the tree changed under them). */
  clear(): void {
    this.#walks.clear();
  }
}
