/**
 * The host check on real images: busybox for every platform against the
 * presets, the old-glibc and dynamic images (unsatisfied binaries), the
 * debootstrap Debian image against an old and a new host; and the `host=`
 * link encoding.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyseBinaries } from '../../../../src/core/analysis/binaries/index';
import { HOST_PRESETS, checkHost, decodeHost, encodeHost, hostPreset, type HostCheckInput } from '../../../../src/core/analysis/host';
import { analyseOs } from '../../../../src/core/analysis/os-release';
import { insideDir, openImage } from '../../../helpers/rootfs';

async function input(file: string, imageIndex = 0): Promise<HostCheckInput> {
  const opened = await openImage(file, imageIndex);
  try {
    const platform = opened.image.platform;
    return { platform, os: await analyseOs(opened.rootfs), binaries: await analyseBinaries(opened.rootfs, { platform }) };
  } finally {
    await opened.close();
  }
}

const status = (report: ReturnType<typeof checkHost>) => Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
const preset = (id: string) => {
  const host = hostPreset(id);
  if (host === null) throw new Error(id);
  return host;
};

describe('checkHost', () => {
  it('matches each busybox platform with the hosts that run it', async () => {
    const want: [number, string, string][] = [
      [0, 'rhel8-amd64', 'runs'], [0, 'ubuntu2204-arm64', 'does-not-run'],
      [1, 'ubuntu2204-arm64', 'runs'], [1, 'rpios-armv7', 'does-not-run'],
      [2, 'rpios-armv7', 'runs'], [3, 'rpios-armv7', 'runs'], [2, 'ubuntu2204-arm64', 'runs-with-warnings'],
      [5, 'ibmz-rhel9', 'runs'], [6, 'power-rhel8', 'runs'], [5, 'power-rhel8', 'does-not-run'],
    ];
    for (const [index, host, verdict] of want) {
      const report = checkHost(await input(join(insideDir, 'busybox-multiplatform.tar'), index), preset(host));
      expect(report.verdict, `image ${index} on ${host}`).toBe(verdict);
    }
  });

  it('explains a mismatch and a kernel that is too old, check by check', async () => {
    const arm64 = await input(join(insideDir, 'busybox-multiplatform.tar'), 1);
    const onRhel8 = checkHost(arm64, preset('rhel8-amd64'));
    expect(status(onRhel8)).toMatchObject({ platform: 'fail', architecture: 'fail', libraries: 'pass' });
    expect(onRhel8.checks.find((c) => c.id === 'architecture')?.paths).toEqual(['/bin/busybox']);
    // Debian's arm64 busybox carries an ABI tag of 3.7.0 (readelf -n).
    const oldKernel = decodeHost('arm64,kernel=3.2');
    expect(oldKernel).not.toBeNull();
    const report = checkHost(arm64, oldKernel ?? preset('rhel8-amd64'));
    expect(status(report)).toMatchObject({ platform: 'pass', kernel: 'fail' });
    expect(report.checks.find((c) => c.id === 'kernel')?.message).toBe('1 binary needs kernel 3.7.0; the host has 3.2.');
  });

  it('fails the libraries check where binaries lack pieces inside the image', async () => {
    const dynamic = checkHost(await input(join(insideDir, 'dynamic.tar')), preset('debian12-amd64'));
    expect(dynamic.verdict).toBe('does-not-run');
    expect(dynamic.checks.find((c) => c.id === 'libraries')?.paths.sort()).toEqual(['/usr/local/bin/app-missing', '/usr/local/bin/app-no-loader']);
    const old = checkHost(await input(join(insideDir, 'old-glibc.tar')), preset('debian12-amd64'));
    expect(old.checks.find((c) => c.id === 'libraries')?.status).toBe('fail');
  });

  it('says plainly when the image’s OS is much newer than the host’s', async () => {
    const debian = await input(join(insideDir, 'debian.tar'));
    const onCentos7 = checkHost(debian, preset('centos7-amd64'));
    expect(onCentos7.verdict).toBe('runs-with-warnings');
    expect(onCentos7.checks.find((c) => c.id === 'os-age')?.message).toMatch(/^Debian GNU\/Linux 12 \(bookworm\) \(2023\) is 9 years newer than CentOS 7 \(x86_64\) \(2014\)/);
    expect(checkHost(debian, preset('rhel9-amd64')).verdict).toBe('runs');
  });
});

describe('host= links', () => {
  it('round-trips every preset and custom hosts', () => {
    for (const host of HOST_PRESETS) expect(decodeHost(encodeHost(host))).toEqual(host);
    const custom = decodeHost('arm/v7,kernel=6.1,os=raspbian:12');
    expect(custom).toEqual({ preset: null, label: 'arm/v7, raspbian 12, kernel 6.1', architecture: 'arm', variant: 'v7', kernel: '6.1', os: { id: 'raspbian', versionId: '12' } });
    expect(encodeHost(custom ?? HOST_PRESETS[0])).toBe('arm/v7,kernel=6.1,os=raspbian:12');
  });

  it('refuses malformed values', () => {
    for (const bad of ['', 'AMD64', 'arm/7', 'arm/v7/x', 'amd64,kernel=4.x', 'amd64,os=debian', 'amd64,colour=red', 'amd64,kernel=<script>']) {
      expect(decodeHost(bad), bad).toBeNull();
    }
  });
});
