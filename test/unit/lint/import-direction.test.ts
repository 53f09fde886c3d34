import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
let eslint: ESLint;

/** The messages ESLint gives `code` as if it were the file at `path` (repo-relative). */
async function lint(path: string, code: string): Promise<{ rule: string | null; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  return result.messages.map((message) => ({ rule: message.ruleId, message: message.message }));
}

/** Only the layer rule's and the restricted-syntax rule's messages. */
async function layering(path: string, code: string): Promise<string[]> {
  const messages = await lint(path, code);
  return messages
    .filter((message) => message.rule === 'tarsier/import-direction' || message.rule === 'no-restricted-syntax')
    .map((message) => message.message);
}

beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

describe('the layer rule (lint/import-direction.js)', () => {
  it('fails core importing state, lib, svelte or comlink, and passes core importing core and its packages', async () => {
    expect(await layering('src/core/probe.ts', "import { Router } from '../state/router.svelte';\nexport const r = Router;\n")).toEqual([
      expect.stringContaining('core must not import state'),
    ]);
    expect(await layering('src/core/fs/probe.ts', "import { formatBytes } from '../../lib/format';\nexport const f = formatBytes;\n")).toEqual([
      expect.stringContaining('core must not import lib'),
    ]);
    expect(await layering('src/core/probe.ts', "import { untrack } from 'svelte';\nimport { wrap } from 'comlink';\nexport const u = [untrack, wrap];\n")).toEqual([
      expect.stringContaining('package svelte'),
      expect.stringContaining('package comlink'),
    ]);
    expect(
      await layering('src/core/fs/probe.ts', "import { Gunzip } from 'fflate';\nimport { InspectError } from '../errors';\nexport const g = [Gunzip, InspectError];\n"),
    ).toEqual([]);
  });

  it('fails sources importing anything but sources and core', async () => {
    expect(await layering('src/sources/archive/probe.ts', "import { Inspector } from '../../state/inspector.svelte';\nexport const i = Inspector;\n")).toEqual([
      expect.stringContaining('sources must not import state'),
    ]);
    expect(await layering('src/sources/archive/probe.ts', "import { parseIndex } from '../../core/image/manifest';\nexport const p = parseIndex;\n")).toEqual([]);
  });

  it('fails a component touching a worker client, or running core code; core types are fine with `import type`', async () => {
    const component = (script: string) => `<script lang="ts">\n${script}\n</script>\n<p>{x}</p>\n`;
    expect(
      await layering('src/ui/Files/Probe.svelte', component("  import { FilesystemClient } from '../../bridge/filesystem-client';\n  const x = new FilesystemClient();")),
    ).toEqual([expect.stringContaining('ui must not import bridge')]);
    expect(
      await layering('src/ui/Files/Probe.svelte', component("  import { alignHistory } from '../../core/image/history';\n  const x = alignHistory(null, 0);")),
    ).toEqual([expect.stringContaining('for its types only')]);
    expect(
      await layering('src/ui/Files/Probe.svelte', component("  import { type ImageModel } from '../../core/image/model';\n  const x: ImageModel | null = null;")),
    ).toEqual([expect.stringContaining('write `import type`')]);
    expect(
      await layering('src/ui/Files/Probe.svelte', component("  import type { ImageModel } from '../../core/image/model';\n  const x: ImageModel | null = null;")),
    ).toEqual([]);
  });

  it('fails state importing ui, and anything but the bridge starting a worker', async () => {
    expect(await layering('src/state/probe.ts', "import { shortcutFor } from '../ui/shortcuts';\nexport const s = shortcutFor;\n")).toEqual([
      expect.stringContaining('state must not import ui'),
    ]);
    expect(await layering('src/state/probe.ts', "export const w = new Worker('x.js');\n")).toEqual([expect.stringContaining('src/bridge only')]);
    expect(await layering('src/state/probe.ts', "import { LayerPool } from '../bridge/layer-pool';\nexport const p = new LayerPool();\n")).toEqual([]);
  });

  it('lets the bridge know a worker by its types only, and fails workers importing the bridge', async () => {
    expect(await layering('src/bridge/probe.ts', "import { throttle } from '../../workers/throttle';\nexport const t = throttle;\n")).toEqual([
      expect.stringContaining('for its types only'),
    ]);
    expect(await layering('src/bridge/probe.ts', "import type { LayerWorkerApi } from '../../workers/layer-api';\nexport type A = LayerWorkerApi;\n")).toEqual([]);
    expect(await layering('workers/probe.ts', "import { LayerPool } from '../src/bridge/layer-pool';\nexport const p = LayerPool;\n")).toEqual([
      expect.stringContaining('workers must not import bridge'),
    ]);
  });

  it('keeps a worker contract free of code', async () => {
    expect(await layering('workers/probe-api.ts', "export const limit = 4;\nexport interface ProbeApi { run(): Promise<void> }\n")).toEqual([
      expect.stringContaining('holds types only'),
    ]);
  });

  it('makes `eslint` exit non-zero on an import against the direction (what `npm test` runs)', () => {
    let failure: { status: number | null; stdout: string } | null = null;
    try {
      execFileSync(join(root, 'node_modules/.bin/eslint'), ['--stdin', '--stdin-filename', 'src/core/probe.ts'], {
        cwd: root,
        input: "import { Session } from '../state/session.svelte';\nexport const s = Session;\n",
        encoding: 'utf8',
      });
    } catch (error) {
      failure = error as { status: number | null; stdout: string };
    }
    expect(failure?.status).toBe(1);
    expect(failure?.stdout).toMatch(/core must not import state/);
  });
});
