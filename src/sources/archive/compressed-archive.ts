/**
 * Gzipped (or zstd) image archives (`docker save | gzip`) cannot be read at
 * random, so they are read in one streaming pass: the outer tar is walked as
 * it inflates; small members (manifests, configs) are kept, and every large
 * member streams straight into its own blob inspector (digest, inflate,
 * DiffID, entries) without being stored. Runs in a worker.
 *
 * What the archive is follows from all of its member names (archive-kind.ts),
 * known only at the end of the pass: go-containerregistry and `docker save`
 * write `manifest.json` last. Until a marker member has gone by, large
 * members are inspected only when their names are the ones image archives
 * give their blobs, so that a compressed plain layer costs one inflate and
 * no hashing; the rare archive whose blobs go by under other names before its
 * marker is scanned again with `inspectEveryMember`.
 */
import { sniffCompression } from '../../core/codec/compression';
import { createNativeGunzip, inputPieces, type DataHandler, type StreamDecoder } from '../../core/codec/gzip';
import { toErrorInfo, type InspectErrorInfo } from '../../core/errors';
import { TarWalker } from '../../core/tar/walker';
import type { BlobResult, Compression, EntryType, TarEntry } from '../../core/types';
import { createZstdDecoder } from '../../core/codec/zstd';
import { cleanTablePath, FileTable, resolveLinkTarget, type TableFile } from '../file-table';
import { isArchiveMarker, looksLikeImageMember } from './archive-kind';

/** A member seen by the scan: its bytes when small, its inspection when large. */
export interface ScannedMember {
  path: string;
  type: EntryType;
  size: number;
  /** Raw link target as stored (symlinks) or the target member (hard links). */
  linkTarget: string | null;
  bytes: Uint8Array<ArrayBuffer> | null;
  result: BlobResult | null;
  /** The member's stored bytes kept on disk by the sink (so files can be read later), or null. */
  spooled: Blob | null;
  /** True for a large member that was neither kept nor inspected (see `ScanOptions`). */
  skipped: boolean;
}

/** How a scan treats the large members it meets before any image-archive marker. */
export interface ScanOptions {
  /** Inspect every large member, whatever its name (the second pass over an unusual archive). */
  inspectEveryMember?: boolean;
}

/** The members of a compressed archive, and the problem that ended the scan early, if any. */
export interface ScanOutcome {
  members: ScannedMember[];
  error: InspectErrorInfo | null;
}

/** Consumes one member's bytes: a blob inspector, possibly keeping a copy on disk. */
export interface MemberSink {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<BlobResult>;
  /** The bytes written, kept on disk, once closed; null when they could not be kept. */
  spooled?(): Promise<Blob | null>;
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
 * Walks a decompressed outer tar pushed to it chunk by chunk, keeping small
 * members and streaming large ones through sinks made by `createSink`.
 */
export class TarStreamScanner {
  readonly #members: ScannedMember[] = [];
  readonly #discovered: TarEntry[] = [];
  readonly #active: ActiveMember[] = [];
  readonly #walker = new TarWalker({ onEntry: (entry) => this.#discovered.push(entry) });
  readonly #createSink: (path: string) => Promise<MemberSink>;
  #keptTotal = 0;
  #position = 0;
  #error: InspectErrorInfo | null = null;
  /** A member that makes the tar an image archive has gone by (or every member is wanted). */
  #markerSeen: boolean;

  constructor(createSink: (path: string) => Promise<MemberSink>, options: ScanOptions = {}) {
    this.#createSink = createSink;
    this.#markerSeen = options.inspectEveryMember === true;
  }

  /** Decompressed bytes consumed so far. */
  get position(): number {
    return this.#position;
  }

