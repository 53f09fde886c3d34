/**
 * A uniform view of "files by path" over an archive's members or a dropped
 * folder, so each format reader (docker-archive, OCI layout) is written once.
 * Links between archive members (skopeo's `<id>/layer.tar` symlinks, hard
 * links in re-tarred layouts) are resolved here, inside the archive only.
 */
import { InspectError, InspectErrorCode } from '../core/errors';
import type { BlobLocation } from '../core/image/model';
import type { BlobResult, EntryType } from '../core/types';

/** One file of the table. */
export interface TableFile {
  /** Clean relative path (`blobs/sha256/ab…`), no leading `./`. */
  path: string;
  type: EntryType;
  /** Content size in bytes. */
  size: number;
  /** For links: the cleaned path of the target inside the table. */
  linkTarget: string | null;
  /** The bytes (a slice of the archive, or the dropped File). Null for directories and links. */
  blob: Blob | null;
  /** Set when a streaming scan (gzipped archive) already inspected this member's bytes. */
  scanned?: BlobResult;
}

/** JSON documents larger than this are refused rather than read into memory. */
export const maxDocumentBytes = 32 * 1024 * 1024;

/** Files by path, with link resolution. */
export class FileTable {
  readonly #files = new Map<string, TableFile>();

  constructor(files: Iterable<TableFile>) {
    for (const file of files) this.#files.set(file.path, file);
  }

  /** Every path, in archive order. */
  paths(): string[] {
    return [...this.#files.keys()];
  }

  get size(): number {
    return this.#files.size;
  }

  /** The file at `path` after following links, or undefined. */
  resolve(path: string): TableFile | undefined {
    let current = this.#files.get(path);
    for (let hops = 0; current && current.type !== 'file' && hops < 16; hops++) {
      if (!current.linkTarget) return current.type === 'dir' ? current : undefined;
      current = this.#files.get(current.linkTarget);
    }
    return current?.type === 'file' ? current : undefined;
  }

  has(path: string): boolean {
    return this.resolve(path) !== undefined;
  }

  /** The bytes of the file at `path`, or null when absent. */
  blob(path: string): Blob | null {
    return this.resolve(path)?.blob ?? null;
  }

  /** Where the pipeline reads the file at `path`, or null when absent. */
  location(path: string): BlobLocation | null {
    const file = this.resolve(path);
    if (file?.scanned) {
      return file.blob
        ? { kind: 'scanned', result: file.scanned, path, blob: file.blob }
        : { kind: 'scanned', result: file.scanned, path };
    }
    return file?.blob ? { kind: 'blob', blob: file.blob, path } : null;
  }

  /** Reads a (small) file as UTF-8 text; throws MissingMetadata / TooLarge naming the path. */
  async text(path: string): Promise<string> {
    const file = this.resolve(path);
    if (!file?.blob) {
      throw new InspectError(InspectErrorCode.MissingMetadata, `${path} is missing`, path);
    }
    if (file.size > maxDocumentBytes) {
      throw new InspectError(
        InspectErrorCode.TooLarge,
        `${path} is ${file.size} bytes, too large for a JSON document`,
        path,
      );
    }
    return new TextDecoder().decode(await file.blob.arrayBuffer());
  }
}

/** Cleans a member or folder path: drops `./` and leading `/`, collapses `//` and `.`. */
export function cleanTablePath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

/** Resolves a symlink target relative to the link's own directory, staying inside the table. */
export function resolveLinkTarget(linkPath: string, target: string): string {
  if (target.startsWith('/')) return cleanTablePath(target);
  const directory = linkPath.split('/').slice(0, -1).join('/');
  return cleanTablePath(directory ? `${directory}/${target}` : target);
}
