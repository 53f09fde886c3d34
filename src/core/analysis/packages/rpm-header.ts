/**
 * rpm package headers as the database stores them (rpm's header.c,
 * `headerImport`; https://rpm-software-management.github.io/rpm/manual/format_header.html):
 * big-endian `il` (index entries) and `dl` (data bytes), `il` entries of
 * {tag, type, offset, count}, then the data store. Hostile bytes: sizes
 * are checked against rpm's own limits, every offset against the store.
 */
import { InspectError, InspectErrorCode } from '../../errors';
import type { PackageRecord } from './model';

/** rpm's limits (HEADER_TAGS_MAX, HEADER_DATA_MAX). */
const MAX_TAGS = 0xffff;
const MAX_DATA = 0x0fffffff;
/** The most strings read from one array entry. */
const MAX_ARRAY = 1_000_000;

const TYPE_INT16 = 3;
const TYPE_INT32 = 4;
const TYPE_INT64 = 5;
const TYPE_STRING = 6;
const TYPE_STRING_ARRAY = 8;
const TYPE_I18NSTRING = 9;

export const RPMTAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  SIZE: 1009,
  LICENSE: 1014,
  ARCH: 1022,
  OLDFILENAMES: 1027,
  SOURCERPM: 1044,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  LONGSIZE: 5009,
} as const;

interface IndexEntry {
  type: number;
  offset: number;
  count: number;
}

function bad(message: string): InspectError {
  return new InspectError(InspectErrorCode.UnknownFormat, `Not a readable rpm header: ${message}`);
}

/** One parsed header: typed access to its tags. */
export class RpmHeader {
  readonly #view: DataView;
  readonly #store: Uint8Array;
  readonly #entries = new Map<number, IndexEntry>();

  constructor(blob: Uint8Array) {
    if (blob.length < 8) throw bad(`${blob.length} bytes is too short`);
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    const il = view.getUint32(0);
    const dl = view.getUint32(4);
    if (il > MAX_TAGS || dl > MAX_DATA) throw bad(`${il} tags and ${dl} data bytes exceed rpm's limits`);
    const storeStart = 8 + il * 16;
    if (storeStart + dl > blob.length) throw bad(`${il} tags and ${dl} data bytes run past its ${blob.length} bytes`);
    this.#store = blob.subarray(storeStart, storeStart + dl);
    this.#view = new DataView(this.#store.buffer, this.#store.byteOffset, this.#store.byteLength);
    for (let i = 0; i < il; i += 1) {
      const at = 8 + i * 16;
      const tag = view.getInt32(at);
      const entry = { type: view.getUint32(at + 4), offset: view.getInt32(at + 8), count: view.getUint32(at + 12) };
      if (entry.offset < 0 || entry.offset > dl) throw bad(`tag ${tag} points outside the data`);
      if (!this.#entries.has(tag)) this.#entries.set(tag, entry);
    }
  }

  /** Strings of a STRING, STRING_ARRAY or I18NSTRING tag (empty when absent). */
  strings(tag: number): string[] {
    const entry = this.#entries.get(tag);
    if (entry === undefined) return [];
    if (entry.type !== TYPE_STRING && entry.type !== TYPE_STRING_ARRAY && entry.type !== TYPE_I18NSTRING) return [];
    const count = entry.type === TYPE_STRING ? 1 : Math.min(entry.count, MAX_ARRAY);
    const decoder = new TextDecoder('utf-8');
    const out: string[] = [];
    let at = entry.offset;
    for (let i = 0; i < count; i += 1) {
      const end = this.#store.indexOf(0, at);
      if (end < 0) throw bad(`string of tag ${tag} is not terminated`);
      out.push(decoder.decode(this.#store.subarray(at, end)));
      at = end + 1;
    }
    return out;
  }

  /** The first string of a tag, or null. */
  string(tag: number): string | null {
    return this.strings(tag)[0] ?? null;
  }

  /** Numbers of an INT16/INT32/INT64 tag (empty when absent). */
  numbers(tag: number): number[] {
    const entry = this.#entries.get(tag);
    if (entry === undefined) return [];
    const width = entry.type === TYPE_INT16 ? 2 : entry.type === TYPE_INT32 ? 4 : entry.type === TYPE_INT64 ? 8 : 0;
    if (width === 0) return [];
    const count = Math.min(entry.count, MAX_ARRAY);
    if (entry.offset + count * width > this.#store.length) throw bad(`numbers of tag ${tag} run past the data`);
    const out: number[] = [];
    for (let i = 0; i < count; i += 1) {
      const at = entry.offset + i * width;
      if (width === 2) out.push(this.#view.getUint16(at));
      else if (width === 4) out.push(this.#view.getUint32(at));
      else out.push(Number(this.#view.getBigUint64(at)));
    }
    return out;
  }

  /** The first number of a tag, or null. */
  number(tag: number): number | null {
    return this.numbers(tag)[0] ?? null;
  }
}

/** `name-version-release.src.rpm` → name and `version-release`. */
export function splitSourceRpm(sourceRpm: string): { name: string; version: string } | null {
  const match = /^(.+)-([^-]+-[^-]+)\.(?:no)?src\.rpm$/.exec(sourceRpm);
  return match === null ? null : { name: match[1], version: match[2] };
}

/** A package record from one header, or null for rpm's gpg-pubkey pseudo-packages. */
export function recordFromHeader(blob: Uint8Array): PackageRecord | null {
  const header = new RpmHeader(blob);
  const name = header.string(RPMTAG.NAME);
  const version = header.string(RPMTAG.VERSION);
  if (name === null || version === null) throw bad('it has no NAME or VERSION');
  if (name === 'gpg-pubkey') return null;
  const release = header.string(RPMTAG.RELEASE);
  const epoch = header.number(RPMTAG.EPOCH);
  const versionRelease = release === null ? version : `${version}-${release}`;
  const sourceRpm = header.string(RPMTAG.SOURCERPM);
  const source = sourceRpm === null ? null : splitSourceRpm(sourceRpm);
  return {
    name,
    version: epoch === null ? versionRelease : `${epoch}:${versionRelease}`,
    arch: header.string(RPMTAG.ARCH),
    source: source?.name ?? null,
    sourceVersion: source === null || source.version === versionRelease ? null : source.version,
    license: header.string(RPMTAG.LICENSE),
    size: header.number(RPMTAG.LONGSIZE) ?? header.number(RPMTAG.SIZE),
    files: fileList(header),
  };
}

function fileList(header: RpmHeader): string[] {
  const basenames = header.strings(RPMTAG.BASENAMES);
  if (basenames.length === 0) return header.strings(RPMTAG.OLDFILENAMES);
  const dirnames = header.strings(RPMTAG.DIRNAMES);
  const indexes = header.numbers(RPMTAG.DIRINDEXES);
  return basenames.map((base, i) => `${dirnames[indexes[i]] ?? ''}${base}`);
}
