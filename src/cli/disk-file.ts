/**
 * A File backed by a byte range of a file on disk, for the sources (which
 * slice and read Files as the browser gives them). Unlike Node's own
 * `fs.openAsBlob`, its slices know where they are, so a layer worker thread
 * can be told `{path, start, end}` and read the bytes itself (Node 20 aborts
 * when a file-backed Blob crosses to a worker_thread).
 */
import { open, type FileHandle } from 'node:fs/promises';

/** Bytes per read of `stream()`: the 4–8 MiB slices the page reads too. */
const STREAM_PIECE = 4 * 1024 * 1024;

/** Open handles by path: the sources read many small windows (tar headers) of one archive. */
const handles = new Map<string, Promise<FileHandle>>();

function handleOf(path: string): Promise<FileHandle> {
  let handle = handles.get(path);
  if (handle === undefined) {
    handle = open(path, 'r');
    handles.set(path, handle);
  }
  return handle;
}

/** Closes every handle DiskFiles opened. */
export async function closeDiskFiles(): Promise<void> {
  const open = [...handles.values()];
  handles.clear();
  await Promise.all(open.map(async (handle) => (await handle).close()));
}

/** Reads `[start, end)` of the file at `path` (fewer bytes at its end). */
export async function readRange(path: string, start: number, end: number): Promise<Uint8Array<ArrayBuffer>> {
  const out = new Uint8Array(Math.max(0, end - start));
  const handle = await handleOf(path);
  let filled = 0;
  while (filled < out.length) {
    const { bytesRead } = await handle.read(out, filled, out.length - filled, start + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === out.length ? out : out.slice(0, filled);
}

function clamp(value: number, size: number): number {
  const index = value < 0 ? size + value : value;
  return Math.min(Math.max(0, index), size);
}

/** `[start, end)` of the file at `path`, as a File. */
export class DiskFile extends Blob {
  readonly path: string;
  readonly start: number;
  readonly end: number;
  readonly name: string;
  readonly lastModified = 0;
  readonly webkitRelativePath = '';

  constructor(path: string, name: string, start: number, end: number) {
    super([]);
    this.path = path;
    this.name = name;
    this.start = start;
    this.end = end;
  }

  override get size(): number {
    return this.end - this.start;
  }

  override get type(): string {
    return '';
  }

  override slice(start = 0, end = this.size): DiskFile {
    const from = clamp(start, this.size);
    const to = Math.max(from, clamp(end, this.size));
    return new DiskFile(this.path, this.name, this.start + from, this.start + to);
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    return (await this.bytes()).buffer;
  }

  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return readRange(this.path, this.start, this.end);
  }

  override async text(): Promise<string> {
    return new TextDecoder().decode(await this.bytes());
  }

  override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    let position = this.start;
    const end = this.end;
    const path = this.path;
    return new ReadableStream<Uint8Array<ArrayBuffer>>({
      async pull(controller) {
        if (position >= end) {
          controller.close();
          return;
        }
        const piece = await readRange(path, position, Math.min(end, position + STREAM_PIECE));
        position += piece.length;
        if (piece.length === 0) controller.close();
        else controller.enqueue(piece);
      },
    });
  }

  /** This range as the File type the sources take. */
  asFile(): File {
    return this as unknown as File;
  }
}
