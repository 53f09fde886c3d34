/**
 * Turns what the person dropped or picked into files with their paths inside
 * the dropped folder. Folders arrive as `FileSystemDirectoryEntry`
 * (https://wicg.github.io/entries-api/), walked recursively; picked folders
 * (`webkitdirectory`) carry `webkitRelativePath` instead.
 */
import type { SourceInput } from '../sources/index';

/** A file and its `/`-separated path relative to the dropped folder. */
export interface PathedFile {
  path: string;
  file: File;
}

/** What was dropped: plain files, or one folder's contents. */
export type DroppedItems =
  | { kind: 'files'; files: File[] }
  | { kind: 'folder'; name: string; files: PathedFile[] };

function readAllEntries(directory: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = directory.createReader();
  const all: FileSystemEntry[] = [];
  // readEntries returns at most ~100 entries per call; call until it returns none.
  return new Promise((resolve, reject) => {
    const next = (): void =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(all);
        else {
          all.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function walk(entry: FileSystemEntry, prefix: string, out: PathedFile[]): Promise<void> {
  if (entry.isFile) {
    out.push({ path: `${prefix}${entry.name}`, file: await fileOf(entry as FileSystemFileEntry) });
  } else if (entry.isDirectory) {
    for (const child of await readAllEntries(entry as FileSystemDirectoryEntry)) {
      await walk(child, `${prefix}${entry.name}/`, out);
    }
  }
}

/** Strips the first path component (the folder's own name) from every path. */
function relativeToFolder(files: PathedFile[], name: string): PathedFile[] {
  const prefix = `${name}/`;
  return files.map(({ path, file }) => ({
    path: path.startsWith(prefix) ? path.slice(prefix.length) : path,
    file,
  }));
}

/**
 * Reads a drop. Must be called synchronously in the `drop` handler: the
 * DataTransfer items are only readable during the event, so the entries are
 * taken first and walked afterwards.
 */
export function readDataTransfer(transfer: DataTransfer): Promise<DroppedItems> {
  const entries: FileSystemEntry[] = [];
  for (const item of Array.from(transfer.items)) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry();
    if (entry) entries.push(entry);
  }
  const fallback = Array.from(transfer.files);
  return (async () => {
    const folder = entries.find((entry) => entry.isDirectory);
    if (folder) {
      const files: PathedFile[] = [];
      await walk(folder, '', files);
      return { kind: 'folder', name: folder.name, files: relativeToFolder(files, folder.name) };
    }
    if (entries.length > 0) {
      const files = await Promise.all(entries.map((entry) => fileOf(entry as FileSystemFileEntry)));
      return { kind: 'files', files };
    }
    return { kind: 'files', files: fallback };
  })();
}

/** Reads the files of an `<input webkitdirectory>` into one folder. */
export function folderFromInput(list: FileList): DroppedItems | null {
  const files = Array.from(list);
  if (files.length === 0) return null;
  const name = files[0].webkitRelativePath.split('/')[0] || 'folder';
  const pathed = files.map((file) => ({ path: file.webkitRelativePath || file.name, file }));
  return { kind: 'folder', name, files: relativeToFolder(pathed, name) };
}

/**
 * The source input for what was dropped or picked: one file as itself, a
 * folder as a folder, and several loose files (an OCI layout's files picked
 * together) as one folder named after their count. Null when nothing came.
 */
export function inputFromItems(items: DroppedItems): SourceInput | null {
  if (items.kind === 'folder') return { kind: 'folder', name: items.name, files: items.files };
  if (items.files.length === 0) return null;
  if (items.files.length === 1) return { kind: 'file', file: items.files[0] };
  const files = items.files.map((file) => ({ path: file.name, file }));
  return { kind: 'folder', name: `${items.files.length} files`, files };
}
