/**
 * Streaming tar walker: reads member headers from an uncompressed layer
 * stream pushed in chunks of any size, and skips member data without
 * buffering it. Only header blocks and PAX/GNU long-name payloads (≤ 1 MiB)
 * are kept, so memory stays flat however big the layer is.
 *
 * Formats and rules: see header.ts and meta.ts (POSIX ustar/pax,
 * GNU, v7) and ../fs/whiteout.ts (name cleaning, OCI whiteouts). Members are counted as
 * `tar -t` lists them: PAX (`x`, `g`) and GNU (`L`, `K`) records are not members.
 */
import { InspectError, InspectErrorCode } from '../errors';
import {
  TAR_BLOCK_SIZE,
  checkMetaSize,
  decodeRawHeader,
  isMetaTypeFlag,
  isZeroBlock,
  paddedSize,
  readSparseExtension,
  type RawTarHeader,
} from './header';
import { memberProblemError, PendingMeta, type ResolvedTarHeader } from './meta';
import { displayTarText } from './text';
import { cleanPath, isUnsafePath, whiteoutTarget } from '../fs/whiteout';
import type { TarEntry } from '../types';

export { looksLikeTar } from './header';
export { listTarMembers, type TarMember, type TarListing, type ListTarOptions } from './list';

/** Options of a TarWalker. */
export interface TarWalkerOptions {
  /** Called for every member, in archive order. */
  onEntry?(entry: TarEntry): void;
  /** Keep every entry in `entries` (off by default: a big layer has 100k+ members). */
  keepEntries?: boolean;
}

type WalkerState = 'header' | 'sparse' | 'meta' | 'data' | 'end';

/** Turns a resolved header into the TarEntry vocabulary. */
function entryFromHeader(header: ResolvedTarHeader, offset: number): TarEntry {
  const path = cleanPath(header.name);
  const entry: TarEntry = {
    path,
    type: header.type,
    size: header.type === 'file' ? header.contentSize : 0,
    mode: header.mode,
    uid: header.uid,
    gid: header.gid,
    mtime: header.mtime,
    linkTarget: null,
    offset,
    whiteout: whiteoutTarget(path)?.kind ?? null,
  };
  if (header.name !== path) entry.rawPath = header.name;
  let unsafe = isUnsafePath(header.name);
  if (header.type === 'symlink') {
    entry.linkTarget = header.linkName;
  } else if (header.type === 'hardlink') {
    // A hard link names another member of the same archive, so it is cleaned like a member name.
    entry.linkTarget = cleanPath(header.linkName);
    unsafe ||= isUnsafePath(header.linkName);
  }
  if (unsafe) entry.unsafe = true;
  if (header.uname !== '') entry.uname = header.uname;
  if (header.gname !== '') entry.gname = header.gname;
  if (header.device !== null) {
    entry.devMajor = header.device.major;
    entry.devMinor = header.device.minor;
  }
  if (header.xattrs !== null) entry.xattrs = header.xattrs;
  if (header.mtimeNanoseconds !== 0) entry.mtimeNanoseconds = header.mtimeNanoseconds;
  return entry;
}

/** Push-style tar header walker (fflate's push/ondata shape). */
export class TarWalker {
  /** Members seen so far (as `tar -t` counts them). */
  entryCount = 0;
  /** Members whose name is a whiteout or an opaque marker. */
  whiteoutCount = 0;
  /** Every member, when `keepEntries` is set; otherwise empty. */
  readonly entries: TarEntry[] = [];

  readonly #onEntry: ((entry: TarEntry) => void) | undefined;
  readonly #keepEntries: boolean;
  #state: WalkerState = 'header';
  /** Offset in the stream of the next byte pushed. */
  #position = 0;
  readonly #headerBlock = new Uint8Array(TAR_BLOCK_SIZE);
  #headerFill = 0;
  /** Bytes of member data and padding still to skip. */
  #skip = 0;
  #metaHeader: RawTarHeader | null = null;
  #metaPayload = new Uint8Array(0);
  #metaFill = 0;
  readonly #pending = new PendingMeta();
  /** The first member problem GNU tar reads past; thrown by `finish`. */
  #problem: InspectError | null = null;
  /** True once one valid header (or an end marker) was read: the stream is a tar. */
  #recognised = false;
  /** Name of the member (or record) whose data is being read, for Truncated messages. */
  #currentName = '';
  /** An old GNU sparse member waiting for its extension blocks to end. */
  #sparseHeader: ResolvedTarHeader | null = null;

  constructor(options: TarWalkerOptions = {}) {
    this.#onEntry = options.onEntry;
    this.#keepEntries = options.keepEntries ?? false;
  }

  /** True once a valid header or an end-of-archive block has been read. */
  get recognised(): boolean {
    return this.#recognised;
  }

  /** Bytes pushed so far. */
  get position(): number {
    return this.#position;
  }

