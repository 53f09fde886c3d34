/**
 * Header text decoded as Python's `surrogateescape` decodes it (PEP 383),
 * checked against Python on every kind of byte sequence a name can hold:
 * valid UTF-8 of every length, a BOM, overlong forms, encoded surrogates,
 * code points past U+10FFFF, cut sequences, stray continuation bytes. The
 * decoding must be injective (the bytes come back from the string), and two
 * names that differ in a byte must look different on screen too.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { decodeTarText, displayTarText, hasEscapedBytes, tarTextBytes } from '../../../../src/core/tar/text';
import { Random } from '../../../fuzz/engine';

const hex = (...values: number[]): Uint8Array => Uint8Array.from(values);

const CASES: Uint8Array[] = [
  new TextEncoder().encode('plain ascii'),
  new TextEncoder().encode('ünïcödé 名前 😀'),
  hex(0xef, 0xbb, 0xbf, 0x61),
  hex(0x63, 0x61, 0x66, 0xe9),
  hex(0xc0, 0x80),
  hex(0xc1, 0xbf),
  hex(0xe0, 0x80, 0x80),
  hex(0xe0, 0x9f, 0xbf),
  hex(0xed, 0xa0, 0x80),
  hex(0xed, 0xbf, 0xbf, 0x41),
  hex(0xf0, 0x8f, 0xbf, 0xbf),
  hex(0xf4, 0x90, 0x80, 0x80),
  hex(0xf5, 0x80, 0x80, 0x80),
  hex(0xe2, 0x82),
  hex(0xe2, 0x82, 0x61),
  hex(0xf0, 0x9f, 0x98),
  hex(0x80, 0xbf, 0xfe, 0xff),
  hex(0xf0, 0x9f, 0x98, 0x80, 0xdc),
];

function randomCases(count: number): Uint8Array[] {
  const random = new Random(7);
  const pieces = [hex(0x61), hex(0xc3, 0xa9), hex(0xe2, 0x82, 0xac), hex(0xf0, 0x9f, 0x98, 0x80), hex(0x80), hex(0xc3), hex(0xed, 0xa0), hex(0xff)];
  return Array.from({ length: count }, () => {
    const parts = Array.from({ length: 1 + random.below(8) }, () => random.pick(pieces));
    return Uint8Array.from(parts.flatMap((part) => [...part]));
  });
}

/** Python's `bytes.decode('utf-8', 'surrogateescape')` of each input. */
function pythonDecoded(inputs: Uint8Array[]): string[] {
  const script = `import json, sys
print(json.dumps([bytes.fromhex(h).decode('utf-8', 'surrogateescape') for h in json.load(sys.stdin)]))`;
  const input = JSON.stringify(inputs.map((bytes) => Buffer.from(bytes).toString('hex')));
  return JSON.parse(execFileSync('python3', ['-c', script], { input, encoding: 'utf8' })) as string[];
}

describe('tar text', () => {
  const inputs = [...CASES, ...randomCases(500)];

  it('decodes as Python surrogateescape does', () => {
    expect(inputs.map(decodeTarText)).toEqual(pythonDecoded(inputs));
  });

  it('gives the bytes back, so different names stay different strings', () => {
    for (const bytes of inputs) expect(Buffer.from(tarTextBytes(decodeTarText(bytes))).equals(Buffer.from(bytes))).toBe(true);
    const distinct = new Set(inputs.map((bytes) => Buffer.from(bytes).toString('hex')));
    expect(new Set(inputs.map(decodeTarText)).size).toBe(distinct.size);
  });

  it('keeps a leading byte-order mark: it is part of the name', () => {
    expect(decodeTarText(hex(0xef, 0xbb, 0xbf, 0x61))).toBe('\ufeffa');
  });

  it('shows escaped bytes as \\xNN, and valid text as itself', () => {
    expect(displayTarText(decodeTarText(hex(0x63, 0x61, 0x66, 0xe9)))).toBe('caf\\xE9');
    expect(displayTarText(decodeTarText(hex(0x63, 0x61, 0x66, 0xe8)))).toBe('caf\\xE8');
    expect(displayTarText('café 😀')).toBe('café 😀');
    expect(hasEscapedBytes('\u{10080}')).toBe(false);
    expect(hasEscapedBytes(decodeTarText(hex(0x80)))).toBe(true);
  });
});
