/**
 * Keeps the large members of a gzipped archive on disk while the one
 * streaming pass inspects them, so that their files can be opened later
 * without inflating the whole archive again: each member is written to the
 * Origin Private File System through a sync handle (dedicated workers only)
 * and handed back as a disk-backed File. Where OPFS is missing or full, the
 * member is inspected all the same, only not kept.
 */
import { BlobInspector } from '../src/core/blob-inspector';
import type { MemberSink } from '../src/sources/compressed-archive';
import { openSyncHandle, opfsAvailable, writeAll, type SyncAccessHandle } from './opfs';

const spoolDirectoryName = 'tarsier-archive-members';

/** Creates the sinks of one scan; `clear` forgets the members of earlier scans. */
export class MemberSpool {
  #directory: Promise<FileSystemDirectoryHandle | null>;
  #count = 0;

  constructor() {
    this.#directory = opfsAvailable() ? this.#freshDirectory().catch(() => null) : Promise.resolve(null);
  }

  async #freshDirectory(): Promise<FileSystemDirectoryHandle> {
    const root = await navigator.storage.getDirectory();
    await root.removeEntry(spoolDirectoryName, { recursive: true }).catch(() => undefined);
    return root.getDirectoryHandle(spoolDirectoryName, { create: true });
  }

  /** A sink that inspects a member and, where it can, keeps its bytes. */
  async sink(): Promise<MemberSink> {
    const inspector = new BlobInspector({ keepEntries: true });
    const directory = await this.#directory;
    let file: FileSystemFileHandle | null = null;
    let handle: SyncAccessHandle | null = null;
    try {
      file = directory ? await directory.getFileHandle(`member-${this.#count++}`, { create: true }) : null;
      handle = file ? await openSyncHandle(file) : null;
    } catch {
      handle = null;
    }
    let position = 0;
    return {
      async write(chunk) {
        if (handle) {
          try {
            writeAll(handle, chunk, position);
            position += chunk.length;
          } catch {
            handle.close();
            handle = null;
            file = null;
          }
        }
        await inspector.write(chunk);
      },
      async close() {
        handle?.flush();
        handle?.close();
        handle = null;
        return inspector.close();
      },
      async spooled() {
        return file ? file.getFile() : null;
      },
    };
  }
}
