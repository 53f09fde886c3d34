/**
 * Hygiene and security checks over the merged filesystem: setuid and setgid
 * files, world-writable files and directories without the sticky bit, files
 * left under /tmp, editor backups and core dumps. Modes are read from the
 * tree (a hard link carries its target's mode, as link(2) shares the
 * inode); only core dumps need bytes (their ELF header, 20 bytes each).
 */
import type { FileNode } from '../fs/file-node';
import type { ReadLayerBytes } from './rootfs';
import type { FindingList } from './finding-list';

const SETUID = 0o4000;
const SETGID = 0o2000;
const STICKY = 0o1000;
const OTHERS_WRITE = 0o002;

/** Directories whose contents are temporary by convention (FHS 3.0 §3.18, §5.15). */
const TEMPORARY_DIRECTORIES = ['/tmp/', '/var/tmp/'];

/** Editor leftovers: `name~` (Emacs, many others), `.name.swp`… (Vim), `#name#` (Emacs auto-save), `name.bak`. */
const EDITOR_BACKUP = /~$|^\..+\.sw[a-p]$|^#.+#$|\.bak$/;

/** `core`, `core.1234` (kernel.core_pattern's defaults with core_uses_pid) and `name.core` (BSD). */
const CORE_DUMP_NAME = /^core(\.\d+)?$|\.core$/;

/** ELF e_type of a core file (System V ABI, ET_CORE). */
const ET_CORE = 4;

const hasContent = (node: FileNode): boolean => node.type === 'file' || node.type === 'hardlink' || node.type === 'other';

function describeMode(mode: number): string {
  return `mode ${mode.toString(8).padStart(4, '0')}`;
}

/** Every node of a tree but the root, depth first (iterative: trees can be deep). */
function* allNodes(root: FileNode): Generator<FileNode> {
  const pending: FileNode[] = [root];
  while (pending.length > 0) {
    const node = pending.pop() as FileNode;
    if (node !== root) yield node;
    if (node.children) for (const child of node.children.values()) pending.push(child);
  }
}

/** The checks that need only the tree; returns the core dump candidates for {@link checkCoreDumps}. */
export function checkModesAndNames(root: FileNode, list: FindingList): FileNode[] {
  const coreCandidates: FileNode[] = [];
  for (const node of allNodes(root)) {
    const { path, layer, mode } = node;
    if (hasContent(node)) {
      if (mode & SETUID) {
        list.add({ id: 'setuid', severity: 'low', path, layer, message: `setuid file (${describeMode(mode)}, owner ${node.uid}): it runs with its owner's privileges` }, 'setuid files');
      }
      if (mode & SETGID) {
        list.add({ id: 'setgid', severity: 'low', path, layer, message: `setgid file (${describeMode(mode)}, group ${node.gid}): it runs with its group's privileges` }, 'setgid files');
      }
      if (mode & OTHERS_WRITE) {
        list.add({ id: 'world-writable', severity: 'medium', path, layer, message: `world-writable file (${describeMode(mode)}): any user can change it` }, 'world-writable files or directories');
      }
      if (EDITOR_BACKUP.test(node.name)) {
        list.add({ id: 'editor-backup', severity: 'low', path, layer, message: 'editor backup or swap file: it may hold an older version of a file, or one that was meant to stay out' }, 'editor backups');
      }
      if (CORE_DUMP_NAME.test(node.name) && node.size >= 20 && node.contentLayer >= 0) coreCandidates.push(node);
    } else if (node.type === 'dir' && mode & OTHERS_WRITE && !(mode & STICKY)) {
      list.add({ id: 'world-writable', severity: 'medium', path, layer, message: `world-writable directory without the sticky bit (${describeMode(mode)}): any user can delete or replace others' files in it` }, 'world-writable files or directories');
    }
    if (node.type !== 'dir' && TEMPORARY_DIRECTORIES.some((dir) => path.startsWith(dir))) {
      list.add({ id: 'tmp-file', severity: 'info', path, layer, message: `${node.type} left in a temporary directory: it ships in every container of the image` }, 'files under /tmp');
    }
  }
  return coreCandidates;
}

/** True for the first bytes of an ELF core file. */
export function isElfCore(head: Uint8Array): boolean {
  if (head.length < 18 || head[0] !== 0x7f || head[1] !== 0x45 || head[2] !== 0x4c || head[3] !== 0x46) return false;
  const littleEndian = head[5] === 1;
  const type = littleEndian ? head[16] | (head[17] << 8) : (head[16] << 8) | head[17];
  return type === ET_CORE;
}

/** Reads the ELF header of each candidate and reports the core dumps among them. */
export async function checkCoreDumps(candidates: readonly FileNode[], read: ReadLayerBytes, list: FindingList): Promise<void> {
  for (const node of candidates) {
    const head = await read(node.contentLayer, node.contentOffset, 20);
    if (!isElfCore(head)) continue;
    list.add({ id: 'core-dump', severity: 'medium', path: node.path, layer: node.contentLayer, message: "core dump (an ELF core file): a process's memory, which may hold keys, passwords or customer data" }, 'core dumps');
  }
}
