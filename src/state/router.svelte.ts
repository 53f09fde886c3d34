/**
 * Hash routing (docs/contracts.md, "Links"): the hash is the single source of truth for
 * what is shown. Navigating pushes a history entry, so back/forward work;
 * `replace` rewrites the current entry (canonicalising a link after a load).
 */
import { formatRouteHash, parseRouteHash, withoutUndefined, type RouteParams } from './route-hash';

/** Reactive view of `location.hash`. */
export class Router {
  #params = $state.raw<RouteParams>(parseRouteHash(location.hash));

  constructor() {
    window.addEventListener('hashchange', () => {
      this.#params = parseRouteHash(location.hash);
    });
  }

  /** The current link's parameters. */
  get params(): RouteParams {
    return this.#params;
  }

  /** Moves to `params`, adding a history entry (no-op when already there). */
  go(params: RouteParams): void {
    const hash = formatRouteHash(params);
    if (hash === formatRouteHash(this.#params) && location.hash === hash) return;
    history.pushState(null, '', hash);
    this.#params = parseRouteHash(hash);
  }

  /** Changes some keys of the current link, keeping the others. */
  patch(changes: Partial<RouteParams>): void {
    this.go(withChanges(this.#params, changes));
  }

  /** Rewrites the current history entry to `params`. */
  replace(params: RouteParams): void {
    const hash = formatRouteHash(params);
    if (location.hash !== hash) history.replaceState(null, '', hash);
    this.#params = parseRouteHash(hash);
  }
}

/** `params` with `changes` applied; an `undefined` value removes the key. */
export function withChanges(params: RouteParams, changes: Partial<RouteParams>): RouteParams {
  return withoutUndefined({ ...params, ...changes });
}