  /** Feeds the next decompressed bytes. After a problem, further input is ignored. */
  async write(chunk: Uint8Array): Promise<void> {
    if (this.#error) return;
    try {
      this.#walker.push(chunk);
      for (const entry of this.#discovered.splice(0)) await this.#begin(entry);
      await feedActive(this.#active, chunk, this.#position);
      this.#position += chunk.length;
    } catch (error) {
      await this.#fail(error);
    }
  }

  /** Ends the scan; `problem` is an error met upstream (truncated or corrupt compression). */
  async close(problem: unknown = null): Promise<ScanOutcome> {
    if (problem !== null) await this.#fail(problem);
    if (!this.#error) {
      try {
        this.#walker.finish();
        if (this.#active.length > 0) throw new Error('the archive ends inside a member');
      } catch (error) {
        await this.#fail(error);
      }
    }
    // A tar without any marker is a plain layer: its kept members are of no use to anyone.
    if (!this.#markerSeen) for (const member of this.#members) member.bytes = null;
    return { members: this.#members, error: this.#error };
  }

  async #begin(entry: TarEntry): Promise<void> {
    const member: ScannedMember = {
      path: entry.path,
      type: entry.type,
      size: entry.size,
      linkTarget: entry.linkTarget,
      bytes: null,
      result: null,
      spooled: null,
      skipped: false,
    };
    this.#members.push(member);
    const path = cleanTablePath(entry.path);
    if (isArchiveMarker(path)) this.#markerSeen = true;
    if (entry.type !== 'file') return;
    const keep = entry.size <= keptMemberBytes && this.#keptTotal + entry.size <= keptTotalBytes;
    if (!keep && !this.#markerSeen && !looksLikeImageMember(path)) {
      member.skipped = true;
      return;
    }
    if (keep) {
      this.#keptTotal += entry.size;
      member.bytes = new Uint8Array(entry.size);
    }
    const item: ActiveMember = {
      member,
      start: entry.offset,
      end: entry.offset + entry.size,
      filled: 0,
      sink: keep ? null : await this.#createSink(entry.path),
    };
    this.#active.push(item);
  }

  async #fail(error: unknown): Promise<void> {
    if (this.#error) return;
    this.#error = toErrorInfo(error);
    await Promise.all(this.#active.splice(0).map((item) => finishMember(item)));
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
  if (item.sink) {
    item.member.result = await item.sink.close();
    if (item.filled === item.member.size) item.member.spooled = (await item.sink.spooled?.()) ?? null;
  } else if (item.filled < item.member.size) {
    item.member.bytes = null;
  }
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
      blob: member.bytes ? new Blob([member.bytes]) : member.spooled,
    };
    if (member.result) file.scanned = member.result;
    return file;
  });
  return new FileTable(files);
}

/** Picks the push-style decoder for a compressed outer archive. */
function outerDecoder(compression: Compression, onData: DataHandler): StreamDecoder {
  return compression === 'zstd' ? createZstdDecoder(onData) : createNativeGunzip(onData);
}

/**
 * Decompresses `stream` and feeds the scanner, waiting for each decompressed
 * piece to be consumed before reading on (backpressure keeps memory flat).
 */
export async function scanCompressedStream(
  stream: ReadableStream<Uint8Array>,
  scanner: TarStreamScanner,
  onProgress?: (storedBytesRead: number, uncompressedBytes: number) => void,
): Promise<ScanOutcome> {
  const reader = stream.getReader();
  const pending: Uint8Array[] = [];
  let decoder: StreamDecoder | null = null;
  let read = 0;
  const drain = async (): Promise<void> => {
    for (const piece of pending.splice(0)) await scanner.write(piece);
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      read += value.length;
      decoder ??= outerDecoder(sniffCompression(value), (piece) => pending.push(piece.slice()));
      for (const piece of inputPieces(value)) {
        await decoder.push(piece);
        await drain();
      }
      onProgress?.(read, scanner.position);
    }
    await decoder?.finish();
    await drain();
    return await scanner.close();
  } catch (error) {
    decoder?.cancel?.();
    await drain();
    return scanner.close(error);
  } finally {
    reader.releaseLock();
  }
}

/** The first `length` bytes of the decompressed `stream` (fewer if it is shorter). */
export async function peekDecompressedStream(stream: ReadableStream<Uint8Array>, length: number): Promise<Uint8Array> {
  const reader = stream.getReader();
  const output = new Uint8Array(length);
  let filled = 0;
  let decoder: StreamDecoder | null = null;
  const onData = (piece: Uint8Array): void => {
    const take = Math.min(piece.length, length - filled);
    output.set(piece.subarray(0, take), filled);
    filled += take;
  };
  try {
    while (filled < length) {
      const { done, value } = await reader.read();
      if (done) {
        await decoder?.finish();
        break;
      }
      decoder ??= outerDecoder(sniffCompression(value), onData);
      for (const piece of inputPieces(value.subarray(0, 64 * 1024))) {
        if (filled < length) await decoder.push(piece);
      }
    }
  } catch {
    // A stream too short or corrupt to peek is judged by the full pass that follows.
  } finally {
    // The peek stops early: the decoder's buffers (zstd's live outside the JS heap) are released.
    decoder?.cancel?.();
    await reader.cancel().catch(() => undefined);
  }
  return output.subarray(0, filled);
}
