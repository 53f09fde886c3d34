/**
 * The line diff against GNU diffutils: on generated pairs of texts, the
 * number of removed and added lines equals what `diff --minimal` reports
 * (the edit distance is unique even when the script is not), and `patch`
 * applied to the left text with our unified diff gives the right text
 * exactly. The LCS itself is checked against a dynamic-programming LCS.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alignByKey, alignedRows, longestCommonSubsequence } from '../../../../src/core/compare/sequence-diff';
import { diffLines, diffText, formatUnified } from '../../../../src/core/compare/text-diff';

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function dynamicLcsLength(a: number[], b: number[]): number {
  let previous = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i += 1) {
    const row = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j += 1) row[j] = a[i - 1] === b[j - 1] ? previous[j - 1] + 1 : Math.max(previous[j], row[j - 1]);
    previous = row;
  }
  return previous[b.length];
}

describe('longestCommonSubsequence', () => {
  it('finds a longest common subsequence of 2,000 random pairs', () => {
    const next = random(7);
    for (let round = 0; round < 2000; round += 1) {
      const alphabet = 1 + Math.floor(next() * 6);
      const a = Array.from({ length: Math.floor(next() * 30) }, () => Math.floor(next() * alphabet));
      const b = Array.from({ length: Math.floor(next() * 30) }, () => Math.floor(next() * alphabet));
      const outcome = longestCommonSubsequence(a, b);
      const matches = outcome.matches;
      if (matches === null) throw new Error('budget ran out');
      expect(matches.left.length).toBe(dynamicLcsLength(a, b));
      for (let t = 0; t < matches.left.length; t += 1) {
        expect(a[matches.left[t]]).toBe(b[matches.right[t]]);
        if (t > 0) {
          expect(matches.left[t]).toBeGreaterThan(matches.left[t - 1]);
          expect(matches.right[t]).toBeGreaterThan(matches.right[t - 1]);
        }
      }
    }
  });

  it('gives up when the budget runs out instead of searching on', () => {
    const a = Array.from({ length: 5000 }, (_, i) => i);
    const b = Array.from({ length: 5000 }, (_, i) => i + 5000);
    expect(longestCommonSubsequence(a, b, 10_000).matches).toBeNull();
    expect(longestCommonSubsequence(a, b).matches?.left).toEqual([]);
  });
});

describe('alignedRows', () => {
  it('keeps a shared prefix on its rows, pairs where the two diverge, and lists the surplus', () => {
    const rows = alignByKey(['a', 'b', 'c', 'd'], ['a', 'b', 'x', 'y', 'z'], (item) => item);
    expect(rows).toEqual([
      { left: 0, right: 0, same: true },
      { left: 1, right: 1, same: true },
      { left: 2, right: 2, same: false },
      { left: 3, right: 3, same: false },
      { left: null, right: 4, same: false },
    ]);
  });
  it('aligns an item that moved down, and never matches unknown keys', () => {
    const rows = alignByKey(['a', null, 'c'], ['new', 'a', null, 'c'], (item) => item);
    expect(rows).toEqual([
      { left: null, right: 0, same: false },
      { left: 0, right: 1, same: true },
      { left: 1, right: 2, same: false },
      { left: 2, right: 3, same: true },
    ]);
  });
  it('pairs by position when there is nothing in common', () => {
    expect(alignedRows(1, 2, { left: [], right: [] })).toEqual([
      { left: 0, right: 0, same: false },
      { left: null, right: 1, same: false },
    ]);
  });
});

const scratch = mkdtempSync(join(tmpdir(), 'tarsier-diff-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function gnuCounts(left: string, right: string): { removed: number; added: number } {
  writeFileSync(join(scratch, 'left'), left);
  writeFileSync(join(scratch, 'right'), right);
  const result = spawnSync('diff', ['--minimal', join(scratch, 'left'), join(scratch, 'right')], { encoding: 'utf8' });
  const lines = result.stdout.split('\n');
  return { removed: lines.filter((line) => line.startsWith('< ')).length, added: lines.filter((line) => line.startsWith('> ')).length };
}

function patched(left: string, unified: string): string {
  writeFileSync(join(scratch, 'target'), left);
  writeFileSync(join(scratch, 'change.diff'), unified);
  execFileSync('patch', ['--quiet', '--force', join(scratch, 'target'), join(scratch, 'change.diff')]);
  return readFileSync(join(scratch, 'target'), 'utf8');
}

function randomText(next: () => number, words: string[], lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i += 1) out.push(words[Math.floor(next() * words.length)]);
  const text = out.join('\n');
  return next() < 0.8 ? `${text}\n` : text;
}

function edited(next: () => number, text: string, words: string[]): string {
  const lines = text.split('\n');
  for (let edit = Math.floor(next() * 8); edit > 0; edit -= 1) {
    const at = Math.floor(next() * (lines.length + 1));
    const roll = next();
    if (roll < 0.4) lines.splice(at, 1);
    else if (roll < 0.8) lines.splice(at, 0, words[Math.floor(next() * words.length)]);
    else lines[at] = `changed ${at}`;
  }
  return lines.join('\n');
}

describe('diffLines', () => {
  it('agrees with diff --minimal and patch on 150 generated pairs', () => {
    const next = random(11);
    const words = ['alpha', 'beta', 'gamma', 'delta', '', '  indented', 'x = 1;', '}', 'with\ttab', 'tail\r'];
    for (let round = 0; round < 150; round += 1) {
      const left = randomText(next, words, Math.floor(next() * 40));
      const right = next() < 0.5 ? edited(next, left, words) : randomText(next, words, Math.floor(next() * 40));
      const diff = diffLines(left, right, { context: Math.floor(next() * 4) });
      if (diff.kind !== 'text') throw new Error(diff.kind);
      expect({ removed: diff.removed, added: diff.added }).toEqual(gnuCounts(left, right));
      const unified = formatUnified(diff, 'a/file', 'b/file');
      if (left === right) expect(unified).toBe('');
      else expect(patched(left, unified)).toBe(right);
    }
  });

  it('prints what diff -u prints for a small change', () => {
    const left = 'one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\n';
    const right = 'one\ntwo\nthree\nfour\n5\nsix\nseven\neight\nnine';
    writeFileSync(join(scratch, 'l'), left);
    writeFileSync(join(scratch, 'r'), right);
    const gnu = spawnSync('diff', ['-u', '--minimal', join(scratch, 'l'), join(scratch, 'r')], { encoding: 'utf8' }).stdout;
    const diff = diffLines(left, right);
    if (diff.kind !== 'text') throw new Error(diff.kind);
    const ours = formatUnified(diff, 'l', 'r');
    expect(ours.split('\n').slice(2)).toEqual(gnu.split('\n').slice(2));
  });
});

describe('diffText', () => {
  const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
  it('says binary for bytes that are not text, and too large past the bound', () => {
    expect(diffText(new Uint8Array([0, 1, 2, 0]), encode('a\n')).kind).toBe('binary');
    expect(diffText(encode('a\n'.repeat(100)), encode('b\n'), { maxBytes: 100 }).kind).toBe('too-large');
    expect(diffText(encode('a\n'.repeat(100)), encode('b\n'), { maxLines: 50 }).kind).toBe('too-large');
  });
  it('says too different when the edit search exceeds its budget', () => {
    const left = Array.from({ length: 3000 }, (_, i) => `left ${i}`).join('\n');
    const right = Array.from({ length: 3000 }, (_, i) => `right ${i}`).join('\n');
    expect(diffText(encode(left), encode(right), { budget: 1000 }).kind).toBe('too-different');
  });
  it('diffs an empty file against a text', () => {
    const diff = diffText(new Uint8Array(0), encode('new\n'));
    expect(diff.kind === 'text' && diff.hunks).toEqual([{ leftStart: 0, leftCount: 0, rightStart: 1, rightCount: 1, lines: [{ kind: '+', text: 'new' }] }]);
  });
});
