/**
 * Will this image run on that host? Check by check: the image's platform
 * and every binary's architecture against the host's CPU, the host kernel
 * against every ABI tag's minimum, whether the dynamic binaries find their
 * loader, libraries and symbol versions inside the image, and how far apart
 * the image's OS and the host's OS are in age (containers share the host's
 * kernel: a much newer C library may use system calls the host lacks or its
 * seccomp profile blocks). Pure: the binaries come from analyseBinaries.
 *
 * A host is written in links as `host=<preset>` (`host=rhel8-amd64`) or
 * `host=<arch>[/<variant>][,kernel=<x.y[.z]>][,os=<id>:<version>]`
 * (`host=arm/v7,kernel=6.1,os=raspbian:12`).
 */
import type { BinariesAnalysis } from './binaries/model';
import { architectureProblem } from './binaries/findings';
import { compareDotted } from './binaries/versions';
import { type HostSpec, hostPreset, releaseYear } from './host-presets';
import type { OsInfo } from './os-release';

export { HOST_PRESETS, hostPreset, type HostSpec } from './host-presets';

/** One check's outcome. */
export interface HostCheck {
  id: 'platform' | 'architecture' | 'kernel' | 'libraries' | 'os-age';
  status: 'pass' | 'fail' | 'warn' | 'unknown';
  /** One plain sentence. */
  message: string;
  /** Files concerned (at most MAX_PATHS), for linking to the Merged view. */
  paths: string[];
}

export interface HostReport {
  host: HostSpec;
  /** runs: every check passes; does-not-run: one fails; unknown: a deciding check could not be made. */
  verdict: 'runs' | 'runs-with-warnings' | 'does-not-run' | 'unknown';
  checks: HostCheck[];
}

/** What the check needs to know about the image. */
export interface HostCheckInput {
  platform: { architecture: string; variant?: string | null } | null;
  os: OsInfo | null;
  binaries: Pick<BinariesAnalysis, 'files'>;
}

const MAX_PATHS = 20;
/** Years apart from which the OS age difference is worth a warning. */
const AGE_WARNING_YEARS = 5;

const label = (p: { architecture: string; variant?: string | null }): string => `${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function platformCheck(input: HostCheckInput, host: HostSpec): HostCheck {
  if (input.platform === null) return { id: 'platform', status: 'unknown', message: 'The image names no platform.', paths: [] };
  const problem = architectureProblem({ architecture: input.platform.architecture, variant: input.platform.variant ?? null }, host);
  if (problem === null) return { id: 'platform', status: 'pass', message: `The image is for ${label(input.platform)}, which ${host.label} runs.`, paths: [] };
  return { id: 'platform', status: problem.severity === 'high' ? 'fail' : 'warn', message: `The image is for ${label(input.platform)}; ${host.label} is ${label(host)}.`, paths: [] };
}

function architectureCheck(input: HostCheckInput, host: HostSpec): HostCheck {
  const runnable = input.binaries.files.filter((f) => f.kind === 'executable' || f.kind === 'library');
  if (runnable.length === 0) return { id: 'architecture', status: 'unknown', message: 'The image has no executables or libraries to check.', paths: [] };
  const bad = runnable.filter((f) => architectureProblem(f, host)?.severity === 'high');
  const maybe = runnable.filter((f) => architectureProblem(f, host)?.severity === 'medium');
  if (bad.length > 0) {
    const kinds = [...new Set(bad.map((f) => label(f)))].join(', ');
    return { id: 'architecture', status: 'fail', message: `${plural(bad.length, 'binary', 'binaries')} of ${runnable.length} are for ${kinds}, which ${host.label} cannot run.`, paths: bad.slice(0, MAX_PATHS).map((f) => f.path) };
  }
  if (maybe.length > 0) {
    return { id: 'architecture', status: 'warn', message: `${plural(maybe.length, 'binary', 'binaries')} are 32-bit (${[...new Set(maybe.map((f) => label(f)))].join(', ')}): they run only if ${host.label} supports that mode.`, paths: maybe.slice(0, MAX_PATHS).map((f) => f.path) };
  }
  return { id: 'architecture', status: 'pass', message: `All ${runnable.length} binaries are for ${label(host)} or compatible.`, paths: [] };
}

function kernelCheck(input: HostCheckInput, host: HostSpec): HostCheck {
  const tagged = input.binaries.files.filter((f) => f.minKernel !== null);
  if (tagged.length === 0) return { id: 'kernel', status: 'pass', message: 'No binary states a minimum kernel (ABI tag).', paths: [] };
  const highest = tagged.reduce((best, f) => (compareDotted(f.minKernel ?? '0', best) > 0 ? (f.minKernel ?? best) : best), '0');
  if (host.kernel === null) return { id: 'kernel', status: 'unknown', message: `The binaries need kernel ${highest} or newer; the host's kernel is not known.`, paths: [] };
  const tooNew = tagged.filter((f) => compareDotted(f.minKernel ?? '0', host.kernel ?? '0') > 0);
  if (tooNew.length > 0) {
    return { id: 'kernel', status: 'fail', message: `${plural(tooNew.length, 'binary', 'binaries')} ${tooNew.length === 1 ? 'needs' : 'need'} kernel ${highest}; the host has ${host.kernel}.`, paths: tooNew.slice(0, MAX_PATHS).map((f) => f.path) };
  }
  return { id: 'kernel', status: 'pass', message: `Kernel ${host.kernel} is at least ${highest}, the newest any binary needs.`, paths: [] };
}

