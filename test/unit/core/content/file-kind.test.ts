import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectFileKind, looksLikeText } from '../../../../src/core/content/file-kind';

const work = mkdtempSync(join(tmpdir(), 'tarsier-kind-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** An image made by ImageMagick, the first 4 KiB of it. */
function image(extension: string): Uint8Array {
  const path = join(work, `img.${extension}`);
  execFileSync('convert', ['-size', '4x4', 'xc:red', path]);
  return new Uint8Array(readFileSync(path)).subarray(0, 4096);
}

const text = (value: string) => new TextEncoder().encode(value);

describe('detectFileKind', () => {
  it.each([
    ['png', 'png'],
    ['jpg', 'jpeg'],
    ['gif', 'gif'],
    ['webp', 'webp'],
  ])('recognises a real %s by its magic, whatever its name', (extension, kind) => {
    expect(detectFileKind(image(extension), 'no-extension')).toBe(kind);
  });

  it('recognises ELF binaries', () => {
    expect(
      detectFileKind(new Uint8Array(readFileSync('/usr/bin/ls')).subarray(0, 4096), 'ls'),
    ).toBe('elf');
  });

  it('recognises SVG by name or by its leading markup, and JSON by name', () => {
    expect(
      detectFileKind(
        text('<?xml version="1.0"?>\n<!-- x -->\n<svg xmlns="http://www.w3.org/2000/svg"/>'),
        'icon',
      ),
    ).toBe('svg');
    expect(detectFileKind(text('<svg/>'), 'a')).toBe('svg');
    expect(detectFileKind(text('<g/>'), 'x.SVG')).toBe('svg');
    expect(detectFileKind(text('{"a": 1}'), 'etc/docker/daemon.json')).toBe('json');
    expect(detectFileKind(text('<html></html>'), 'index.html')).toBe('text');
  });

  it('tells UTF-8 text from binary', () => {
    expect(detectFileKind(text('héllo wörld\n'), 'readme')).toBe('text');
    expect(detectFileKind(new Uint8Array([0x68, 0x00, 0x69]), 'x')).toBe('binary');
    expect(detectFileKind(new Uint8Array([0xc3, 0x28, 0x41]), 'x.json')).toBe('binary');
    expect(detectFileKind(new Uint8Array(0), 'empty')).toBe('text');
  });

  it('accepts a character cut in two at the end of the sniffed bytes', () => {
    const bytes = text('aaa€');
    expect(looksLikeText(bytes.subarray(0, bytes.length - 1))).toBe(true);
    expect(looksLikeText(new Uint8Array([0x61, 0xe2, 0x28, 0xa1]))).toBe(false);
  });
});
