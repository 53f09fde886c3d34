/**
 * Finds the ELF files of a merged rootfs and inspects each: the first 64
 * bytes of every regular file tell whether it is ELF (the magic), and only
 * ELF files are read further (headers, dynamic section, notes). Files are
 * visited in layer and tar order, so reads go forward through each layer.
 */
import { isAbortError } from '../../errors';
import type { FileNode } from '../../fs/file-node';
import { type ElfDetails, inspectElf } from '../../content/elf-inspect';
import { isElf } from '../../content/elf-file';
import type { Rootfs } from '../rootfs';
import { hasContent, readNode } from '../rootfs-files';

/** The smallest file that can hold an ELF header (ELF32: 52 bytes). */
const MIN_ELF_SIZE = 52;
const SNIFF = 64;
/** An ELF file's first page, read at once: it usually holds the program headers, PT_INTERP and the notes. */
const FIRST_PAGE = 4096;

/** One ELF file of the rootfs. */
export interface ElfEntry {
  /** Absolute path in the merged tree. */
  path: string;
  /** The layer that last wrote it. */
  layer: number;
  size: number;
  details: ElfDetails;
}

/** What the scan found. */
export interface ElfScan {
  elves: ElfEntry[];
  /** ELF-looking files whose structures could not be read: path and why. */
  unreadable: { path: string; message: string }[];
  /** Regular files looked at. */
  filesChecked: number;
}

/** Regular files (and hard links with content) of the tree, in (layer, offset) order. */
export function regularFiles(root: FileNode): FileNode[] {
  const files: FileNode[] = [];
  const stack: FileNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as FileNode;
    if (node.children !== undefined) {
      for (const child of node.children.values()) stack.push(child);
    } else if (hasContent(node) && node.size >= MIN_ELF_SIZE) {
      files.push(node);
    }
  }
  files.sort((a, b) => a.contentLayer - b.contentLayer || a.contentOffset - b.contentOffset);
  return files;
}

/**
 * Reads in flight at once: a batch's reads are issued together (a Node file
 * handle serves them from several threads; the browser's kept layers serve
 * them in turn) and the loop yields between batches.
 */
const BATCH = 64;

async function inspectOne(rootfs: Rootfs, node: FileNode, scan: ElfScan): Promise<void> {
  const sniffed = await readNode(rootfs, node, 0, SNIFF);
  if (!isElf(sniffed)) return;
  const head = node.size > SNIFF ? await readNode(rootfs, node, 0, FIRST_PAGE) : sniffed;
  const read = (offset: number, length: number): Promise<Uint8Array> | Uint8Array =>
    offset + length <= head.length ? head.subarray(offset, offset + length) : readNode(rootfs, node, offset, length);
  try {
    scan.elves.push({ path: node.path, layer: node.layer, size: node.size, details: await inspectElf(read) });
  } catch (error) {
    if (isAbortError(error)) throw error;
    scan.unreadable.push({ path: node.path, message: error instanceof Error ? error.message : String(error) });
  }
}

/** Scans the rootfs for ELF files. `signal` stops it between batches of files. */
export async function scanElves(rootfs: Rootfs, signal?: AbortSignal): Promise<ElfScan> {
  const scan: ElfScan = { elves: [], unreadable: [], filesChecked: 0 };
  const files = regularFiles(rootfs.root);
  for (let start = 0; start < files.length; start += BATCH) {
    if (signal?.aborted) throw new DOMException('The operation was aborted.', 'AbortError');
    const batch = files.slice(start, start + BATCH);
    await Promise.all(batch.map((node) => inspectOne(rootfs, node, scan)));
    scan.filesChecked += batch.length;
  }
  scan.elves.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  scan.unreadable.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return scan;
}
