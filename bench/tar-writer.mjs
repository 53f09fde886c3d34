// A minimal streaming ustar writer for the benchmark's generated inputs.
// Sizes must be known before the content (tar puts them in the header), which
// is what lets the 2 GB archive be written in one pass without temp files.
// Format: POSIX ustar (IEEE Std 1003.1-2001 "pax" interchange, ustar header);
// names longer than 100 bytes are split into prefix (155) + name (100).
import { writeSync } from 'node:fs';

/** A sink that writes bytes synchronously and completely to a file descriptor. */
export function fdSink(fd) {
  return (bytes) => {
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
  };
}

export const BLOCK = 512;

/** Bytes a member of `size` bytes takes in a tar, header included. */
export function memberSize(size) {
  return BLOCK + Math.ceil(size / BLOCK) * BLOCK;
}

/** Two zero blocks end an archive (ustar). */
export const END_OF_ARCHIVE = new Uint8Array(2 * BLOCK);

function writeString(header, offset, length, value) {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length) throw new Error(`tar field too long: ${value}`);
  header.set(bytes, offset);
}

function writeOctal(header, offset, length, value) {
  writeString(header, offset, length, value.toString(8).padStart(length - 1, '0'));
}

function splitName(path) {
  if (Buffer.byteLength(path) <= 100) return { prefix: '', name: path };
  const cut = path.lastIndexOf('/', path.length - 1);
  const prefix = path.slice(0, cut);
  const name = path.slice(cut + 1);
  if (cut < 0 || Buffer.byteLength(prefix) > 155 || Buffer.byteLength(name) > 100) {
    throw new Error(`path too long for ustar: ${path}`);
  }
  return { prefix, name };
}

/**
 * A 512-byte ustar header.
 * @param {{path: string, size?: number, type?: '0'|'5'|'2', mode?: number, mtime?: number, linkname?: string}} entry
 */
export function tarHeader({ path, size = 0, type = '0', mode = type === '5' ? 0o755 : 0o644, mtime = 1735689600, linkname = '' }) {
  const header = new Uint8Array(BLOCK);
  const { prefix, name } = splitName(path);
  writeString(header, 0, 100, name);
  writeOctal(header, 100, 8, mode);
  writeOctal(header, 108, 8, 0);
  writeOctal(header, 116, 8, 0);
  writeOctal(header, 124, 12, size);
  writeOctal(header, 136, 12, mtime);
  header.fill(0x20, 148, 156);
  writeString(header, 156, 1, type);
  writeString(header, 157, 100, linkname);
  writeString(header, 257, 6, 'ustar');
  writeString(header, 263, 2, '00');
  writeString(header, 265, 32, 'root');
  writeString(header, 297, 32, 'root');
  writeString(header, 345, 155, prefix);
  let sum = 0;
  for (const byte of header) sum += byte;
  writeString(header, 148, 7, sum.toString(8).padStart(6, '0') + '\0');
  return header;
}

/** Zero bytes that pad a member of `size` bytes to a block boundary. */
export function padding(size) {
  const rest = size % BLOCK;
  return new Uint8Array(rest === 0 ? 0 : BLOCK - rest);
}

/**
 * Writes whole tar members synchronously into `sink` (fdSink, or another
 * writer's `raw` to nest a tar inside a tar), counting bytes and feeding every
 * byte to the optional `onBytes` (for hashing).
 */
export class TarWriter {
  constructor(sink, onBytes = () => {}) {
    this.sink = sink;
    this.onBytes = onBytes;
    this.written = 0;
  }

  raw(bytes) {
    if (bytes.length === 0) return;
    this.onBytes(bytes);
    this.sink(bytes);
    this.written += bytes.length;
  }

  directory(path) {
    this.raw(tarHeader({ path: path.endsWith('/') ? path : `${path}/`, type: '5' }));
  }

  /** A regular file whose `size` bytes are produced by `writeContent(write)` in chunks. */
  file(path, size, writeContent) {
    this.raw(tarHeader({ path, size }));
    let produced = 0;
    writeContent((chunk) => {
      produced += chunk.length;
      this.raw(chunk);
    });
    if (produced !== size) throw new Error(`${path}: wrote ${produced} bytes, header says ${size}`);
    this.raw(padding(size));
  }

  end() {
    this.raw(END_OF_ARCHIVE);
  }
}
