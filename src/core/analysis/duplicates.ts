/**
 * Duplicates: regular files with identical content stored more than once,
 * at different paths or in different layers (a `COPY` repeated in two
 * stages, a `chmod` in a later `RUN` that stores the whole file again, one
 * library vendored twice). Each group costs every copy but one. Hard links
 * are not copies: their members store no bytes.
 *
 * Content identity is the sha256 of the bytes, read lazily from the layers
 * after the first pass, and only for candidates: files that share their size
 * with another stored file (empty files excluded). Computing a hash for
 * every member during the first pass instead would cost that pass a second
 * full hash of every uncompressed byte (the DiffID is the first), while most
 * sizes are unique: bench/duplicates.mjs measures both.
 */
import { createSHA256, type IHasher } from 'hash-wasm';
import type { LayeredFilesystem } from '../fs/filesystem';
import { keptContents } from '../fs/wasted-space';
import type { ReadLayerBytes } from './rootfs';

/** One stored copy of a duplicated content. */
export interface DuplicateCopy {
  /** Absolute path of the member that stores it. */
  path: string;
  layer: number;
  /** True when the merged filesystem after the last layer still shows this copy. */
  visible: boolean;
}

/** Files with one content. */
export interface DuplicateGroup {
  /** `sha256:<hex>` of the content. */
  digest: string;
  size: number;
  /** In layer and tar order. */
  copies: DuplicateCopy[];
  /** (copies − 1) × size: what storing it once would save. */
  wastedBytes: number;
}

/** report.json `images[].duplicates`. */
export interface Duplicates {
  /** Groups of two or more copies (also those beyond `groups`). */
  groupCount: number;
  /** Σ of every group's wastedBytes. */
  wastedBytes: number;
  /** Candidates hashed (files sharing their size with another), and their bytes. */
  hashedFiles: number;
  hashedBytes: number;
  /** The groups that cost most, most first (at most `limit`). */
  groups: DuplicateGroup[];
}

/** Options of {@link findDuplicates}. */
export interface DuplicateOptions {
  /** Groups listed (default 50). */
  limit?: number;
  signal?: AbortSignal;
}

/** Bytes hashed per read: big files are read in pieces. */
const READ_PIECE = 4 * 1024 * 1024;

/**
 * Neighbouring small candidates are read in one window: most candidates are
 * small files that share their size (a distribution image's thousands of
 * short text files), and one read per file would cost more than the hashing.
 * A window spans at most READ_PIECE and skips at most WINDOW_GAP bytes of
 * other members between two candidates.
 */
const WINDOW_GAP = 64 * 1024;

interface Member {
  layer: number;
  offset: number;
  size: number;
  path: string;
}

/** Members whose size another member shares, in layer and offset order (sequential reads). */
function sizeCandidates(filesystem: LayeredFilesystem): Member[] {
  const bySize = new Map<number, Member[]>();
  for (let layer = 0; layer < filesystem.layerCount; layer += 1) {
    for (const entry of filesystem.layerEntries(layer)) {
      if (entry.type !== 'file' || entry.whiteout !== null || entry.size === 0) continue;
      const member = { layer, offset: entry.offset, size: entry.size, path: `/${entry.path}` };
      const same = bySize.get(entry.size);
      if (same) same.push(member);
      else bySize.set(entry.size, [member]);
    }
  }
  const out: Member[] = [];
  for (const members of bySize.values()) if (members.length > 1) out.push(...members);
  return out.sort((a, b) => a.layer - b.layer || a.offset - b.offset);
}

async function hashMember(hasher: IHasher, read: ReadLayerBytes, member: Member, signal?: AbortSignal): Promise<string> {
  hasher.init();
  for (let done = 0; done < member.size; done += READ_PIECE) {
    signal?.throwIfAborted();
    hasher.update(await read(member.layer, member.offset + done, Math.min(READ_PIECE, member.size - done)));
  }
  return `sha256:${hasher.digest('hex')}`;
}

/** Candidates in runs that one read covers (see WINDOW_GAP); a big file is a run of its own. */
function windows(members: readonly Member[]): Member[][] {
  const runs: Member[][] = [];
  let run: Member[] = [];
  for (const member of members) {
    const first = run[0];
    const last = run[run.length - 1];
    const fits =
      first !== undefined &&
      member.layer === first.layer &&
      member.offset - (last.offset + last.size) <= WINDOW_GAP &&
      member.offset + member.size - first.offset <= READ_PIECE;
    if (!fits && run.length > 0) {
      runs.push(run);
      run = [];
    }
    run.push(member);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/** The digest of every member of a run, in order. */
async function hashRun(hasher: IHasher, read: ReadLayerBytes, run: readonly Member[], signal?: AbortSignal): Promise<string[]> {
  if (run.length === 1) return [await hashMember(hasher, read, run[0], signal)];
  signal?.throwIfAborted();
  const start = run[0].offset;
  const last = run[run.length - 1];
  const window = await read(run[0].layer, start, last.offset + last.size - start);
  return run.map((member) => {
    hasher.init();
    hasher.update(window.subarray(member.offset - start, member.offset - start + member.size));
    return `sha256:${hasher.digest('hex')}`;
  });
}

/** Finds the duplicated contents of an image's layers (see the file comment). */
export async function findDuplicates(
  filesystem: LayeredFilesystem,
  read: ReadLayerBytes,
  options: DuplicateOptions = {},
): Promise<Duplicates> {
  const candidates = sizeCandidates(filesystem);
  const kept = keptContents(filesystem.rootAfter(filesystem.layerCount - 1), filesystem.layerCount);
  const hasher = await createSHA256();
  const byContent = new Map<string, { size: number; copies: DuplicateCopy[] }>();
  let hashedBytes = 0;
  for (const run of windows(candidates)) {
    const digests = await hashRun(hasher, read, run, options.signal);
    run.forEach((member, index) => {
      hashedBytes += member.size;
      // The size is part of the key, so that a (theoretical) collision cannot merge two sizes.
      const key = `${member.size}:${digests[index]}`;
      const group = byContent.get(key) ?? { size: member.size, copies: [] };
      group.copies.push({ path: member.path, layer: member.layer, visible: kept[member.layer].has(member.offset) });
      byContent.set(key, group);
    });
  }
  const groups: DuplicateGroup[] = [];
  for (const [key, { size, copies }] of byContent) {
    if (copies.length < 2) continue;
    groups.push({ digest: key.slice(key.indexOf(':') + 1), size, copies, wastedBytes: (copies.length - 1) * size });
  }
  groups.sort((a, b) => b.wastedBytes - a.wastedBytes || (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
  return {
    groupCount: groups.length,
    wastedBytes: groups.reduce((sum, group) => sum + group.wastedBytes, 0),
    hashedFiles: candidates.length,
    hashedBytes,
    groups: groups.slice(0, options.limit ?? 50),
  };
}
