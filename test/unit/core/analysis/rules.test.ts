/**
 * Rules: dive's `.dive-ci` file as dive documents it, its comparisons at
 * their boundaries, Tarsier's findings rule and excludes, and the link form.
 */
import { describe, expect, it } from 'vitest';
import { InspectError } from '../../../../src/core/errors';
import type { Finding } from '../../../../src/core/analysis/finding';
import { evaluateRules, NO_RULES, pathMatcher, type RuleSet, type RuleSubject } from '../../../../src/core/analysis/rules';
import { parseByteSize, parseRulesFile } from '../../../../src/core/analysis/rules-file';
import { decodeRulesParam, encodeRulesParam, formatByteSize } from '../../../../src/core/analysis/rules-link';

/** dive's README example `.dive-ci`, comments included. */
const DIVE_CI = `rules:
  # If the efficiency is measured below X%, mark as failed.
  # Expressed as a ratio between 0-1.
  lowest-efficiency: 0.95

  # If the amount of wasted space is at least X or larger than X, mark as failed.
  # Expressed in B, KB, MB, and GB.
  highest-wasted-bytes: 20MB

  # If the amount of wasted space makes up for X% or more of the image, mark as failed.
  # Note: the base image layer is NOT included in the total image size.
  # Expressed as a ratio between 0-1; fails if the threshold is met or crossed.
  highest-user-wasted-percent: 0.20
`;

const rules = (set: Partial<RuleSet>): RuleSet => ({ ...NO_RULES, ...set });
const layers = (...stored: number[]) => stored.map((storedBytes, index) => ({ index, createdBy: null, storedBytes, visibleBytes: 0, wastedBytes: 0 }));
const finding = (severity: Finding['severity'], path: string | null): Finding => ({ id: 'x', severity, path, layer: 0, message: 'm' });
const subject = (score: number, wastedBytes: number, stored: number[], findings: Finding[] = []): RuleSubject => ({
  image: 'sha256:abc',
  analysis: { efficiency: { score, wastedBytes, layers: layers(...stored) }, findings },
});

describe('rules files', () => {
  it("reads dive's example .dive-ci", () => {
    expect(parseRulesFile(DIVE_CI)).toEqual(rules({ lowestEfficiency: 0.95, highestWastedBytes: 20_000_000, highestUserWastedPercent: 0.2 }));
  });

  it('reads disabled rules, quotes, findings rules and excludes in both list forms', () => {
    const text = "rules:\n  lowest-efficiency: disabled\n  highest-wasted-bytes: '1.5 GiB'\n  fail-on-findings: medium # comment\n  exclude: [/usr/share/doc/**, \"/opt/x\"]\nexclude:\n  - /tmp/*\n";
    expect(parseRulesFile(text)).toEqual(rules({ highestWastedBytes: 1610612736, failOnFindings: 'medium', exclude: ['/usr/share/doc/**', '/opt/x', '/tmp/*'] }));
  });

  it('refuses misspelt rules, bad values and stray lines, naming file and line', () => {
    const failure = (text: string): string => {
      try {
        parseRulesFile(text, '.dive-ci');
      } catch (error) {
        expect(error).toBeInstanceOf(InspectError);
        expect((error as InspectError).code).toBe('bad-rules');
        return (error as Error).message;
      }
      throw new Error('parsed');
    };
    expect(failure('rules:\n  lowest-eficiency: 0.9\n')).toMatch(/^\.dive-ci line 2: unknown rule "lowest-eficiency"/);
    expect(failure('rules:\n  highest-wasted-bytes: lots\n')).toMatch(/line 2: highest-wasted-bytes must be a size/);
    expect(failure('rules:\n  lowest-efficiency: 90%\n')).toMatch(/line 2: lowest-efficiency must be a number/);
    expect(failure('rules:\n  fail-on-findings: critical\n')).toMatch(/one of high, medium, low, info/);
    expect(failure('  lowest-efficiency: 0.9\n')).toMatch(/line 1: "lowest-efficiency" is indented under nothing/);
    expect(failure('- /tmp\n')).toMatch(/list item outside "exclude:"/);
    expect(failure('ci: true\n')).toMatch(/unknown key "ci"/);
  });

  it('reads sizes as go-humanize does', () => {
    expect(['20MB', '20 mb', '20M', '20MiB', '1,000', '0.5kB', '7', '3 GB'].map(parseByteSize)).toEqual([20e6, 20e6, 20e6, 20971520, 1000, 500, 7, 3e9]);
    expect(parseByteSize('20 XB')).toBeNull();
    expect(parseByteSize('-1MB')).toBeNull();
  });
});

