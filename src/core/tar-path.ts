/**
 * Member-name hygiene for hostile archives, and the OCI whiteout naming rules
 * (https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts).
 */

/** A cleaned member name and whether the stored one tried to leave the root. */
export interface CleanedTarPath {
  /** Relative path without `./`, `//` or `..`; `''` is the root directory itself. */
  path: string;
  /** True when the stored name was absolute or had a `..` component. */
  unsafe: boolean;
}

/** OCI layer.md: a file named `.wh..wh..opq` makes its directory opaque. */
const OPAQUE_MARKER = '.wh..wh..opq';
/** OCI layer.md: `.wh.<name>` deletes `<name>` from lower layers. */
const WHITEOUT_PREFIX = '.wh.';

/**
 * Cleans a stored member name: strips leading `/` and `./`, collapses `//`
 * and `.`, and resolves `..` without ever climbing above the root, so the
 * shown path stays inside the image (`../../etc/passwd` → `etc/passwd`).
 */
export function cleanTarPath(raw: string): CleanedTarPath {
  let unsafe = raw.startsWith('/');
  const parts: string[] = [];
  for (const part of raw.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      unsafe = true;
      parts.pop();
      continue;
    }
    parts.push(part);
  }
  return { path: parts.join('/'), unsafe };
}

/** Classifies a cleaned path by its last component's whiteout naming. */
export function whiteoutKind(path: string): 'whiteout' | 'opaque' | null {
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (base === OPAQUE_MARKER) return 'opaque';
  if (base.startsWith(WHITEOUT_PREFIX)) return 'whiteout';
  return null;
}
