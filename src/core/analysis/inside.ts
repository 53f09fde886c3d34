/**
 * Everything "inside the image" for one merged rootfs, in one call: the OS,
 * the packages of every database, the binaries and the findings about
 * them, and the report.json fields they fill (`os`, `packages`,
 * `binaries`, `findings`). Runs wherever a Rootfs can be read (the
 * filesystem worker, the Node command line).
 */
import type { Finding } from './finding';
import { analyseBinaries, type BinariesAnalysis, type BinarySummary } from './binaries/index';
import { analyseOs, type OsInfo } from './os-release';
import { analysePackages, type PackageInventory } from './packages/index';
import type { PackageType } from './packages/model';
import type { RpmSqliteReader } from './packages/rpm-sqlite';
import type { Rootfs } from './rootfs';

/** Options of {@link analyseInside}. */
export interface InsideOptions {
  /** The image's platform (config, else index entry), or null. */
  platform: { architecture: string; variant?: string | null } | null;
  /** The image config's Env (LD_LIBRARY_PATH). */
  env?: readonly string[];
  /** Reads rpmdb.sqlite (sql.js); null to report such databases as unread. */
  sqlite: RpmSqliteReader | null;
  signal?: AbortSignal;
}

export interface InsideAnalysis {
  os: OsInfo | null;
  packages: PackageInventory;
  binaries: BinariesAnalysis;
  findings: Finding[];
}

/** report.json `images[].packages[]` (docs/inside-the-image.md, "Packages": the six contract fields, and source, license, size). */
export interface ReportPackage {
  type: PackageType;
  name: string;
  version: string;
  arch: string | null;
  purl: string;
  layer: number;
  source: string | null;
  license: string | null;
  size: number | null;
}

/** The report.json fields of one image. */
export interface InsideReport {
  os: OsInfo | null;
  packages: ReportPackage[];
  binaries: BinarySummary;
  findings: Finding[];
}

/** Analyses the OS, packages and binaries of a rootfs. */
export async function analyseInside(rootfs: Rootfs, options: InsideOptions): Promise<InsideAnalysis> {
  const os = await analyseOs(rootfs);
  const packages = await analysePackages(rootfs, { osId: os?.id ?? null, sqlite: options.sqlite });
  const binaries = await analyseBinaries(rootfs, { platform: options.platform, env: options.env, signal: options.signal });
  return { os, packages, binaries, findings: binaries.findings };
}

/** The report.json fields (file lists and per-binary details left out: they belong to views and downloads). */
export function insideReport(analysis: InsideAnalysis): InsideReport {
  return {
    os: analysis.os,
    packages: analysis.packages.packages.map((p) => ({
      type: p.type, name: p.name, version: p.version, arch: p.arch, purl: p.purl, layer: p.layer,
      source: p.source, license: p.license, size: p.size,
    })),
    binaries: analysis.binaries.summary,
    findings: analysis.findings,
  };
}
