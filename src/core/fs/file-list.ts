/**
 * The entries of `files.json` (docs/contracts.md, "files.json"): what the `changes`
 * and `merged` views show, one plain object per path.
 *
 * Order: sorted by absolute path in code-unit order (JavaScript's default
 * string order; for ASCII names the same as `LC_ALL=C sort`), so `/a-b` comes
 * before `/a/b`. The root directory itself is not listed.
 */

import { InspectError, InspectErrorCode } from '../errors';
import type { EntryFields, EntryType } from '../types';
import { type FileNode, compareNames, resolvePath } from './file-node';
import type { LayeredFilesystem } from './filesystem';
import { type FileChange, layerChanges } from './layer-changes';

/** The `type` values of a files.json entry. */
export type FileListType =
  'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'whiteout' | 'opaque';

/**
 * One entry of files.json: the entry fields without `mtime`, `path`
 * absolute (for a whiteout, the path it removes; for an opaque marker, its
 * directory), a hard link's `linkTarget` absolute.
 */
export interface FileListEntry extends Omit<EntryFields<FileListType>, 'mtime'> {
  /** Index of the layer that last wrote the entry. */
  layer: number;
}

/** Which view a file list is for. */
export type FileListView = 'changes' | 'merged';

/** Members of unknown tar type flags are regular files to every extractor (POSIX: "treated as regular"). */
function listType(type: EntryType): FileListType {
  return type === 'other' ? 'file' : type;
}

/** The files.json entry of a merged-tree node. */
export function entryFromNode(node: FileNode): FileListEntry {
  return {
    path: node.path,
    type: listType(node.type),
    size: node.type === 'dir' ? 0 : node.size,
    mode: node.mode,
    uid: node.uid,
    gid: node.gid,
    linkTarget: node.linkTarget,
    layer: node.layer,
  };
}

/** Every path of a merged tree (whiteouts already applied), sorted by path, root excluded. */
export function mergedFileList(root: FileNode): FileListEntry[] {
  const out: FileListEntry[] = [];
  const pending: FileNode[] = [root];
  while (pending.length > 0) {
    const dir = pending.pop() as FileNode;
    for (const child of dir.children?.values() ?? []) {
      out.push(entryFromNode(child));
      if (child.children !== undefined) pending.push(child);
    }
  }
  return out.sort((a, b) => compareNames(a.path, b.path));
}

/**
 * What layer `layer` changed, as files.json entries sorted by path: added and
 * modified members as they are after the layer, a whiteout as the path it
 * removes (type `whiteout`), an opaque marker as its directory (type `opaque`).
 */
export function changesFileList(filesystem: LayeredFilesystem, layer: number): FileListEntry[] {
  const after = filesystem.rootAfter(layer);
  const entries = filesystem.layerEntries(layer);
  return layerChanges(filesystem, layer).map((change) =>
    changeEntry(change, after, entries[change.entryIndex], layer),
  );
}

function changeEntry(
  change: FileChange,
  after: FileNode,
  member: { mode: number; uid: number; gid: number },
  layer: number,
): FileListEntry {
  if (change.kind === 'deleted' || change.kind === 'opaque') {
    return {
      path: change.path,
      type: change.kind === 'deleted' ? 'whiteout' : 'opaque',
      size: 0,
      mode: member.mode & 0o7777,
      uid: member.uid,
      gid: member.gid,
      linkTarget: null,
      layer,
    };
  }
  const found = resolvePath(after, change.path, { followFinal: false });
  if (!found.ok) {
    throw new InspectError(
      InspectErrorCode.Internal,
      `Changed path is missing after layer ${layer}`,
      change.path,
    );
  }
  return entryFromNode(found.node);
}

/** files.json entries for a view of the filesystem after (`merged`) or made by (`changes`) layer `layer`. */
export function fileList(
  filesystem: LayeredFilesystem,
  view: FileListView,
  layer: number,
): FileListEntry[] {
  return view === 'merged'
    ? mergedFileList(filesystem.rootAfter(layer))
    : changesFileList(filesystem, layer);
}
