/**
 * Random access over a tar File: the members are listed from their headers
 * alone (Blob.slice windows, docs/performance.md "Reading blobs"), then each member is a lazy
 * slice of the File. Nothing is read whole; a 2 GB archive lists in
 * milliseconds because member data is skipped, never read.
 */
import { toErrorInfo, type InspectErrorInfo } from '../../core/errors';
import { listTarMembers } from '../../core/tar/walker';
import { cleanTablePath, FileTable, resolveLinkTarget, type TableFile } from '../file-table';

/** The members of an archive as a FileTable, and the problem that stopped the listing, if any. */
export interface ArchiveListing {
  table: FileTable;
  /** Raw member names in archive order (for the report and the dispatcher's sniffing). */
  names: string[];
  error: InspectErrorInfo | null;
}

/** Reads `length` bytes at `offset` of `blob`. */
export async function readBlobRange(blob: Blob, offset: number, length: number): Promise<Uint8Array> {
  return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
}

/** Lists a tar archive by its headers and wraps its members in a FileTable. */
export async function listArchive(archive: Blob, name: string): Promise<ArchiveListing> {
  const listing = await listTarMembers(
    (offset, length) => readBlobRange(archive, offset, length),
    archive.size,
  );
  const files: TableFile[] = [];
  for (const member of listing.members) {
    const path = cleanTablePath(member.name);
    if (path === '') continue;
    let linkTarget: string | null = null;
    if (member.type === 'symlink' && member.linkTarget) {
      linkTarget = resolveLinkTarget(path, member.linkTarget);
    } else if (member.type === 'hardlink' && member.linkTarget) {
      linkTarget = cleanTablePath(member.linkTarget);
    }
    const blob =
      member.type === 'file'
        ? archive.slice(member.dataOffset, Math.min(member.dataOffset + member.size, archive.size))
        : null;
    files.push({ path, type: member.type, size: member.size, linkTarget, blob });
  }
  return {
    table: new FileTable(files),
    names: listing.members.map((member) => member.rawName),
    error: listing.error ? toErrorInfo(listing.error, name) : null,
  };
}

/** A dropped folder as a FileTable; paths are made relative to the folder that holds the layout. */
export function tableFromFolder(files: { path: string; file: Blob }[]): FileTable {
  const cleaned = files.map(({ path, file }) => ({ path: cleanTablePath(path), file }));
  const root = layoutRoot(cleaned.map((entry) => entry.path));
  return new FileTable(
    cleaned
      .filter((entry) => root === '' || entry.path.startsWith(`${root}/`))
      .map(({ path, file }) => ({
        path: root === '' ? path : path.slice(root.length + 1),
        type: 'file' as const,
        size: file.size,
        linkTarget: null,
        blob: file,
      })),
  );
}

/**
 * The folder that holds `oci-layout`/`index.json`/`manifest.json`: a picked
 * folder's paths start with its own name (webkitRelativePath), and people
 * sometimes pick the parent of the layout.
 */
function layoutRoot(paths: string[]): string {
  const markers = ['oci-layout', 'index.json', 'manifest.json'];
  const candidates = paths
    .filter((path) => markers.includes(path.split('/').pop() ?? ''))
    .map((path) => path.split('/').slice(0, -1).join('/'))
    .sort((a, b) => a.length - b.length);
  return candidates[0] ?? '';
}
