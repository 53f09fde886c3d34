/**
 * What GNU tar says of an archive: `tar --numeric-owner --full-time -tvv
 * --xattrs` parsed back into TarEntry terms, with its exit status and
 * messages. The reference the tar tests compare the walker and the lister
 * with. Names come quoted in the C locale (`--quoting-style=escape`: `\351`
 * for a byte that is not ASCII, `\n` for a newline) and are turned back into
 * bytes, then into the string the walker makes of those bytes.
 */
import { spawnSync } from 'node:child_process';
import { decodeTarText } from '../../src/core/tar/text';
import type { EntryType } from '../../src/core/types';

/** One member as GNU tar lists it. */
export interface GnuTarMember {
  /** The name, as the walker decodes the same bytes (before cleaning). */
  name: string;
  type: EntryType;
  /** Permission bits with setuid/setgid/sticky. */
  mode: number;
  uid: number;
  gid: number;
  /** The size tar prints (for devices: null, see device). */
  size: number | null;
  device: { major: number; minor: number } | null;
  /** Seconds since the epoch, rounded down, and the nanoseconds tar prints. */
  mtime: number;
  mtimeNanoseconds: number;
  /** Symlink target or hard link target as printed. */
  linkTarget: string | null;
  /** Extended attribute names with their value lengths (`--xattrs -vv`). */
  xattrs: Record<string, number>;
}

/** GNU tar's listing of one archive. */
export interface GnuTarListing {
  members: GnuTarMember[];
  /** 0, or 2 when tar reported an error ("Exiting with failure status"). */
  status: number;
  /** tar's messages (warnings and errors), one per line. */
  messages: string[];
}

const TYPE_BY_CHAR: Record<string, EntryType> = {
  '-': 'file',
  C: 'file',
  d: 'dir',
  l: 'symlink',
  h: 'hardlink',
  c: 'char',
  b: 'block',
  p: 'fifo',
};

/** Undoes `--quoting-style=escape`. */
export function unescapeTarName(text: string): Uint8Array {
  const bytes: number[] = [];
  const simple: Record<string, number> = { n: 10, t: 9, a: 7, b: 8, f: 12, r: 13, v: 11, '\\': 92, ' ': 32 };
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] !== '\\') {
      bytes.push(...new TextEncoder().encode(text[i]));
      continue;
    }
    const octal = /^[0-7]{3}/.exec(text.slice(i + 1));
    if (octal) {
      bytes.push(parseInt(octal[0], 8));
      i += 3;
    } else {
      bytes.push(simple[text[i + 1]] ?? text.charCodeAt(i + 1));
      i += 1;
    }
  }
  return Uint8Array.from(bytes);
}

function modeBits(text: string): number {
  let mode = 0;
  const bit = (index: number, value: number): void => {
    if (text[index] !== '-' && text[index] !== 'S' && text[index] !== 'T') mode |= value;
  };
  [0o400, 0o200, 0o100, 0o40, 0o20, 0o10, 0o4, 0o2, 0o1].forEach((value, i) => bit(i + 1, value));
  if (text[3] === 's' || text[3] === 'S') mode |= 0o4000;
  if (text[6] === 's' || text[6] === 'S') mode |= 0o2000;
  if (text[9] === 't' || text[9] === 'T') mode |= 0o1000;
  return mode;
}

function timeOf(text: string): { mtime: number; mtimeNanoseconds: number } {
  const match = /^(-?\d+)-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?$/.exec(text);
  if (!match) return { mtime: Number(text), mtimeNanoseconds: 0 };
  const [, year, month, day, hour, minute, second, fraction = ''] = match;
  const date = new Date(0);
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  date.setUTCHours(Number(hour), Number(minute), Number(second), 0);
  return { mtime: date.getTime() / 1000, mtimeNanoseconds: Number(fraction.padEnd(9, '0')) };
}

const LINE =
  /^(\S)(\S{9})[* +]? (\d+)\/(\d+) +(\d+|\d+,\d+) (-?\d+-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?|-?\d+) +(.*)$/;

function memberOf(line: string): GnuTarMember {
  const match = LINE.exec(line);
  if (!match) throw new Error(`cannot parse GNU tar's line: ${JSON.stringify(line)}`);
  const [, typeChar, perms, uid, gid, sizeText, when, rest] = match;
  const type = TYPE_BY_CHAR[typeChar] ?? 'other';
  let nameText = rest;
  let linkTarget: string | null = null;
  const arrow = type === 'symlink' ? rest.indexOf(' -> ') : type === 'hardlink' ? rest.indexOf(' link to ') : -1;
  if (arrow >= 0) {
    nameText = rest.slice(0, arrow);
    linkTarget = decodeTarText(unescapeTarName(rest.slice(arrow + (type === 'symlink' ? 4 : 9))));
  }
  if (type === 'other') nameText = nameText.replace(/( unknown file type .*|--Volume Header--|--Continued at byte \d+--)$/, '');
  const device = sizeText.includes(',')
    ? { major: Number(sizeText.split(',')[0]), minor: Number(sizeText.split(',')[1]) }
    : null;
  return {
    name: decodeTarText(unescapeTarName(nameText)),
    type,
    mode: modeBits(typeChar + perms),
    uid: Number(uid),
    gid: Number(gid),
    size: device ? null : Number(sizeText),
    device,
    ...timeOf(when),
    linkTarget,
    xattrs: {},
  };
}

/** Runs GNU tar on `path` and parses its listing. */
export function gnuTarListing(path: string): GnuTarListing {
  const run = spawnSync(
    'tar',
    ['--numeric-owner', '--full-time', '--quoting-style=escape', '--xattrs', '--xattrs-include=*', '-tvvf', path],
    { env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' }, encoding: 'latin1', maxBuffer: 1 << 28 },
  );
  const members: GnuTarMember[] = [];
  for (const line of run.stdout.split('\n')) {
    if (line === '') continue;
    const xattr = /^ {2}x: +(\d+) (.*)$/.exec(line);
    if (xattr) {
      members[members.length - 1].xattrs[decodeTarText(unescapeTarName(xattr[2]))] = Number(xattr[1]);
    } else {
      members.push(memberOf(line));
    }
  }
  return {
    members,
    status: run.status ?? -1,
    messages: run.stderr.split('\n').filter((line) => line !== ''),
  };
}
