/**
 * scripts/system-packages.mjs, the one list of Debian packages that `npm test`
 * installs when missing: run against a fake dpkg-query and apt-get on PATH
 * (so that nothing is really installed or removed), as root and not.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ensureSystemPackages,
  missingPackages,
  systemPackages,
} from '../../../scripts/system-packages.mjs';

const script = new URL('../../../scripts/system-packages.mjs', import.meta.url).pathname;

// dpkg-query -W -f='${Package}\t${db:Status-Status}\n' NAME…, as dpkg 1.21 answers it:
// a line per known package, "no packages found matching" on stderr and exit 1 for the others.
const fakeDpkgQuery = `#!/bin/bash
shift 2
status=0
for name in "$@"; do
  if grep -qx "$name" "$FAKE_DIR/installed"; then printf '%s\\tinstalled\\n' "$name"
  elif grep -qx "$name" "$FAKE_DIR/removed"; then printf '%s\\tconfig-files\\n' "$name"
  else echo "dpkg-query: no packages found matching $name" >&2; status=1
  fi
done
exit $status
`;
// apt-get: records each call; "install" adds the names to the installed list unless told to fail.
const fakeAptGet = `#!/bin/bash
echo "$DEBIAN_FRONTEND $*" >> "$FAKE_DIR/apt.log"
[ -n "$FAKE_APT_STATUS" ] && exit "$FAKE_APT_STATUS"
if [ "$1" = install ] && [ -z "$FAKE_APT_NOOP" ]; then
  for name in "$@"; do case $name in -*|install) ;; *) echo "$name" >> "$FAKE_DIR/installed" ;; esac; done
fi
exit 0
`;

describe('scripts/system-packages.mjs', () => {
  let dir: string;
  let env: Record<string, string>;
  let lines: string[];
  const log = (line: string) => lines.push(line);
  const aptCalls = () => {
    try {
      return readFileSync(join(dir, 'apt.log'), 'utf8').trim().split('\n');
    } catch {
      return [];
    }
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tarsier-system-packages-'));
    const bin = join(dir, 'bin');
    spawnSync('mkdir', [bin]);
    for (const [name, text] of [
      ['dpkg-query', fakeDpkgQuery],
      ['apt-get', fakeAptGet],
    ] as const) {
      writeFileSync(join(bin, name), text);
      chmodSync(join(bin, name), 0o755);
    }
    writeFileSync(join(dir, 'installed'), 'jq\nzstd\n');
    writeFileSync(join(dir, 'removed'), 'pigz\n');
    env = { PATH: `${bin}:/usr/bin:/bin`, FAKE_DIR: dir };
    lines = [];
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lists as missing what dpkg does not know and what was removed (config files left)', () => {
    expect(missingPackages(['jq', 'pigz', 'skopeo', 'zstd'], env)).toEqual(['pigz', 'skopeo']);
  });

  it('does nothing when every package is installed', () => {
    expect(ensureSystemPackages({ names: ['jq', 'zstd'], isRoot: true, env, log })).toBe(0);
    expect(aptCalls()).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('as root, installs exactly the missing packages, non-interactively, after apt-get update', () => {
    const names = ['jq', 'pigz', 'skopeo', 'zstd'];
    expect(ensureSystemPackages({ names, isRoot: true, env, log })).toBe(0);
    expect(aptCalls()).toEqual([
      'noninteractive update -qq',
      'noninteractive install -y -qq --no-install-recommends pigz skopeo',
    ]);
    expect(missingPackages(names, env)).toEqual([]);
    expect(lines).toEqual(['Installing the Debian packages the tests need: pigz skopeo']);
  });

  it('not as root, names the missing packages and the command, installs nothing, exits 1', () => {
    expect(ensureSystemPackages({ names: ['jq', 'skopeo', 'umoci'], isRoot: false, env, log })).toBe(1);
    expect(aptCalls()).toEqual([]);
    expect(lines.join('\n')).toContain('not installed: skopeo umoci.');
    expect(lines.join('\n')).toContain(
      'apt-get update && apt-get install -y --no-install-recommends skopeo umoci',
    );
  });

  it('exits 1 and says so when apt-get fails', () => {
    env.FAKE_APT_STATUS = '100';
    expect(ensureSystemPackages({ names: ['skopeo'], isRoot: true, env, log })).toBe(1);
    expect(aptCalls()).toEqual(['noninteractive update -qq']);
    expect(lines.at(-1)).toBe('`apt-get update -qq` failed (exit status 100). Still missing: skopeo.');
  });

  it('exits 1 when apt-get succeeds but the package is still not installed', () => {
    env.FAKE_APT_NOOP = '1';
    expect(ensureSystemPackages({ names: ['skopeo'], isRoot: true, env, log })).toBe(1);
    expect(lines.at(-1)).toBe('apt-get finished, but these are still not installed: skopeo.');
  });

  it('exits 1 with the whole list where there is no dpkg-query (not Debian)', () => {
    const empty = join(dir, 'empty');
    spawnSync('mkdir', [empty]);
    expect(ensureSystemPackages({ names: ['jq'], isRoot: true, env: { PATH: empty }, log })).toBe(1);
    expect(lines[0]).toBe('The tests need these Debian 12 packages: jq.');
    expect(lines[1]).toMatch(/^dpkg-query could not be run \(ENOENT\)/);
  });

  it('--check, run as a command, names what is missing from the whole list and exits 1', () => {
    const result = spawnSync(process.execPath, [script, '--check'], {
      encoding: 'utf8',
      env: { ...env, PATH: `${env.PATH}:${dirname(process.execPath)}` },
    });
    expect(result.status).toBe(1);
    const missing = systemPackages.map((entry) => entry.name).filter((name) => !['jq', 'zstd'].includes(name));
    expect(result.stderr.trim()).toBe(`Missing Debian packages: ${missing.join(' ')}.`);
    expect(aptCalls()).toEqual([]);
  });

  it('is what npm test runs first, and .ci/run keeps no list of its own', () => {
    const root = new URL('../../../', import.meta.url).pathname;
    const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts;
    expect(scripts.test).toMatch(/^node scripts\/system-packages\.mjs && /);
    expect(readFileSync(join(root, '.ci/run'), 'utf8')).not.toMatch(/apt-get install/);
  });
});
