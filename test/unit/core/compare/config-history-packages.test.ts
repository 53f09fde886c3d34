import { describe, expect, it } from 'vitest';
import { compareConfigs } from '../../../../src/core/compare/config';
import { compareHistories } from '../../../../src/core/compare/history';
import { comparePackages, type PackageRecord } from '../../../../src/core/compare/packages';
import type { ConfigFile } from '../../../../src/core/types';

const config = (fields: Partial<ConfigFile> = {}): ConfigFile => ({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, ...fields });

describe('compareConfigs', () => {
  it('compares environment variables, labels, ports and volumes per key', () => {
    const left = config({ config: { Env: ['PATH=/usr/bin', 'DEBUG=1', 'DUP=a', 'DUP=b'], Labels: { a: '1', b: '2' }, ExposedPorts: { '80/tcp': {} }, Volumes: { '/data': {} } } });
    const right = config({ config: { Env: ['PATH=/usr/local/bin:/usr/bin', 'DUP=b', 'NEW'], Labels: { a: '1', b: '3', c: '4' }, ExposedPorts: { '443/tcp': {} } } });
    expect(compareConfigs(left, right)).toEqual([
      { field: 'env', key: 'DEBUG', change: 'removed', left: '1', right: null },
      { field: 'env', key: 'NEW', change: 'added', left: null, right: '' },
      { field: 'env', key: 'PATH', change: 'changed', left: '/usr/bin', right: '/usr/local/bin:/usr/bin' },
      { field: 'exposedPorts', key: '443/tcp', change: 'added', left: null, right: '' },
      { field: 'exposedPorts', key: '80/tcp', change: 'removed', left: '', right: null },
      { field: 'volumes', key: '/data', change: 'removed', left: '', right: null },
      { field: 'labels', key: 'b', change: 'changed', left: '2', right: '3' },
      { field: 'labels', key: 'c', change: 'added', left: null, right: '4' },
    ]);
  });

  it('compares the platform, the commands, user and workdir as wholes', () => {
    const left = config({ created: '2025-01-01T00:00:00Z', config: { Entrypoint: ['/bin/sh', '-c'], Cmd: ['run'], User: '1000', WorkingDir: '/app' } });
    const right = config({ architecture: 'arm64', variant: 'v8', created: '2025-01-02T00:00:00Z', config: { Entrypoint: ['/bin/sh', '-c'], Cmd: ['run', '--fast'], StopSignal: 'SIGINT' } });
    expect(compareConfigs(left, right).map(({ field, change }) => `${field} ${change}`)).toEqual([
      'platform changed',
      'created changed',
      'user removed',
      'workingDir removed',
      'cmd changed',
      'stopSignal added',
    ]);
    expect(compareConfigs(left, right)[0]).toMatchObject({ left: 'linux/amd64', right: 'linux/arm64/v8' });
    expect(compareConfigs(null, null)).toEqual([]);
  });
});

describe('compareHistories', () => {
  const step = (created_by: string, empty = false) => ({ created_by, created: '2025-01-01T00:00:00Z', ...(empty ? { empty_layer: true } : {}) });
  it('aligns steps by what they did and pairs a changed command on one row', () => {
    const left = config({ history: [step('COPY rootfs /'), step('ENV A=1', true), step('RUN make'), step('CMD x', true)] });
    const right = config({ history: [step('COPY rootfs /'), step('ENV A=1', true), step('RUN make -j4'), { ...step('CMD x', true), comment: 'rebuilt' }, step('COPY extra /')] });
    const rows = compareHistories(left, 2, right, 3);
    expect(rows.map((row) => [row.left?.index ?? null, row.right?.index ?? null, row.differences])).toEqual([
      [0, 0, []],
      [1, 1, []],
      [2, 2, ['created_by']],
      [3, 3, ['comment']],
      [null, 4, []],
    ]);
    expect(rows[2].right?.layerIndex).toBe(1);
    expect(rows[4].right?.layerIndex).toBe(2);
  });
});

describe('comparePackages', () => {
  const deb = (name: string, version: string, arch = 'amd64'): PackageRecord => ({ type: 'deb', name, version, arch });
  it('tells upgrades from downgrades by the ecosystem’s order', () => {
    const left = [deb('libc6', '2.36-9+deb12u3'), deb('curl', '7.88.1-10+deb12u5'), deb('gone', '1.0'), deb('tzdata', '2024a-0+deb12u1', 'all'), { type: 'apk', name: 'busybox', version: '1.36.1-r15', arch: 'x86_64' }, { type: 'rpm', name: 'bash', version: '5.1.8-9.el9', arch: 'x86_64' }];
    const right = [deb('libc6', '2.36-9+deb12u10'), deb('curl', '7.88.1-10+deb12u4'), deb('new', '2.0'), deb('tzdata', '2024a-0+deb12u1', 'amd64'), { type: 'apk', name: 'busybox', version: '1.36.1-r19', arch: 'x86_64' }, { type: 'rpm', name: 'bash', version: '1:5.0-1.el9', arch: 'x86_64' }];
    expect(comparePackages(left, right).map((item) => `${item.type} ${item.name} ${item.change}`)).toEqual([
      'apk busybox upgraded',
      'deb curl downgraded',
      'deb gone removed',
      'deb libc6 upgraded',
      'deb new added',
      'deb tzdata changed',
      'rpm bash upgraded',
    ]);
  });

  it('pairs several installed copies of a name by architecture, then by version', () => {
    const left = [deb('libc6', '2.36-9', 'amd64'), deb('libc6', '2.36-9', 'i386'), { type: 'rpm', name: 'kernel', version: '5.14.0-1', arch: 'x86_64' }, { type: 'rpm', name: 'kernel', version: '5.14.0-2', arch: 'x86_64' }];
    const right = [deb('libc6', '2.36-10', 'i386'), deb('libc6', '2.36-9', 'amd64'), { type: 'rpm', name: 'kernel', version: '5.14.0-3', arch: 'x86_64' }, { type: 'rpm', name: 'kernel', version: '5.14.0-2', arch: 'x86_64' }];
    expect(comparePackages(left, right)).toEqual([
      { type: 'deb', name: 'libc6', change: 'upgraded', left: { version: '2.36-9', arch: 'i386' }, right: { version: '2.36-10', arch: 'i386' } },
      { type: 'rpm', name: 'kernel', change: 'upgraded', left: { version: '5.14.0-1', arch: 'x86_64' }, right: { version: '5.14.0-3', arch: 'x86_64' } },
    ]);
    expect(comparePackages(left, left)).toEqual([]);
  });
});
