/**
 * File capabilities as `getcap` prints them, read from tars that GNU tar made
 * of files `setcap` marked (the `security.capability` pax xattr), through the
 * project's tar walker.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeCapabilities, describeAttributes, formatCapabilities } from '../../../../src/core/content/capabilities';
import { TarWalker } from '../../../../src/core/tar/walker';

const dir = mkdtempSync(join(tmpdir(), 'tarsier-caps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Marks a new file with `setcap`, tars it with its xattrs, and returns what getcap and the tar walker see. */
function marked(name: string, setcapArgs: string[]): { getcap: string; value: string } {
  const path = join(dir, name);
  writeFileSync(path, 'binary');
  execFileSync('setcap', [...setcapArgs, path]);
  // getcap prints "<path> <capabilities>"; -n adds the namespace root uid of revision 3 values.
  const getcap = execFileSync('getcap', ['-n', path], { encoding: 'utf8' }).trim().slice(path.length + 1);
  const tar = join(dir, `${name}.tar`);
  execFileSync('tar', ['--format=pax', '--xattrs', '--xattrs-include=security.*', '-C', dir, '-cf', tar, name]);
  const walker = new TarWalker({ keepEntries: true });
  walker.push(new Uint8Array(readFileSync(tar)));
  walker.finish();
  const value = walker.entries[0]?.xattrs?.['security.capability'];
  if (value === undefined) throw new Error(`${name}: no security.capability in the tar`);
  return { getcap, value };
}

describe('file capabilities', () => {
  it.each([
    ['ping', ['cap_net_raw+ep']],
    ['two', ['cap_net_admin,cap_net_raw+ep']],
    ['permitted-only', ['cap_sys_admin+p']],
    ['high-bit', ['cap_bpf,cap_perfmon+ep']],
    ['inheritable', ['cap_chown+eip']],
  ])('%s: written as getcap prints it', (name, args) => {
    const { getcap, value } = marked(name, args);
    const decoded = decodeCapabilities(value);
    expect(decoded).not.toBeNull();
    expect(formatCapabilities(decoded!)).toBe(getcap);
  });

  it('reads a namespaced (revision 3) value with its root uid', () => {
    const { getcap, value } = marked('namespaced', ['-n', '1000', 'cap_net_raw+ep']);
    expect(value.length).toBe(24);
    const decoded = decodeCapabilities(value);
    expect(decoded?.rootId).toBe(1000);
    expect(formatCapabilities(decoded!)).toBe(getcap);
  });

  it('describes attributes for the viewer: capabilities decoded, UTF-8 text shown, binary left as bytes', () => {
    const { value } = marked('described', ['cap_net_raw+ep']);
    expect(describeAttributes({ 'user.note': 'h\u00c3\u00a9llo', 'security.capability': value, 'user.blob': '\u0000\u00ff\u0001' })).toEqual([
      { name: 'security.capability', size: 20, text: 'cap_net_raw=ep' },
      { name: 'user.blob', size: 3, text: null },
      { name: 'user.note', size: 6, text: 'héllo' },
    ]);
    expect(describeAttributes(undefined)).toEqual([]);
  });

  it('refuses values that are not a vfs_cap_data', () => {
    expect(decodeCapabilities('')).toBeNull();
    expect(decodeCapabilities('\x00\x00\x00\x02\x01')).toBeNull();
    expect(decodeCapabilities(`\x00\x00\x00\x09${'\x00'.repeat(16)}`)).toBeNull();
  });
});
