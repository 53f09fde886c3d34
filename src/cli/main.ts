/**
 * The `tarsier` command (package.json `bin`):
 *
 *   tarsier report FILE… [--rules FILE] [--output FILE]
 *
 * prints report.json (what the page's **Download report** saves) to stdout,
 * or writes it to `--output`, and a short verdict to stderr. Exit status: 0,
 * or 1 when a rule failed, or 2 when the command line, the rules file or an
 * input cannot be read (a broken image is not that: its problems are in the
 * report, as on the page).
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { AnalysedReport } from '../core/analysis/analysed-report';
import { FINDING_SEVERITIES } from '../core/analysis/finding';
import type { RuleSet } from '../core/analysis/rules';
import { parseRulesFile } from '../core/analysis/rules-file';
import { toErrorInfo } from '../core/errors';
import { reportFromPaths, type ReportPhases } from './report-command';

const USAGE = `usage: tarsier report FILE… [--rules FILE] [--output FILE]

  FILE…           a docker save / podman save tar (gzipped or not), an OCI archive,
                  an OCI layout folder (or its files), a single layer, or a JSON document
  --rules FILE    rules in dive's .dive-ci form (lowest-efficiency, highest-wasted-bytes,
                  highest-user-wasted-percent) plus fail-on-findings and exclude
  --output FILE   write report.json there instead of to stdout

Exit status: 0; 1 when a rule failed; 2 when the arguments or an input cannot be read.`;

interface Arguments {
  paths: string[];
  rules: string | null;
  output: string | null;
}

class UsageError extends Error {}

function parseArguments(argv: readonly string[]): Arguments {
  const [command, ...rest] = argv;
  if (command !== 'report') throw new UsageError(command === undefined ? 'no command' : `unknown command "${command}"`);
  const parsed: Arguments = { paths: [], rules: null, output: null };
  for (let i = 0; i < rest.length; i += 1) {
    const argument = rest[i];
    if (argument === '--rules' || argument === '--output') {
      const value = rest[i + 1];
      if (value === undefined) throw new UsageError(`${argument} needs a file`);
      if (argument === '--rules') parsed.rules = value;
      else parsed.output = value;
      i += 1;
    } else if (argument.startsWith('--')) {
      throw new UsageError(`unknown option ${argument}`);
    } else {
      parsed.paths.push(argument);
    }
  }
  if (parsed.paths.length === 0) throw new UsageError('no FILE given');
  return parsed;
}

/** One line per image and per rule, for a CI log. */
function summary(report: AnalysedReport, phases: ReportPhases): string[] {
  const took = `layers read in ${phases.layersMs} ms, analysed in ${phases.analysisMs} ms`;
  const lines = [`tarsier report: ${report.source.name} (${report.source.kind}), ${report.images.length} image(s); ${took}`];
  for (const image of report.images) {
    const name = image.refs[0] ?? image.manifestDigest ?? image.configDigest ?? 'image';
    const counts = FINDING_SEVERITIES.map((severity) => `${image.findings.filter((finding) => finding.severity === severity).length} ${severity}`);
    const efficiency = image.efficiency
      ? `efficiency ${(image.efficiency.score * 100).toFixed(1)} % (${image.efficiency.wastedBytes} of ${image.efficiency.storedBytes} bytes wasted)`
      : 'not analysed';
    lines.push(`  ${name}: ${efficiency}; findings: ${counts.join(', ')}`);
  }
  for (const rule of report.rules ?? []) {
    lines.push(`  ${rule.pass ? 'PASS' : 'FAIL'} ${rule.id}: ${rule.value ?? 'unmeasured'} (threshold ${rule.threshold})${rule.image ? ` ${rule.image}` : ''}`);
  }
  for (const error of report.errors) lines.push(`  error: ${error.message}`);
  return lines;
}

/** Runs the command; resolves with the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  let args: Arguments;
  let rules: RuleSet | null = null;
  try {
    args = parseArguments(argv);
    if (args.rules !== null) rules = parseRulesFile(await readFile(args.rules, 'utf8'), args.rules);
  } catch (error) {
    process.stderr.write(`tarsier: ${toErrorInfo(error).message}\n${error instanceof UsageError ? `\n${USAGE}\n` : ''}`);
    return 2;
  }
  let report: AnalysedReport;
  let phases: ReportPhases;
  try {
    ({ report, phases } = await reportFromPaths(args.paths, { rules }));
  } catch (error) {
    process.stderr.write(`tarsier: ${toErrorInfo(error).message}\n`);
    return 2;
  }
  const text = `${JSON.stringify(report, null, 2)}\n`;
  if (args.output === null) process.stdout.write(text);
  else await writeFile(args.output, text);
  process.stderr.write(`${summary(report, phases).join('\n')}\n`);
  return report.rules?.some((rule) => !rule.pass) ? 1 : 0;
}

void main(process.argv.slice(2)).then((status) => {
  process.exitCode = status;
});
