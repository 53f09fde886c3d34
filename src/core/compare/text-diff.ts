/**
 * A line diff of two versions of a text file, as `diff -u --minimal` shows
 * it: hunks of removed, added and context lines. Bounded: files above
 * `maxBytes` or `maxLines`, and pairs so different that the edit search
 * exceeds its budget, get a verdict instead of a diff, so one hostile file
 * never stalls the comparison.
 */

import { looksLikeText } from '../content/file-kind';
import { DEFAULT_DIFF_BUDGET, type Matches, internAll, longestCommonSubsequence } from './sequence-diff';

/** One line of a hunk: ' ' context, '-' only on the left, '+' only on the right. */
export interface DiffLine {
  kind: ' ' | '-' | '+';
  text: string;
}

/** A run of changes with its context, numbered like `@@ -leftStart,leftCount +rightStart,rightCount @@`. */
export interface DiffHunk {
  /** 1-based first line on the left (the line before, when leftCount is 0, as diff prints it). */
  leftStart: number;
  leftCount: number;
  rightStart: number;
  rightCount: number;
  lines: DiffLine[];
}

/** What {@link diffText} found. */
export type TextDiff =
  | {
      kind: 'text';
      hunks: DiffHunk[];
      /** Lines only on the left, and only on the right. */
      removed: number;
      added: number;
      /** False when the side's last line has no newline (diff's "\ No newline at end of file"). */
      leftEndsWithNewline: boolean;
      rightEndsWithNewline: boolean;
      /** Number of lines of each side. */
      leftLines: number;
      rightLines: number;
    }
  /** At least one side is not UTF-8 text. */
  | { kind: 'binary' }
  /** A side is above the size or line bounds. */
  | { kind: 'too-large' }
  /** The edit search ran out of budget: the versions share almost nothing. */
  | { kind: 'too-different' };

/** Bounds of {@link diffText}. */
export interface TextDiffOptions {
  /** Context lines around each change (diff -u's 3 by default). */
  context?: number;
  /** Largest side, in bytes. Default 8 MiB. */
  maxBytes?: number;
  /** Most lines on one side. Default 200,000. */
  maxLines?: number;
  /** Work bound of the edit search (see sequence-diff.ts). */
  budget?: number;
}

const decoder = new TextDecoder('utf-8');

/** Lines without their terminators (`\n`; a `\r` stays part of its line, as diff keeps it). */
export function splitLines(text: string): { lines: string[]; endsWithNewline: boolean } {
  if (text === '') return { lines: [], endsWithNewline: true };
  const endsWithNewline = text.endsWith('\n');
  const lines = (endsWithNewline ? text.slice(0, -1) : text).split('\n');
  return { lines, endsWithNewline };
}

/** Diffs two versions of a file, given their bytes. */
export function diffText(left: Uint8Array, right: Uint8Array, options: TextDiffOptions = {}): TextDiff {
  const maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
  if (left.length > maxBytes || right.length > maxBytes) return { kind: 'too-large' };
  if ((left.length > 0 && !looksLikeText(left)) || (right.length > 0 && !looksLikeText(right))) return { kind: 'binary' };
  return diffLines(decoder.decode(left), decoder.decode(right), options);
}

/** Diffs two texts line by line. */
export function diffLines(leftText: string, rightText: string, options: TextDiffOptions = {}): TextDiff {
  const left = splitLines(leftText);
  const right = splitLines(rightText);
  const maxLines = options.maxLines ?? 200_000;
  if (left.lines.length > maxLines || right.lines.length > maxLines) return { kind: 'too-large' };
  const [a, b] = internAll([lineKeys(left), lineKeys(right)], (key) => key);
  const outcome = longestCommonSubsequence(a, b, options.budget ?? DEFAULT_DIFF_BUDGET);
  if (outcome.matches === null) return { kind: 'too-different' };
  const hunks = hunksOf(left.lines, right.lines, outcome.matches, options.context ?? 3);
  const common = outcome.matches.left.length;
  return {
    kind: 'text',
    hunks,
    removed: left.lines.length - common,
    added: right.lines.length - common,
    leftEndsWithNewline: left.endsWithNewline,
    rightEndsWithNewline: right.endsWithNewline,
    leftLines: left.lines.length,
    rightLines: right.lines.length,
  };
}

