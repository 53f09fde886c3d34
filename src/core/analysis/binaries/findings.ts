/**
 * Findings about binaries (report.json `findings[]`, ids stable):
 * - `architecture-mismatch`: an ELF file for another architecture (or a newer
 *   ARM variant) than the image's platform; `medium` where the platform's
 *   CPUs usually run it anyway (386 on amd64, arm on arm64), else `high`;
 * - `missing-interpreter`: the loader a file names (PT_INTERP) is not in the image;
 * - `missing-library`: a DT_NEEDED library is found nowhere ld.so would look;
 * - `glibc-version-missing`: a file needs a GLIBC_x.y version that the
 *   image's C library does not define (it would stop with "version
 *   `GLIBC_2.34' not found");
 * - `library-version-missing`: the same for another library's versions
 *   (GLIBCXX_3.4.30 of libstdc++, OPENSSL_3.0.0…), `medium`.
 * At most MAX_PER_ID findings of one id are listed, then one that counts the rest.
 */
import type { Finding, FindingSeverity } from '../finding';
import type { BinaryFile } from './model';
import { glibcVersion } from './versions';

const MAX_PER_ID = 200;

/** Architectures whose CPUs commonly run binaries of another (32-bit) one. */
const RUNS_ALSO: Record<string, string[]> = { amd64: ['386'], arm64: ['arm'], s390x: ['s390'] };

/** Numeric rank of an ARM variant (v5 < v6 < v7 < v8), or null. */
function variantRank(variant: string | null | undefined): number | null {
  const match = /^v(\d+)$/.exec(variant ?? '');
  return match === null ? null : Number(match[1]);
}

/** How a file's architecture compares with the platform: null when it runs there. */
export function architectureProblem(
  file: Pick<BinaryFile, 'architecture' | 'variant'>,
  platform: { architecture: string; variant?: string | null },
): { severity: FindingSeverity; message: string } | null {
  const wanted = platform.architecture;
  const label = `${platform.architecture}${platform.variant ? `/${platform.variant}` : ''}`;
  if (file.architecture === wanted) {
    const have = variantRank(file.variant);
    const can = variantRank(platform.variant);
    if (wanted === 'arm' && have !== null && can !== null && have > can) {
      return { severity: 'high', message: `an ARM ${file.variant} binary, newer than the platform's ${label}` };
    }
    return null;
  }
  if (RUNS_ALSO[wanted]?.includes(file.architecture)) {
    return { severity: 'medium', message: `a ${file.architecture} binary in a ${label} image (runs only where the CPU and kernel support ${file.architecture})` };
  }
  return { severity: 'high', message: `a ${file.architecture}${file.variant ? `/${file.variant}` : ''} binary in a ${label} image` };
}

/** The findings of the binaries of one image. */
export function binaryFindings(files: readonly BinaryFile[], platform: { architecture: string; variant?: string | null } | null): Finding[] {
  const byId = new Map<string, Finding[]>();
  const counts = new Map<string, number>();
  const add = (finding: Finding): void => {
    counts.set(finding.id, (counts.get(finding.id) ?? 0) + 1);
    const list = byId.get(finding.id) ?? [];
    if (list.length < MAX_PER_ID) list.push(finding);
    byId.set(finding.id, list);
  };
  for (const file of files) {
    const base = { path: file.path, layer: file.layer };
    if (platform !== null && (file.kind === 'executable' || file.kind === 'library')) {
      const mismatch = architectureProblem(file, platform);
      if (mismatch !== null) add({ id: 'architecture-mismatch', severity: mismatch.severity, ...base, message: `${file.path} is ${mismatch.message}.` });
    }
    for (const problem of file.problems) {
      if (problem.kind === 'missing-interpreter') {
        add({ id: 'missing-interpreter', severity: 'high', ...base, message: `${file.path} needs the loader ${problem.interpreter}, which is not in the image.` });
      } else if (problem.kind === 'missing-library') {
        add({ id: 'missing-library', severity: 'high', ...base, message: `${file.path} needs ${problem.library}, found in none of the ${problem.searched.length} directories ld.so searches.` });
      } else {
        const glibc = glibcVersion(problem.version) !== null;
        add({
          id: glibc ? 'glibc-version-missing' : 'library-version-missing',
          severity: glibc ? 'high' : 'medium',
          ...base,
          message: `${file.path} needs ${problem.version} of ${problem.library}, which ${problem.path} does not define.`,
        });
      }
    }
  }
  const findings: Finding[] = [];
  for (const [id, list] of byId) {
    findings.push(...list);
    const more = (counts.get(id) ?? 0) - list.length;
    if (more > 0) findings.push({ id, severity: list[0].severity, path: null, layer: null, message: `${more} more files have the same problem (${id}).` });
  }
  return findings;
}
