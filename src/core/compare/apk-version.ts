/**
 * apk's version order (Alpine's apk-tools): a version is
 * `digit{.digit}…{letter}{_suffix{#}}…{~hash}{-r#}`, read as a series of
 * tokens that are compared pairwise while both versions have a token of the
 * same kind. Where one version goes on and the other does not, the longer
 * one is newer, unless what follows is a pre-release suffix (`_alpha`,
 * `_beta`, `_pre`, `_rc`). Numbers compare by value, except that a
 * component after a dot with a leading zero compares as a string (`1.02 <
 * 1.1`, Gentoo's rule). Text that breaks the grammar ends the version there
 * (an "invalid" token, which sorts after every valid one).
 */

/** Token kinds, in the order apk ranks them when two versions diverge. */
const Token = {
  InitialDigit: 0,
  Digit: 1,
  Letter: 2,
  Suffix: 3,
  SuffixNumber: 4,
  CommitHash: 5,
  Revision: 6,
  End: 7,
  Invalid: 8,
} as const;
type Token = (typeof Token)[keyof typeof Token];

/** Suffix ranks: the pre-release ones below `none` (a plain release), the post-release ones above. */
const SUFFIXES: Readonly<Record<string, number>> = {
  alpha: 1,
  beta: 2,
  pre: 3,
  rc: 4,
  cvs: 6,
  svn: 7,
  git: 8,
  hg: 9,
  p: 10,
};
const SUFFIX_NONE = 5;

interface TokenState {
  token: Token;
  /** The token's text (digits, the letter, the suffix name or the hash). */
  value: string;
  suffix: number;
  /** Where the next token starts. */
  at: number;
}

function run(text: string, at: number, pattern: RegExp): string {
  pattern.lastIndex = at;
  return pattern.exec(text)?.[0] ?? '';
}

const DIGITS = /\d*/y;
const LOWER = /[a-z]*/y;
const HEX = /[0-9a-f]*/y;

function digits(state: TokenState, text: string, token: Token): void {
  const value = run(text, state.at, DIGITS);
  state.value = value;
  state.at += value.length;
  state.token = value === '' ? Token.Invalid : token;
}

function first(text: string): TokenState {
  const state: TokenState = { token: Token.InitialDigit, value: '', suffix: 0, at: 0 };
  digits(state, text, Token.InitialDigit);
  return state;
}

function next(state: TokenState, text: string): void {
  if (state.at >= text.length) {
    state.token = Token.End;
    return;
  }
  const char = text[state.at];
  const previous = state.token;
  if (char >= 'a' && char <= 'z' && previous <= Token.Digit) {
    state.value = char;
    state.token = Token.Letter;
    state.at += 1;
  } else if (char === '.' && previous <= Token.Digit) {
    state.at += 1;
    digits(state, text, Token.Digit);
  } else if (char >= '0' && char <= '9' && previous <= Token.Digit) {
    digits(state, text, Token.Digit);
  } else if (char >= '0' && char <= '9' && previous === Token.Suffix) {
    digits(state, text, Token.SuffixNumber);
  } else if (char === '_' && previous <= Token.SuffixNumber) {
    const name = run(text, state.at + 1, LOWER);
    state.at += 1 + name.length;
    state.value = name;
    state.suffix = Object.hasOwn(SUFFIXES, name) ? SUFFIXES[name] : 0;
    state.token = state.suffix === 0 ? Token.Invalid : Token.Suffix;
  } else if (char === '~' && previous < Token.CommitHash) {
    const hash = run(text, state.at + 1, HEX);
    state.at += 1 + hash.length;
    state.value = hash;
    state.token = hash === '' ? Token.Invalid : Token.CommitHash;
  } else if (char === '-' && previous < Token.Revision && text[state.at + 1] === 'r') {
    state.at += 2;
    digits(state, text, Token.Revision);
  } else {
    state.token = Token.Invalid;
  }
}

function compareNumbers(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareTokens(a: TokenState, b: TokenState): number {
  switch (a.token) {
    case Token.Digit:
      if (a.value.startsWith('0') || b.value.startsWith('0')) return compareText(a.value, b.value);
      return compareNumbers(a.value, b.value);
    case Token.InitialDigit:
    case Token.SuffixNumber:
    case Token.Revision:
      return compareNumbers(a.value, b.value);
    case Token.Letter:
      return compareText(a.value, b.value);
    case Token.Suffix:
      return a.suffix - b.suffix;
    default:
      return compareText(a.value, b.value);
  }
}

/** Orders two apk versions as `apk version -t` does. */
export function compareApkVersions(a: string, b: string): number {
  const x = first(a);
  const y = first(b);
  while (x.token === y.token && x.token < Token.End) {
    const order = compareTokens(x, y);
    if (order !== 0) return order < 0 ? -1 : 1;
    next(x, a);
    next(y, b);
  }
  if (x.token === y.token) return 0;
  if (x.token === Token.Suffix && x.suffix < SUFFIX_NONE) return -1;
  if (y.token === Token.Suffix && y.suffix < SUFFIX_NONE) return 1;
  return x.token > y.token ? -1 : 1;
}