/** A last line without its newline differs from the same text with one (diff agrees). */
function lineKeys(side: { lines: string[]; endsWithNewline: boolean }): string[] {
  const last = side.lines.length - 1;
  return side.lines.map((line, index) => (index === last && !side.endsWithNewline ? `n${line}` : `l${line}`));
}

interface Change {
  leftStart: number;
  leftEnd: number;
  rightStart: number;
  rightEnd: number;
}

/** The runs of unmatched lines between matches. */
function changesOf(leftLength: number, rightLength: number, matches: Matches): Change[] {
  const changes: Change[] = [];
  let i = 0;
  let j = 0;
  for (let t = 0; t <= matches.left.length; t += 1) {
    const nextI = t < matches.left.length ? matches.left[t] : leftLength;
    const nextJ = t < matches.right.length ? matches.right[t] : rightLength;
    if (nextI > i || nextJ > j) changes.push({ leftStart: i, leftEnd: nextI, rightStart: j, rightEnd: nextJ });
    i = nextI + 1;
    j = nextJ + 1;
  }
  return changes;
}

/** Groups changes whose contexts touch into hunks, as diff -u does. */
function hunksOf(left: string[], right: string[], matches: Matches, context: number): DiffHunk[] {
  const changes = changesOf(left.length, right.length, matches);
  const hunks: DiffHunk[] = [];
  let group: Change[] = [];
  const flush = (): void => {
    if (group.length === 0) return;
    hunks.push(hunkOf(left, right, group, context));
    group = [];
  };
  for (const change of changes) {
    const previous = group.at(-1);
    if (previous !== undefined && change.leftStart - previous.leftEnd > 2 * context) flush();
    group.push(change);
  }
  flush();
  return hunks;
}

function hunkOf(left: string[], right: string[], group: Change[], context: number): DiffHunk {
  const first = group[0];
  const last = group[group.length - 1];
  const before = Math.min(context, first.leftStart);
  const after = Math.min(context, left.length - last.leftEnd);
  const leftStart = first.leftStart - before;
  const rightStart = first.rightStart - before;
  const lines: DiffLine[] = [];
  let i = leftStart;
  for (const change of group) {
    while (i < change.leftStart) lines.push({ kind: ' ', text: left[i++] });
    for (let k = change.leftStart; k < change.leftEnd; k += 1) lines.push({ kind: '-', text: left[k] });
    for (let k = change.rightStart; k < change.rightEnd; k += 1) lines.push({ kind: '+', text: right[k] });
    i = change.leftEnd;
  }
  const leftEnd = last.leftEnd + after;
  while (i < leftEnd) lines.push({ kind: ' ', text: left[i++] });
  const leftCount = leftEnd - leftStart;
  const rightCount = last.rightEnd + after - rightStart;
  return {
    leftStart: leftCount === 0 ? leftStart : leftStart + 1,
    leftCount,
    rightStart: rightCount === 0 ? rightStart : rightStart + 1,
    rightCount,
    lines,
  };
}

/**
 * The diff in unified format (what `diff -u` prints after its two header
 * lines), which `patch` applies.
 */
export function formatUnified(diff: Extract<TextDiff, { kind: 'text' }>, leftName: string, rightName: string): string {
  if (diff.hunks.length === 0) return '';
  const out: string[] = [`--- ${leftName}`, `+++ ${rightName}`];
  for (const hunk of diff.hunks) {
    out.push(`@@ -${range(hunk.leftStart, hunk.leftCount)} +${range(hunk.rightStart, hunk.rightCount)} @@`);
    let leftLine = hunk.leftCount === 0 ? hunk.leftStart : hunk.leftStart - 1;
    let rightLine = hunk.rightCount === 0 ? hunk.rightStart : hunk.rightStart - 1;
    for (const line of hunk.lines) {
      out.push(`${line.kind}${line.text}`);
      if (line.kind !== '+') leftLine += 1;
      if (line.kind !== '-') rightLine += 1;
      // A context line ends both files or neither: its text, newline included, is equal.
      const endsLeft = line.kind !== '+' && leftLine === diff.leftLines && !diff.leftEndsWithNewline;
      const endsRight = line.kind === '+' && rightLine === diff.rightLines && !diff.rightEndsWithNewline;
      if (endsLeft || endsRight) out.push('\\ No newline at end of file');
    }
  }
  return `${out.join('\n')}\n`;
}

function range(start: number, count: number): string {
  return count === 1 ? `${start}` : `${start},${count}`;
}
