/**
 * CI rules: a verdict per image, in report.json `rules[]` as `{id,
 * threshold, value, pass}`. The keys are dive's `.dive-ci` keys, with
 * dive's comparisons (dive's runtime/ci/rules.go), over Tarsier's exact
 * figures (efficiency.ts) instead of dive's double-counted ones:
 *
 * | key | value compared | fails when |
 * |---|---|---|
 * | `lowest-efficiency` | efficiency.score (visible ÷ stored bytes) | value < threshold |
 * | `highest-wasted-bytes` | efficiency.wastedBytes | value > threshold |
 * | `highest-user-wasted-percent` | wastedBytes ÷ bytes stored by every layer but the first (a ratio, as in dive) | value > threshold; when those layers store nothing (dive divides by zero), value is null and the rule fails if anything is wasted |
 * | `fail-on-findings` | findings of this severity or higher, outside `exclude` | value > 0 |
 *
 * `exclude` (path globs: `*` within a name, `**` across names, `?` one
 * character; a pattern that matches a directory covers what is beneath it)
 * leaves findings at those paths out of `fail-on-findings`; they stay in the
 * report. An image whose analysis could not run fails every rule (value null).
 */
import { FINDING_SEVERITIES, type Finding, type FindingSeverity } from './finding';
import { type Efficiency, userWastedRatio } from './efficiency';

/** What a rules file or link sets; null = the rule is off (dive's `disabled`). */
export interface RuleSet {
  lowestEfficiency: number | null;
  highestWastedBytes: number | null;
  highestUserWastedPercent: number | null;
  failOnFindings: FindingSeverity | null;
  /** Path globs whose findings `fail-on-findings` ignores. */
  exclude: string[];
}

/** No rule set. */
export const NO_RULES: RuleSet = {
  lowestEfficiency: null,
  highestWastedBytes: null,
  highestUserWastedPercent: null,
  failOnFindings: null,
  exclude: [],
};

/** The rule ids, in the order results are listed. */
export const RULE_IDS = ['lowest-efficiency', 'highest-wasted-bytes', 'highest-user-wasted-percent', 'fail-on-findings'] as const;

export type RuleId = (typeof RULE_IDS)[number];

/** report.json `rules[]`. */
export interface RuleResult {
  id: RuleId;
  threshold: number | FindingSeverity;
  /** The measured value; null when it could not be measured. */
  value: number | null;
  pass: boolean;
  /** The image the verdict is about: its manifest digest, else its config digest (null when it has neither). */
  image: string | null;
}

/** What the rules look at in one image. */
export interface RuleSubject {
  image: string | null;
  /** Null when the image could not be analysed (a layer missing or unreadable). */
  analysis: {
    efficiency: Pick<Efficiency, 'score' | 'wastedBytes' | 'layers'>;
    findings: readonly Finding[];
  } | null;
}

/** True when any rule is on. */
export function hasRules(rules: RuleSet): boolean {
  return rules.lowestEfficiency !== null || rules.highestWastedBytes !== null || rules.highestUserWastedPercent !== null || rules.failOnFindings !== null;
}

function globSource(glob: string): string {
  let source = '';
  for (let i = 0; i < glob.length; i += 1) {
    const char = glob[i];
    if (char === '*' && glob[i + 1] === '*') {
      source += '.*';
      i += 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return source;
}

/** A matcher for `exclude` globs: true when a path or one of its parent directories matches. */
export function pathMatcher(globs: readonly string[]): (path: string) => boolean {
  if (globs.length === 0) return () => false;
  const pattern = new RegExp(`^(?:${globs.map((glob) => globSource(glob.replace(/\/+$/, ''))).join('|')})(?:/.*)?$`);
  return (path) => pattern.test(path);
}

/** True when `severity` is `threshold` or higher. */
export function atLeast(severity: FindingSeverity, threshold: FindingSeverity): boolean {
  return FINDING_SEVERITIES.indexOf(severity) <= FINDING_SEVERITIES.indexOf(threshold);
}

function verdicts(rules: RuleSet, subject: RuleSubject, excluded: (path: string) => boolean): RuleResult[] {
  const { image } = subject;
  const efficiency = subject.analysis?.efficiency ?? null;
  const out: RuleResult[] = [];
  if (rules.lowestEfficiency !== null) {
    const value = efficiency?.score ?? null;
    out.push({ id: 'lowest-efficiency', threshold: rules.lowestEfficiency, value, pass: value !== null && !(rules.lowestEfficiency > value), image });
  }
  if (rules.highestWastedBytes !== null) {
    const value = efficiency?.wastedBytes ?? null;
    out.push({ id: 'highest-wasted-bytes', threshold: rules.highestWastedBytes, value, pass: value !== null && value <= rules.highestWastedBytes, image });
  }
  if (rules.highestUserWastedPercent !== null) {
    const value = efficiency === null ? null : userWastedRatio(efficiency);
    const pass = efficiency !== null && (value === null ? efficiency.wastedBytes === 0 : value <= rules.highestUserWastedPercent);
    out.push({ id: 'highest-user-wasted-percent', threshold: rules.highestUserWastedPercent, value, pass, image });
  }
  if (rules.failOnFindings !== null) {
    const threshold = rules.failOnFindings;
    const counted = subject.analysis?.findings.filter((finding) => atLeast(finding.severity, threshold) && (finding.path === null || !excluded(finding.path)));
    const value = counted?.length ?? null;
    out.push({ id: 'fail-on-findings', threshold, value, pass: value === 0, image });
  }
  return out;
}

/** The verdicts of `rules` on each image, image by image, in {@link RULE_IDS} order. */
export function evaluateRules(rules: RuleSet, subjects: readonly RuleSubject[]): RuleResult[] {
  const excluded = pathMatcher(rules.exclude);
  return subjects.flatMap((subject) => verdicts(rules, subject, excluded));
}
