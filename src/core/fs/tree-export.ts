/**
 * The members of a tar export of a merged-tree directory (or the whole root
 * filesystem), in the order `tar` would write them: depth first, a directory
 * before its entries, entries by name. Names are relative to the exported
 * directory's parent (`tar -C / -cf etc.tar etc` gives `etc/passwd`); the
 * root's members have no prefix.
 *
 * Hard links: a link whose target was already written in this archive stays
 * a link to that member name; any other is written as a regular file with
 * the linked content (like `tar --hard-dereference`), or as the device or
 * fifo it links to, so the archive never references a member it does not hold.
 *
 * Every member keeps the metadata its layer's header had: owner names,
 * device numbers, and extended attributes (`security.capability` makes
 * `ping` work without setuid), except on hard link members, whose
 * attributes belong to the target member already written.
 */

import { type FileNode, findNode, sortedChildren } from './file-node';
import type { TarHeaderFields } from '../tar/writer';

/** One member to write: its header fields and, for regular files, where the content is. */
export interface ExportMember {
  fields: TarHeaderFields;
  /** Layer and offset of the content in its uncompressed tar (regular files), or null. */
  content: { layer: number; offset: number } | null;
}

/** Member name of `node` in an export of the directory at `base` (absolute). */
function memberName(node: FileNode, base: string, prefix: string): string {
  const relative = base === '/' ? node.path.slice(1) : node.path.slice(base.length + 1);
  return prefix === '' ? relative : relative === '' ? prefix : `${prefix}/${relative}`;
}

/**
 * Yields the members of an export of `directory` from the merged tree
 * `root`, or nothing when it is not a directory there.
 */
export function* exportMembers(root: FileNode, directory: string): Generator<ExportMember> {
  const top = findNode(root, directory);
  if (top === undefined || top.type !== 'dir') return;
  const prefix = top.path === '/' ? '' : top.name;
  const written = new Map<string, string>();
  const pending: FileNode[] = [top];
  while (pending.length > 0) {
    const node = pending.pop() as FileNode;
    const name = memberName(node, top.path, prefix);
    if (name !== '') yield member(root, node, name, written);
    if (node.type === 'dir') {
      const children = sortedChildren(node);
      for (let i = children.length - 1; i >= 0; i -= 1) pending.push(children[i]);
    }
  }
}

/** Device and fifo types: a hard link to one of them is that node again, not a file. */
const SPECIAL_TYPES = new Set<FileNode['type']>(['char', 'block', 'fifo']);

function member(root: FileNode, node: FileNode, name: string, written: Map<string, string>): ExportMember {
  const { uname, gname, devMajor, devMinor, xattrs } = node.extras ?? {};
  const owner = {
    path: name,
    mode: node.mode,
    uid: node.uid,
    gid: node.gid,
    mtime: node.mtime,
    uname,
    gname,
  };
  const hasContent = node.contentLayer >= 0 && node.contentOffset >= 0;
  if (node.type === 'hardlink') {
    const earlier = node.linkTarget === null ? undefined : written.get(node.linkTarget);
    if (earlier !== undefined) {
      const fields: TarHeaderFields = { ...owner, type: 'hardlink', size: 0, linkTarget: earlier };
      return { fields, content: null };
    }
  }
  const base = { ...owner, devMajor, devMinor, xattrs };
  if (node.type === 'hardlink' && !hasContent && node.linkTarget !== null) {
    // A link to a device or fifo outside the export: written as that device (its numbers are in `extras`).
    const target = findNode(root, node.linkTarget);
    if (target !== undefined && SPECIAL_TYPES.has(target.type)) {
      written.set(node.path, name);
      return { fields: { ...base, type: target.type as 'char' | 'block' | 'fifo', size: 0, linkTarget: null }, content: null };
    }
  }
  if (node.type === 'file' || node.type === 'other' || node.type === 'hardlink') {
    written.set(node.path, name);
    return {
      fields: { ...base, type: 'file', size: hasContent ? node.size : 0, linkTarget: null },
      content: hasContent && node.size > 0 ? { layer: node.contentLayer, offset: node.contentOffset } : null,
    };
  }
  // Devices and fifos can be hard-linked too: later links point at this member.
  if (SPECIAL_TYPES.has(node.type)) written.set(node.path, name);
  const linkTarget = node.type === 'symlink' ? node.linkTarget : null;
  return { fields: { ...base, type: node.type, size: 0, linkTarget }, content: null };
}
