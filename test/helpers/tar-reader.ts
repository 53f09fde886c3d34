/**
 * A deliberately small, independent tar reader for the filesystem tests
 * (ustar + PAX `path`/`linkpath`/`size` + GNU `L`/`K` long names), so the
 * merge is checked against bytes made by GNU tar, Python's tarfile and umoci
 * without depending on src/core/tar/walker.ts.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { EntryType, TarEntry } from '../../src/core/types';
import { cleanPath, isUnsafePath, whiteoutTarget } from '../../src/core/fs/whiteout';

const decoder = new TextDecoder();

function text(block: Uint8Array, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return decoder.decode(end < 0 ? field : field.subarray(0, end));
}

function octal(block: Uint8Array, start: number, length: number): number {
  const value = text(block, start, length).trim();
  return value === '' ? 0 : parseInt(value, 8);
}

function paxRecords(data: Uint8Array): Map<string, string> {
  const records = new Map<string, string>();
  const body = decoder.decode(data);
  let pos = 0;
  while (pos < body.length) {
    const space = body.indexOf(' ', pos);
    if (space < 0) break;
    const length = parseInt(body.slice(pos, space), 10);
    const record = body.slice(space + 1, pos + length - 1);
    const eq = record.indexOf('=');
    records.set(record.slice(0, eq), record.slice(eq + 1));
    pos += length;
  }
  return records;
}

const TYPES: Record<string, EntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'dir',
  '6': 'fifo',
};

/** Lists the members of an uncompressed tar. */
export function readTar(tar: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = [];
  let pos = 0;
  let longName: string | null = null;
  let longLink: string | null = null;
  let pax = new Map<string, string>();
  while (pos + 512 <= tar.length) {
    const header = tar.subarray(pos, pos + 512);
    if (header.every((byte) => byte === 0)) break;
    const flag = String.fromCharCode(header[156]);
    const isMeta = flag === 'L' || flag === 'K' || flag === 'x' || flag === 'g';
    const size = !isMeta && pax.has('size') ? Number(pax.get('size')) : octal(header, 124, 12);
    const dataStart = pos + 512;
    const data = tar.subarray(dataStart, dataStart + size);
    pos = dataStart + Math.ceil(size / 512) * 512;
    if (flag === 'L') {
      longName = text(data, 0, data.length);
      continue;
    }
    if (flag === 'K') {
      longLink = text(data, 0, data.length);
      continue;
    }
    if (flag === 'x') {
      pax = paxRecords(data);
      continue;
    }
    if (flag === 'g') continue;
    const prefix = text(header, 345, 155);
    const rawPath =
      pax.get('path') ??
      longName ??
      (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    const link = pax.get('linkpath') ?? longLink ?? text(header, 157, 100);
    const type = TYPES[flag] ?? 'other';
    const path = cleanPath(rawPath);
    const target = whiteoutTarget(path);
    entries.push({
      path,
      type,
      size: type === 'file' || type === 'other' ? size : 0,
      mode: octal(header, 100, 8) & 0o7777,
      uid: octal(header, 108, 8),
      gid: octal(header, 116, 8),
      mtime: octal(header, 136, 12),
      linkTarget: type === 'hardlink' ? cleanPath(link) : type === 'symlink' ? link : null,
      offset: dataStart,
      whiteout: target?.kind ?? null,
      unsafe: isUnsafePath(rawPath) || undefined,
    });
    longName = null;
    longLink = null;
    pax = new Map();
  }
  return entries;
}

/** Layer tars of an OCI layout, in manifest order (gunzipped by Node's zlib, not by the code under test). */
export function readLayerTars(layout: string): Uint8Array[] {
  const blob = (digest: string) => readFileSync(join(layout, 'blobs/sha256', digest.slice('sha256:'.length)));
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
  const manifest = JSON.parse(blob(index.manifests[0].digest).toString('utf8'));
  return manifest.layers.map((layer: { digest: string }) => {
    const bytes = blob(layer.digest);
    return new Uint8Array(bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes);
  });
}