function librariesCheck(input: HostCheckInput): HostCheck {
  const dynamic = input.binaries.files.filter((f) => f.kind === 'executable' && f.linkage === 'dynamic');
  if (dynamic.length === 0) return { id: 'libraries', status: 'pass', message: 'No dynamically linked executables.', paths: [] };
  const unsatisfied = dynamic.filter((f) => !f.satisfied);
  if (unsatisfied.length > 0) {
    return { id: 'libraries', status: 'fail', message: `${plural(unsatisfied.length, 'dynamic executable')} of ${dynamic.length} lack a loader, library or symbol version inside the image.`, paths: unsatisfied.slice(0, MAX_PATHS).map((f) => f.path) };
  }
  return { id: 'libraries', status: 'pass', message: `All ${dynamic.length} dynamic executables find their loader, libraries and symbol versions inside the image.`, paths: [] };
}

function osAgeCheck(input: HostCheckInput, host: HostSpec): HostCheck {
  const imageYear = input.os === null ? null : releaseYear(input.os.id, input.os.versionId);
  const hostYear = host.os === null ? null : releaseYear(host.os.id, host.os.versionId);
  const name = input.os?.prettyName ?? 'The image';
  if (imageYear === null || hostYear === null) return { id: 'os-age', status: 'unknown', message: 'The release year of the image’s or the host’s OS is not known.', paths: [] };
  const difference = imageYear - hostYear;
  if (difference >= AGE_WARNING_YEARS) {
    return { id: 'os-age', status: 'warn', message: `${name} (${imageYear}) is ${difference} years newer than ${host.label} (${hostYear}): its C library may use system calls that the host kernel lacks or its seccomp profile blocks.`, paths: [] };
  }
  if (-difference >= AGE_WARNING_YEARS) {
    return { id: 'os-age', status: 'warn', message: `${name} (${imageYear}) is ${-difference} years older than ${host.label} (${hostYear}): it runs, but its packages are likely out of support.`, paths: [] };
  }
  return { id: 'os-age', status: 'pass', message: `${name} (${imageYear}) and ${host.label} (${hostYear}) are close in age.`, paths: [] };
}

/** Runs every check of the image against the host. */
export function checkHost(input: HostCheckInput, host: HostSpec): HostReport {
  const checks = [platformCheck(input, host), architectureCheck(input, host), kernelCheck(input, host), librariesCheck(input), osAgeCheck(input, host)];
  const deciding = checks.filter((check) => check.id !== 'os-age');
  let verdict: HostReport['verdict'] = 'runs';
  if (checks.some((check) => check.status === 'fail')) verdict = 'does-not-run';
  else if (deciding.some((check) => check.status === 'unknown')) verdict = 'unknown';
  else if (checks.some((check) => check.status === 'warn')) verdict = 'runs-with-warnings';
  return { host, verdict, checks };
}

const TOKEN = /^[a-z0-9]+$/;

/** The `host=` link value of a host. */
export function encodeHost(host: HostSpec): string {
  if (host.preset !== null) return host.preset;
  let value = label(host);
  if (host.kernel !== null) value += `,kernel=${host.kernel}`;
  if (host.os !== null) value += `,os=${host.os.id}:${host.os.versionId}`;
  return value;
}

/** Reads a `host=` link value; null when it is neither a preset nor a well-formed host. */
export function decodeHost(value: string): HostSpec | null {
  const preset = hostPreset(value);
  if (preset !== null) return preset;
  const [platform, ...options] = value.split(',');
  const [architecture, variant, extra] = platform.split('/');
  if (!TOKEN.test(architecture) || extra !== undefined || (variant !== undefined && !/^v\d+$/.test(variant))) return null;
  const host: HostSpec = { preset: null, label: '', architecture, variant: variant ?? null, kernel: null, os: null };
  for (const option of options) {
    const [key, setting] = option.split('=');
    if (key === 'kernel' && setting !== undefined && /^\d+(\.\d+){0,2}$/.test(setting)) host.kernel = setting;
    else if (key === 'os' && /^[a-z0-9._-]+:[A-Za-z0-9._-]+$/.test(setting ?? '')) {
      const [id, versionId] = (setting ?? '').split(':');
      host.os = { id, versionId };
    } else return null;
  }
  host.label = [label(host), host.os !== null ? `${host.os.id} ${host.os.versionId}` : null, host.kernel !== null ? `kernel ${host.kernel}` : null]
    .filter(Boolean).join(', ');
  return host;
}