  /** Feeds the next bytes of the stream; throws InspectError BadTar on a malformed header. */
  push(chunk: Uint8Array): void {
    let pos = 0;
    while (pos < chunk.length) {
      const available = chunk.length - pos;
      switch (this.#state) {
        case 'end':
          this.#position += available;
          return;
        case 'data': {
          const step = Math.min(this.#skip, available);
          this.#skip -= step;
          pos += step;
          this.#position += step;
          if (this.#skip === 0) this.#state = 'header';
          break;
        }
        case 'meta': {
          const step = Math.min(this.#metaPayload.length - this.#metaFill, available);
          this.#metaPayload.set(chunk.subarray(pos, pos + step), this.#metaFill);
          this.#metaFill += step;
          pos += step;
          this.#position += step;
          if (this.#metaFill === this.#metaPayload.length) this.#finishMeta();
          break;
        }
        case 'header':
        case 'sparse': {
          if (this.#headerFill === 0 && available >= TAR_BLOCK_SIZE) {
            // Fast path: the whole header is in this chunk, no copy.
            pos += TAR_BLOCK_SIZE;
            this.#position += TAR_BLOCK_SIZE;
            this.#readBlock(chunk.subarray(pos - TAR_BLOCK_SIZE, pos));
            break;
          }
          const step = Math.min(TAR_BLOCK_SIZE - this.#headerFill, available);
          this.#headerBlock.set(chunk.subarray(pos, pos + step), this.#headerFill);
          this.#headerFill += step;
          pos += step;
          this.#position += step;
          if (this.#headerFill === TAR_BLOCK_SIZE) {
            this.#headerFill = 0;
            this.#readBlock(this.#headerBlock);
          }
          break;
        }
      }
    }
  }

  /**
   * Ends the stream. Throws BadTar when nothing tar-like was read, Truncated
   * when it ended inside a member, its data or its padding, and then the
   * first member problem GNU tar reads past. Like GNU tar, accepts a missing
   * end-of-archive marker and a partial block where a header would start.
   */
  finish(): void {
    if (!this.#recognised) {
      throw new InspectError(
        InspectErrorCode.BadTar,
        this.#position === 0 ? 'empty stream: not a tar' : 'shorter than one tar header: not a tar',
      );
    }
    if (this.#state !== 'end' && this.#state !== 'header') {
      const where = this.#state === 'meta' ? `the header of ${this.#currentName}` : `member ${this.#currentName}`;
      throw new InspectError(
        InspectErrorCode.Truncated,
        `tar ends inside ${displayTarText(where)} at offset ${this.#position}`,
        this.#currentName,
      );
    }
    if (this.#problem !== null) throw this.#problem;
  }

  #readBlock(block: Uint8Array): void {
    if (this.#state === 'header') {
      this.#readHeader(block);
      return;
    }
    const header = this.#sparseHeader as ResolvedTarHeader;
    if (!readSparseExtension(block, header.problems)) {
      this.#sparseHeader = null;
      this.#emit(header);
    }
  }

  #readHeader(block: Uint8Array): void {
    const headerOffset = this.#position - TAR_BLOCK_SIZE;
    if (isZeroBlock(block)) {
      this.#recognised = true;
      this.#state = 'end';
      return;
    }
    let raw: RawTarHeader;
    try {
      raw = decodeRawHeader(block);
    } catch (error) {
      if (error instanceof InspectError) {
        throw new InspectError(error.code, `${error.message} at offset ${headerOffset}`, error.path);
      }
      throw error;
    }
    this.#recognised = true;
    this.#currentName = raw.name;
    if (isMetaTypeFlag(raw.typeFlag)) {
      checkMetaSize(raw);
      this.#metaHeader = raw;
      this.#metaPayload = new Uint8Array(raw.size);
      this.#metaFill = 0;
      this.#state = 'meta';
      if (raw.size === 0) this.#finishMeta();
      return;
    }
    const header = this.#pending.resolve(raw);
    this.#currentName = header.name;
    if (raw.sparse?.extensionFollows) {
      this.#sparseHeader = header;
      this.#state = 'sparse';
      return;
    }
    this.#emit(header);
  }

  /** Records a member whose data starts at the current position. */
  #emit(header: ResolvedTarHeader): void {
    const entry = entryFromHeader(header, this.#position);
    if (header.problems.length > 0) this.#problem ??= memberProblemError(header);
    this.entryCount += 1;
    if (entry.whiteout !== null) this.whiteoutCount += 1;
    if (this.#keepEntries) this.entries.push(entry);
    this.#onEntry?.(entry);
    this.#skip = paddedSize(header.dataSize);
    this.#state = this.#skip > 0 ? 'data' : 'header';
  }

  #finishMeta(): void {
    const raw = this.#metaHeader;
    if (raw === null) return;
    this.#pending.accept(raw, this.#metaPayload);
    this.#metaHeader = null;
    this.#metaPayload = new Uint8Array(0);
    this.#skip = paddedSize(raw.size) - raw.size;
    this.#state = this.#skip > 0 ? 'data' : 'header';
  }
}
