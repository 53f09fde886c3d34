/**
 * Rules files in dive's `.dive-ci` form, so that an existing file works as
 * it is:
 *
 * ```yaml
 * rules:
 *   lowest-efficiency: 0.95          # a ratio; "disabled" turns a rule off
 *   highest-wasted-bytes: 20MB       # 20MB = 20,000,000 bytes, 20MiB = 20,971,520
 *   highest-user-wasted-percent: 0.1 # a ratio, despite the name
 *   fail-on-findings: high           # Tarsier's: high, medium, low or info
 * exclude:                           # Tarsier's: paths whose findings do not fail
 *   - /usr/share/doc/**
 * ```
 *
 * Only this much YAML is read: `key: value` pairs, one level of nesting, `-`
 * lists and `[a, b]` lists, quotes and `#` comments. Unknown keys are errors,
 * so that a misspelt rule cannot pass silently. Sizes are read as dive reads
 * them (go-humanize ParseBytes: SI units, `i` for binary ones).
 */
import { InspectError, InspectErrorCode } from '../errors';
import { FINDING_SEVERITIES, type FindingSeverity } from './finding';
import { NO_RULES, type RuleSet } from './rules';

const BYTE_UNITS: Record<string, number> = {
  '': 1, b: 1,
  k: 1e3, kb: 1e3, ki: 2 ** 10, kib: 2 ** 10,
  m: 1e6, mb: 1e6, mi: 2 ** 20, mib: 2 ** 20,
  g: 1e9, gb: 1e9, gi: 2 ** 30, gib: 2 ** 30,
  t: 1e12, tb: 1e12, ti: 2 ** 40, tib: 2 ** 40,
  p: 1e15, pb: 1e15, pi: 2 ** 50, pib: 2 ** 50,
};

/** `20MB` → 20000000, `1.5 GiB` → 1610612736, `512` → 512 (go-humanize ParseBytes); null when not a size. */
export function parseByteSize(text: string): number | null {
  const match = /^\s*([\d.,]+)\s*([a-z]*)\s*$/i.exec(text);
  if (!match) return null;
  const number = Number(match[1].replace(/,/g, ''));
  const unit = BYTE_UNITS[match[2].toLowerCase()];
  if (!Number.isFinite(number) || unit === undefined) return null;
  return Math.floor(number * unit);
}

function fail(name: string, line: number, message: string): never {
  throw new InspectError(InspectErrorCode.BadRules, `${name} line ${line}: ${message}`, name);
}

function scalar(raw: string): string {
  const text = raw.replace(/(^|\s+)#.*$/, '').trim();
  const quoted = /^(["'])(.*)\1$/.exec(text);
  return quoted ? quoted[2] : text;
}

function ratio(value: string, name: string, line: number, key: string): number | null {
  if (value === 'disabled') return null;
  const number = Number(value);
  if (value === '' || !Number.isFinite(number)) fail(name, line, `${key} must be a number (a ratio such as 0.9) or "disabled", not "${value}"`);
  return number;
}

/** Applies one `rules:` entry. */
function setRule(rules: RuleSet, key: string, value: string, name: string, line: number): void {
  switch (key) {
    case 'lowest-efficiency':
      rules.lowestEfficiency = ratio(value, name, line, key);
      return;
    case 'highest-user-wasted-percent':
      rules.highestUserWastedPercent = ratio(value, name, line, key);
      return;
    case 'highest-wasted-bytes': {
      if (value === 'disabled') {
        rules.highestWastedBytes = null;
        return;
      }
      const bytes = parseByteSize(value);
      if (bytes === null) fail(name, line, `${key} must be a size such as 20MB or 20MiB, or "disabled", not "${value}"`);
      rules.highestWastedBytes = bytes;
      return;
    }
    case 'fail-on-findings':
      if (value === 'disabled') rules.failOnFindings = null;
      else if ((FINDING_SEVERITIES as readonly string[]).includes(value)) rules.failOnFindings = value as FindingSeverity;
      else fail(name, line, `${key} must be one of ${FINDING_SEVERITIES.join(', ')} or "disabled", not "${value}"`);
      return;
    default:
      fail(name, line, `unknown rule "${key}" (known: lowest-efficiency, highest-wasted-bytes, highest-user-wasted-percent, fail-on-findings)`);
  }
}

/** Parses a rules file; throws InspectError `bad-rules` naming `name` and the line. */
export function parseRulesFile(text: string, name = 'rules file'): RuleSet {
  const rules: RuleSet = { ...NO_RULES, exclude: [] };
  let top: 'rules' | 'exclude' | null = null;
  let inList = false;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (scalar(raw) === '') return;
    const item = /^\s*-\s*(.*)$/.exec(raw);
    if (item) {
      if (!inList) fail(name, line, 'a list item outside "exclude:"');
      rules.exclude.push(scalar(item[1]));
      return;
    }
    const pair = /^(\s*)([\w.-]+)\s*:(?:\s+(.*))?$/.exec(raw);
    if (!pair) fail(name, line, `expected "key: value", found "${raw.trim()}"`);
    const [, indent, key] = pair;
    const value = scalar(pair[3] ?? '');
    inList = false;
    if (key === 'exclude' && (indent === '' || top === 'rules')) {
      if (indent === '') top = 'exclude';
      inList = value === '';
      rules.exclude.push(...inlineList(value, name, line));
    } else if (indent !== '') {
      if (top !== 'rules') fail(name, line, `"${key}" is indented under nothing that takes it`);
      setRule(rules, key, value, name, line);
    } else if (key === 'rules') {
      if (value !== '') fail(name, line, '"rules:" takes the rules on the lines below it');
      top = 'rules';
    } else fail(name, line, `unknown key "${key}" (known: rules, exclude)`);
  });
  return rules;
}

function inlineList(value: string, name: string, line: number): string[] {
  if (value === '') return [];
  const list = /^\[(.*)\]$/.exec(value);
  if (!list) fail(name, line, 'exclude takes a list ("- /path" lines or [/a, /b])');
  return list[1].split(',').map(scalar).filter((item) => item !== '');
}
