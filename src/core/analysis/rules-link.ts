/**
 * Rules in a link: the value of the `rules` key of the page's hash, short
 * enough to read and to type. Items are separated by `!` (a character that
 * percent-encoding leaves alone, so the hash stays readable), each a letter
 * and a value:
 *
 * | item | rule |
 * |---|---|
 * | `e0.9` | lowest-efficiency 0.9 |
 * | `w20MB` | highest-wasted-bytes 20 MB (any size rules files accept; written back in the largest exact unit) |
 * | `u0.1` | highest-user-wasted-percent 0.1 |
 * | `fhigh` | fail-on-findings high (or medium, low, info) |
 * | `x/usr/share/doc/**` | one exclude glob (repeat for more); `%` and `!` in it are written `%25` and `%21` |
 *
 * `#/?…&rules=e0.95!w20MB!fhigh!x/usr/share/doc/**` is the `.dive-ci` of the
 * rules-file.ts example. Rules that are off are left out; decoding is strict
 * (a bad item is an InspectError `bad-rules`), as a rules file is.
 */
import { InspectError, InspectErrorCode } from '../errors';
import { FINDING_SEVERITIES, type FindingSeverity } from './finding';
import { NO_RULES, type RuleSet } from './rules';
import { parseByteSize } from './rules-file';

const SEPARATOR = '!';

/** Exact decimal and binary units, largest first, for writing sizes back. */
const SIZE_UNITS: readonly [string, number][] = [
  ['PiB', 2 ** 50], ['PB', 1e15], ['TiB', 2 ** 40], ['TB', 1e12], ['GiB', 2 ** 30], ['GB', 1e9],
  ['MiB', 2 ** 20], ['MB', 1e6], ['KiB', 2 ** 10], ['kB', 1e3],
];

/** `20000000` → `20MB`, `20971520` → `20MiB`, `1234` → `1234`. */
export function formatByteSize(bytes: number): string {
  for (const [unit, size] of SIZE_UNITS) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

function escapeItem(text: string): string {
  return text.replace(/%/g, '%25').replace(/!/g, '%21');
}

/** The `rules` link value of a rule set ('' when no rule is on and nothing is excluded). */
export function encodeRulesParam(rules: RuleSet): string {
  const items: string[] = [];
  if (rules.lowestEfficiency !== null) items.push(`e${rules.lowestEfficiency}`);
  if (rules.highestWastedBytes !== null) items.push(`w${formatByteSize(rules.highestWastedBytes)}`);
  if (rules.highestUserWastedPercent !== null) items.push(`u${rules.highestUserWastedPercent}`);
  if (rules.failOnFindings !== null) items.push(`f${rules.failOnFindings}`);
  for (const glob of rules.exclude) items.push(`x${escapeItem(glob)}`);
  return items.join(SEPARATOR);
}

function bad(item: string, why: string): never {
  throw new InspectError(InspectErrorCode.BadRules, `rules link: "${item}" ${why}`, 'rules');
}

function ratio(item: string): number {
  const value = item.slice(1);
  const number = Number(value);
  if (value === '' || !Number.isFinite(number)) bad(item, 'needs a number after its letter');
  return number;
}

/** Parses a `rules` link value (see the file comment). */
export function decodeRulesParam(text: string): RuleSet {
  const rules: RuleSet = { ...NO_RULES, exclude: [] };
  for (const item of text.split(SEPARATOR)) {
    if (item === '') continue;
    const value = item.slice(1);
    switch (item[0]) {
      case 'e':
        rules.lowestEfficiency = ratio(item);
        break;
      case 'u':
        rules.highestUserWastedPercent = ratio(item);
        break;
      case 'w': {
        const bytes = parseByteSize(value);
        if (bytes === null) bad(item, 'needs a size such as 20MB');
        rules.highestWastedBytes = bytes;
        break;
      }
      case 'f':
        if (!(FINDING_SEVERITIES as readonly string[]).includes(value)) bad(item, `needs one of ${FINDING_SEVERITIES.join(', ')}`);
        rules.failOnFindings = value as FindingSeverity;
        break;
      case 'x':
        try {
          rules.exclude.push(decodeURIComponent(value));
        } catch {
          bad(item, 'has a broken %-escape');
        }
        break;
      default:
        bad(item, 'is not a rule (e, w, u, f or x)');
    }
  }
  return rules;
}
