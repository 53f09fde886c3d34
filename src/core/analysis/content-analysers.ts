/**
 * The content analysers every report runs, in the order their fields appear
 * in report.json: the OS (`os`), installed packages (`packages`) and ELF
 * binaries (`binaries`) of "Inside the image" (inside.ts), each a
 * ContentAnalyser over the merged rootfs (see image-analysis.ts). The page
 * and `tarsier report` both take this list, so a check added here reaches
 * both reports; only how rpmdb.sqlite is read differs (sql.js's WebAssembly
 * comes from the app's assets in a worker, from node_modules in Node).
 */
import type { ContentAnalyser } from './image-analysis';
import { analyseInside, insideReport } from './inside';
import type { RpmSqliteReader } from './packages/rpm-sqlite';

/** What the analysers need from where they run. */
export interface ContentAnalyserOptions {
  /** Reads rpmdb.sqlite databases, or null to report them as unread. */
  sqlite: RpmSqliteReader | null;
}

/** The analysers of the report, in field order. */
export function contentAnalysers(options: ContentAnalyserOptions): ContentAnalyser[] {
  return [
    {
      id: 'inside the image',
      async analyse(rootfs, input) {
        const env = input.config?.config?.Env;
        const analysis = await analyseInside(rootfs, { platform: input.platform ?? null, env, sqlite: options.sqlite, signal: input.signal });
        const { findings, ...fields } = insideReport(analysis);
        return { fields, findings };
      },
    },
  ];
}
