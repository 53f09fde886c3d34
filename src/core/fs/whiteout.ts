/**
 * Whiteouts and layer paths, after the OCI image spec's layer changeset rules:
 * https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts
 *
 * - `.wh.<name>` deletes `<name>` (and everything below it) from the lower
 *   layers; the whiteout file itself never appears in the merged filesystem.
 * - `.wh..wh..opq` in a directory hides every child that the lower layers put
 *   there; children written by the same layer stay.
 * - Whiteouts apply only to lower layers, never to entries of their own layer.
 *
 * Paths here are "layer paths": relative, `/`-separated, no `.` or empty
 * components, no leading `/` (the form `TarEntry.path` has). The root is `''`.
 */

/** Prefix that marks a whiteout file. */
export const WHITEOUT_PREFIX = '.wh.';

/** Name of the opaque-directory marker. */
export const OPAQUE_MARKER = '.wh..wh..opq';

/**
 * Cleans a stored member name into a layer path, the way `path.Clean` plus
 * stripping the root does: drops leading `/` and `./`, empty and `.`
 * components, and resolves `..` lexically without ever climbing above the
 * root (an archive must not write outside the image). `cleanPath('/a/./b/../c/')`
 * is `'a/c'`; `cleanPath('../../etc')` is `'etc'`.
 */
export function cleanPath(raw: string): string {
  const out: string[] = [];
  for (const part of raw.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      out.pop();
      continue;
    }
    out.push(part);
  }
  return out.join('/');
}

/**
 * True when a stored member name is absolute or has a `..` component, i.e.
 * when extracting it verbatim could write outside the target directory.
 */
export function isUnsafePath(raw: string): boolean {
  if (raw.startsWith('/')) return true;
  return raw.split('/').includes('..');
}

/** The parent of a layer path (`'a/b'` → `'a'`, `'a'` → `''`, `''` → `''`). */
export function parentPath(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** The last component of a layer path (`'a/b'` → `'b'`, `''` → `''`). */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Joins a directory layer path and a child name. */
export function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** The absolute form of a layer path, as file lists and URLs show it (`'a/b'` → `'/a/b'`). */
export function absolutePath(path: string): string {
  return `/${path}`;
}

/** What a whiteout path means, or null for an ordinary member. */
export type WhiteoutTarget =
  /** `.wh.<name>`: `path` is the layer path it deletes. */
  | { kind: 'whiteout'; path: string }
  /** `.wh..wh..opq`: `path` is the directory whose lower contents it hides. */
  | { kind: 'opaque'; path: string };

/**
 * Interprets a layer path as a whiteout: `'a/.wh.b'` → deletes `'a/b'`,
 * `'a/.wh..wh..opq'` → opaque `'a'`. Returns null for ordinary names and for
 * a bare `.wh.` (which names nothing).
 */
export function whiteoutTarget(path: string): WhiteoutTarget | null {
  const name = baseName(path);
  if (!name.startsWith(WHITEOUT_PREFIX)) return null;
  const dir = parentPath(path);
  if (name === OPAQUE_MARKER) return { kind: 'opaque', path: dir };
  const deleted = name.slice(WHITEOUT_PREFIX.length);
  if (deleted === '' || deleted === '.' || deleted === '..') return null;
  return { kind: 'whiteout', path: joinPath(dir, deleted) };
}

/** Splits a layer path into its components (`''` → `[]`). */
export function pathComponents(path: string): string[] {
  return path === '' ? [] : path.split('/');
}
