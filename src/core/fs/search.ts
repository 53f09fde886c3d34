/**
 * Search over every member of every layer up to a chosen one, so a file that a
 * later layer deleted or replaced is still found (and marked as not surviving).
 */

import { InspectError, InspectErrorCode } from '../errors';
import type { EntryFields, EntryType } from '../types';
import { resolvePath } from './file-node';
import type { LayeredFilesystem } from './filesystem';
import { absolutePath, whiteoutTarget } from './whiteout';

/** How `text` is matched against absolute paths. */
export type SearchMode = 'substring' | 'glob' | 'regex';

/** A search request. */
export interface SearchQuery {
  text: string;
  /**
   * `substring`: anywhere in the absolute path. `glob`: `*` and `?` within one
   * component, `**` across components, `[…]` classes; a pattern without `/`
   * matches the last component (like `find -name`), one with `/` the whole
   * absolute path. `regex`: a JavaScript regular expression searched in the
   * absolute path.
   */
  mode: SearchMode;
  /** Default false: letters match either case. */
  caseSensitive?: boolean;
}

/**
 * One matching member: its absolute path (for a whiteout, the path it
 * deletes; for an opaque marker, its directory), type and size.
 */
export interface SearchHit extends Pick<EntryFields<EntryType | 'whiteout' | 'opaque'>, 'path' | 'type' | 'size'> {
  layer: number;
  /** Index of the member in its layer's entry list. */
  entryIndex: number;
  /** True when this very member is what the merged filesystem after the final layer shows at its path. */
  survives: boolean;
}

/** Hits in layer then tar order, and whether the limit cut the list short. */
export interface SearchResult {
  hits: SearchHit[];
  capped: boolean;
  limit: number;
}

/** Default cap on hits: enough for any view, small enough to post to the UI at once. */
export const SEARCH_LIMIT = 10_000;

/** Translates a glob into an anchored regular expression source. */
export function globToRegExpSource(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i += 1) {
    const char = glob[i];
    if (char === '*') {
      const double = glob[i + 1] === '*';
      out += double ? '.*' : '[^/]*';
      if (double) i += 1;
    } else if (char === '?') {
      out += '[^/]';
    } else if (char === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) {
        out += '\\[';
        continue;
      }
      const body = glob.slice(i + 1, close).replace(/\\/g, '\\\\');
      out += body.startsWith('!') ? `[^${body.slice(1)}]` : `[${body}]`;
      i = close;
    } else {
      out += char.replace(/[.+^${}()|\\\]]/g, '\\$&');
    }
  }
  return `^${out}$`;
}

/** Builds the predicate for a query; throws InspectError for an invalid regular expression. */
export function pathMatcher(query: SearchQuery): (path: string) => boolean {
  const flags = query.caseSensitive ? 'u' : 'iu';
  if (query.mode === 'substring') {
    const needle = query.caseSensitive ? query.text : query.text.toLowerCase();
    return query.caseSensitive
      ? (path) => path.includes(needle)
      : (path) => path.toLowerCase().includes(needle);
  }
  if (query.mode === 'glob') {
    const onName = !query.text.includes('/');
    const pattern = onName || query.text.startsWith('/') ? query.text : `/${query.text}`;
    const regex = compile(globToRegExpSource(pattern), flags, query.text);
    return onName
      ? (path) => regex.test(path.slice(path.lastIndexOf('/') + 1))
      : (path) => regex.test(path);
  }
  const regex = compile(query.text, flags, query.text);
  return (path) => regex.test(path);
}

function compile(source: string, flags: string, typed: string): RegExp {
  try {
    return new RegExp(source, flags);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InspectError(
      InspectErrorCode.Unsupported,
      `Invalid search pattern "${typed}": ${reason}`,
    );
  }
}

/**
 * Finds the members of layers 0..`finalLayer` whose absolute path matches
 * `query`, in layer then tar order, stopping after `limit` hits.
 */
export function searchEntries(
  filesystem: LayeredFilesystem,
  query: SearchQuery,
  finalLayer: number,
  limit: number = SEARCH_LIMIT,
): SearchResult {
  const matches = pathMatcher(query);
  const merged = filesystem.rootAfter(finalLayer);
  const hits: SearchHit[] = [];
  const last = Math.min(finalLayer, filesystem.layerCount - 1);
  for (let layer = 0; layer <= last; layer += 1) {
    const entries = filesystem.layerEntries(layer);
    for (let entryIndex = 0; entryIndex < entries.length; entryIndex += 1) {
      const entry = entries[entryIndex];
      const target = entry.whiteout === null ? null : whiteoutTarget(entry.path);
      const path = absolutePath(target?.path ?? entry.path);
      if (!matches(path)) continue;
      if (hits.length === limit) return { hits, capped: true, limit };
      let survives = false;
      if (target === null) {
        const found = resolvePath(merged, path, { followFinal: false });
        survives = found.ok && found.node.layer === layer && found.node.entryIndex === entryIndex;
      }
      hits.push({
        path,
        layer,
        entryIndex,
        type: target?.kind ?? entry.type,
        size: entry.size,
        survives,
      });
    }
  }
  return { hits, capped: false, limit };
}
