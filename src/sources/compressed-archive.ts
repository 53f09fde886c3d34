/**
 * Gzipped (or zstd) image archives (`docker save | gzip`) cannot be read at
 * random, so they are read in one streaming pass: the outer tar is walked as
 * it inflates; small members (manifests, configs) are kept, and every large
 * member streams straight into its own blob inspector (digest, inflate,
 * DiffID, entries) without being stored. Runs in a worker.
 */
import { toErrorInfo, type InspectErrorInfo } from '../core/errors';
import { TarWalker } from '../core/tar';
import type { BlobResult, EntryType, TarEntry } from '../core/types';
import { cleanTablePath, FileTable, resolveLinkTarget, type TableFile } from './file-table';

/** A member seen by the scan: its bytes when small, its inspection when large. */
export interface ScannedMember {
  path: string;
  type: EntryType;
  size: number;
  /** Raw link target as stored (symlinks) or the target member (hard links). */
  linkTarget: string | null;
  bytes: Uint8Array | null;
  result: BlobResult | null;
}

/** The members of a compressed archive, and the problem that ended the scan early, if any. */
export interface ScanOutcome {
  members: ScannedMember[];
  error: InspectErrorInfo | null;
}

/** Consumes one member's bytes: a blob inspector. */
export interface MemberSink {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<BlobResult>;
}

/** Members up to this size are kept in memory (manifests, configs, small blobs). */
export const keptMemberBytes = 1024 * 1024;
/** Bound on all kept members together, so that a hostile archive cannot exhaust memory. */
export const keptTotalBytes = 64 * 1024 * 1024;

interface ActiveMember {
  member: ScannedMember;
  start: number;
  end: number;
  filled: number;
  sink: MemberSink | null;
}

/**
 * Walks the decompressed outer tar in `stream`, keeping small members and
 * streaming large ones through sinks made by `createSink`.
 */
export async function scanTarStream(
  stream: ReadableStream<Uint8Array>,
  createSink: (path: string) => Promise<MemberSink>,
  onProgress?: (uncompressedBytes: number) => void,
): Promise<ScanOutcome> {
  const members: ScannedMember[] = [];
  const discovered: TarEntry[] = [];
  const active: ActiveMember[] = [];
  let keptTotal = 0;
  const walker = new TarWalker({ onEntry: (entry) => discovered.push(entry) });
  const reader = stream.getReader();
  let position = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      walker.push(value);
      for (const entry of discovered.splice(0)) {
        const member: ScannedMember = {
          path: entry.path,
          type: entry.type,
          size: entry.size,
          linkTarget: entry.linkTarget,
          bytes: null,
          result: null,
        };
        members.push(member);
        if (entry.type !== 'file') continue;
        const keep = entry.size <= keptMemberBytes && keptTotal + entry.size <= keptTotalBytes;
        if (keep) {
          keptTotal += entry.size;
          member.bytes = new Uint8Array(entry.size);
        }
        active.push({
          member,
          start: entry.offset,
          end: entry.offset + entry.size,
          filled: 0,
          sink: keep ? null : await createSink(entry.path),
        });
      }
      await feedActive(active, value, position);
      position += value.length;
      onProgress?.(position);
    }
    walker.finish();
    return { members, error: null };
  } catch (error) {
    await Promise.all(active.map((item) => finishMember(item)));
    return { members, error: toErrorInfo(error) };
  } finally {
    reader.releaseLock();
  }
}

async function feedActive(active: ActiveMember[], chunk: Uint8Array, chunkStart: number): Promise<void> {
  const chunkEnd = chunkStart + chunk.length;
  while (active.length > 0) {
    const item = active[0];
    const from = Math.max(item.start + item.filled, chunkStart);
    const to = Math.min(item.end, chunkEnd);
    if (to > from) {
      const part = chunk.subarray(from - chunkStart, to - chunkStart);
      if (item.sink) await item.sink.write(part);
      else item.member.bytes?.set(part, item.filled);
      item.filled += part.length;
    }
    if (item.start + item.filled < item.end) return;
    active.shift();
    await finishMember(item);
  }
}

async function finishMember(item: ActiveMember): Promise<void> {
  if (item.sink) item.member.result = await item.sink.close();
  else if (item.filled < item.member.size) item.member.bytes = null;
}

/** A FileTable over scanned members, for the docker-archive and OCI readers. */
export function tableFromScan(scan: ScanOutcome): FileTable {
  const files: TableFile[] = scan.members.map((member) => {
    const path = cleanTablePath(member.path);
    let linkTarget: string | null = null;
    if (member.type === 'symlink' && member.linkTarget) linkTarget = resolveLinkTarget(path, member.linkTarget);
    if (member.type === 'hardlink' && member.linkTarget) linkTarget = cleanTablePath(member.linkTarget);
    const file: TableFile = {
      path,
      type: member.type,
      size: member.size,
      linkTarget,
      blob: member.bytes ? new Blob([member.bytes]) : null,
    };
    if (member.result) file.scanned = member.result;
    return file;
  });
  return new FileTable(files);
}
