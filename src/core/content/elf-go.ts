/**
 * Go build info (what `go version -m` prints): the `.go.buildinfo` section
 * starts with "\xff Go buildinf:", then the pointer size and flags; since Go
 * 1.18 (flag 2) the Go version and the module info follow inline as
 * varint-length strings, before that as pointers to Go string headers.
 * Layout: Go's src/debug/buildinfo/buildinfo.go.
 */
import type { ElfFile } from './elf-file';

const MAGIC = '\xff Go buildinf:';
const HEADER = 32;
const MAX_SECTION = 64 * 1024;
const MAX_MODINFO = 1024 * 1024;

/** Go build info of a binary. */
export interface GoBuildInfo {
  /** `go1.19.8`. */
  goVersion: string;
  /** The main package's import path (`path` line), or null. */
  path: string | null;
  /** The main module (`mod` line), or null for GOPATH builds. */
  mainModule: { path: string; version: string } | null;
}

function uvarint(bytes: Uint8Array, start: number): { value: number; next: number } | null {
  let value = 0;
  for (let shift = 0, at = start; at < bytes.length && shift < 35; shift += 7, at += 1) {
    value += (bytes[at] & 0x7f) * 2 ** shift;
    if ((bytes[at] & 0x80) === 0) return { value, next: at + 1 };
  }
  return null;
}

function varintString(bytes: Uint8Array, start: number): { text: string; next: number } | null {
  const length = uvarint(bytes, start);
  if (length === null || length.value > MAX_MODINFO || length.next + length.value > bytes.length) return null;
  return { text: new TextDecoder().decode(bytes.subarray(length.next, length.next + length.value)), next: length.next + length.value };
}

/** Module info without its 16-byte sentinels (Go writes them around it), as buildinfo.go strips them. */
function stripSentinels(modinfo: string): string {
  return modinfo.length >= 33 && modinfo[modinfo.length - 17] === '\n' ? modinfo.slice(16, -16) : '';
}

function parseModinfo(goVersion: string, modinfo: string): GoBuildInfo {
  const info: GoBuildInfo = { goVersion, path: null, mainModule: null };
  for (const line of stripSentinels(modinfo).split('\n')) {
    const [key, first, second] = line.split('\t');
    if (key === 'path' && first !== undefined) info.path = first;
    else if (key === 'mod' && first !== undefined) info.mainModule = { path: first, version: second ?? '' };
  }
  return info;
}

/** Reads a Go string header {data pointer, length} at a virtual address (Go < 1.18). */
async function goString(elf: ElfFile, address: number, pointerSize: number, little: boolean): Promise<string | null> {
  const offset = elf.fileOffset(address);
  if (offset === null) return null;
  const header = await elf.read(offset, pointerSize * 2);
  if (header.length < pointerSize * 2) return null;
  const pointer = (at: number): number => readPointer(header, at, pointerSize, little);
  const dataOffset = elf.fileOffset(pointer(0));
  const length = pointer(pointerSize);
  if (dataOffset === null || length > MAX_MODINFO) return null;
  const data = await elf.read(dataOffset, length);
  return data.length === length ? new TextDecoder().decode(data) : null;
}

function readPointer(bytes: Uint8Array, at: number, size: number, little: boolean): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (size === 4) return view.getUint32(at, little);
  const value = view.getBigUint64(at, little);
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

/** The Go build info of an ELF file, or null where it has none. */
export async function readGoBuildInfo(elf: ElfFile): Promise<GoBuildInfo | null> {
  const section = (await elf.sections()).find((s) => s.name === '.go.buildinfo');
  if (section === undefined) return null;
  const bytes = await elf.read(section.offset, Math.min(section.size, MAX_SECTION));
  if (bytes.length < HEADER || String.fromCharCode(...bytes.subarray(0, MAGIC.length)) !== MAGIC) return null;
  const pointerSize = bytes[14];
  const flags = bytes[15];
  if (pointerSize !== 4 && pointerSize !== 8) return null;
  if ((flags & 2) !== 0) {
    const version = varintString(bytes, HEADER);
    if (version === null) return null;
    const modinfo = varintString(bytes, version.next);
    return parseModinfo(version.text, modinfo?.text ?? '');
  }
  const little = (flags & 1) === 0;
  const version = await goString(elf, readPointer(bytes, 16, pointerSize, little), pointerSize, little);
  if (version === null) return null;
  const modinfo = await goString(elf, readPointer(bytes, 16 + pointerSize, pointerSize, little), pointerSize, little);
  return parseModinfo(version, modinfo ?? '');
}