describe('verdicts', () => {
  it("compares as dive does: efficiency below, bytes and user share above the threshold fail; equal passes", () => {
    const set = rules({ lowestEfficiency: 0.9, highestWastedBytes: 100, highestUserWastedPercent: 0.5 });
    expect(evaluateRules(set, [subject(0.9, 100, [800, 200])]).map((r) => [r.id, r.value, r.pass])).toEqual([
      ['lowest-efficiency', 0.9, true],
      ['highest-wasted-bytes', 100, true],
      ['highest-user-wasted-percent', 0.5, true],
    ]);
    expect(evaluateRules(set, [subject(0.89, 101, [800, 200])]).map((r) => r.pass)).toEqual([false, false, false]);
    expect(evaluateRules(set, [subject(0.89, 101, [800, 200])])[0]).toEqual({ id: 'lowest-efficiency', threshold: 0.9, value: 0.89, pass: false, image: 'sha256:abc' });
  });

  it('fails the user share when the upper layers store nothing but something is wasted (dive: +Inf)', () => {
    const set = rules({ highestUserWastedPercent: 0.1 });
    expect(evaluateRules(set, [subject(0.5, 10, [20, 0])])[0]).toMatchObject({ value: null, pass: false });
    expect(evaluateRules(set, [subject(1, 0, [20])])[0]).toMatchObject({ value: null, pass: true });
  });

  it('counts findings at or above a severity, outside the excluded paths', () => {
    const findings = [finding('high', '/usr/share/doc/pkg/test.key'), finding('medium', '/app/x'), finding('low', '/app/y'), finding('medium', null)];
    const set = rules({ failOnFindings: 'medium', exclude: ['/usr/share/doc'] });
    expect(evaluateRules(set, [subject(1, 0, [1], findings)])[0]).toEqual({ id: 'fail-on-findings', threshold: 'medium', value: 2, pass: false, image: 'sha256:abc' });
    expect(evaluateRules(rules({ failOnFindings: 'high', exclude: ['/usr/**/*.key'] }), [subject(1, 0, [1], findings)])[0]).toMatchObject({ value: 0, pass: true });
  });

  it('fails every rule of an image that could not be analysed, one verdict per image', () => {
    const set = rules({ lowestEfficiency: 0.5, failOnFindings: 'info' });
    const results = evaluateRules(set, [subject(1, 0, [1]), { image: null, analysis: null }]);
    expect(results.map((r) => [r.image, r.id, r.value, r.pass])).toEqual([
      ['sha256:abc', 'lowest-efficiency', 1, true],
      ['sha256:abc', 'fail-on-findings', 0, true],
      [null, 'lowest-efficiency', null, false],
      [null, 'fail-on-findings', null, false],
    ]);
  });

  it('matches globs by name (*), across names (**), and a directory covers what is beneath', () => {
    const excluded = pathMatcher(['/usr/share/doc', '/opt/*/cache', '/srv/**/*.pem', '/tmp/?.log']);
    expect(['/usr/share/doc/a/b', '/usr/share/doc', '/opt/app/cache/x', '/srv/a/b/c.pem', '/tmp/a.log'].map(excluded)).toEqual([true, true, true, true, true]);
    expect(['/usr/share/docs', '/opt/a/b/cache', '/srv/c.pem.bak', '/tmp/ab.log', '/usr/share'].map(excluded)).toEqual([false, false, false, false, false]);
  });
});

describe('rules links', () => {
  it('writes a compact value and reads it back', () => {
    const set = rules({ lowestEfficiency: 0.95, highestWastedBytes: 20_000_000, highestUserWastedPercent: 0.2, failOnFindings: 'high', exclude: ['/usr/share/doc/**', '/odd!name%'] });
    const text = encodeRulesParam(set);
    expect(text).toBe('e0.95!w20MB!u0.2!fhigh!x/usr/share/doc/**!x/odd%21name%25');
    expect(decodeRulesParam(text)).toEqual(set);
    expect(encodeRulesParam(NO_RULES)).toBe('');
    expect(decodeRulesParam('')).toEqual(NO_RULES);
  });

  it('writes sizes in the largest exact unit', () => {
    expect([20971520, 20_000_000, 1024, 1500, 3e9].map(formatByteSize)).toEqual(['20MiB', '20MB', '1KiB', '1500', '3GB']);
  });

  it('refuses a bad item', () => {
    expect(() => decodeRulesParam('e0.9!q1')).toThrow(/"q1" is not a rule/);
    expect(() => decodeRulesParam('ex')).toThrow(/needs a number/);
    expect(() => decodeRulesParam('fcritical')).toThrow(/needs one of/);
    expect(() => decodeRulesParam('x%zz')).toThrow(/broken %-escape/);
  });
});
