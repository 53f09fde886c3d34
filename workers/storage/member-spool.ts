/**
 * Keeps the large members of a gzipped archive on disk while the one
 * streaming pass inspects them, so that their files can be opened later
 * without inflating the whole archive again: each member is written to the
 * Origin Private File System through a sync handle (dedicated workers only)
 * and handed back as a disk-backed File. Where OPFS is missing or full, the
 * member is inspected all the same, only not kept.
 */
import { BlobInspector } from '../../src/core/blob-inspector';
import type { MemberSink } from '../../src/sources/archive/compressed-archive';
import { LayerKeeper } from './layer-store';
import { openSyncHandle, opfsAvailable, SequentialWriter } from './opfs';

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

  /** A sink that inspects a member and, where it can, keeps its bytes (and, compressed, its decompressed bytes). */
  async sink(): Promise<MemberSink> {
    const keeper = await LayerKeeper.start({ expectedDiffId: null, sourceDiffIds: null });
    const inspector = new BlobInspector({ keepEntries: true, onUncompressed: keeper?.write });
    const directory = await this.#directory;
    let file: FileSystemFileHandle | null = null;
    let writer: SequentialWriter | null = null;
    try {
      file = directory ? await directory.getFileHandle(`member-${this.#count++}`, { create: true }) : null;
      writer = file ? new SequentialWriter(await openSyncHandle(file)) : null;
    } catch {
      writer = null;
    }
    return {
      async write(chunk) {
        if (writer) {
          try {
            writer.write(chunk);
          } catch {
            writer.handle.close();
            writer = null;
            file = null;
          }
        }
        await inspector.write(chunk);
      },
      async close() {
        writer?.finish();
        writer?.handle.close();
        writer = null;
        const result = await inspector.close();
        await keeper?.finish(result);
        return result;
      },
      async spooled() {
        return file ? file.getFile() : null;
      },
    };
  }
}
