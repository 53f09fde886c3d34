/**
 * Small tars built in memory for tests and fuzz targets, with the project's
 * pax writer (src/core/tar/writer.ts, itself checked against GNU tar): image
 * archives of any shape without touching the disk.
 */
import { concatBytes } from './craft-tar';
import { END_OF_ARCHIVE, paddingFor, tarHeader, type TarHeaderFields } from '../../src/core/tar/writer';

/** One member: `content` for files, `linkTarget` for links. */
export interface MemoryMember {
  path: string;
  type?: TarHeaderFields['type'];
  content?: Uint8Array | string;
  linkTarget?: string;
}

/** The bytes of a tar holding `members` in order, end-of-archive marker included. */
export function memoryTar(members: readonly MemoryMember[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const member of members) {
    const type = member.type ?? 'file';
    const content =
      typeof member.content === 'string' ? new TextEncoder().encode(member.content) : (member.content ?? new Uint8Array(0));
    const size = type === 'file' ? content.length : 0;
    parts.push(
      tarHeader({ path: member.path, type, size, mode: type === 'dir' ? 0o755 : 0o644, uid: 0, gid: 0, mtime: 0, linkTarget: member.linkTarget ?? null }),
    );
    if (size > 0) parts.push(content, paddingFor(size));
  }
  parts.push(END_OF_ARCHIVE);
  return concatBytes(...parts);
}
