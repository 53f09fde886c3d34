/**
 * analyseBinaries on real images: what readelf says each file needs,
 * resolved inside the image as ld.so would, and the findings that follow.
 * References: the readelf dumps of the fixtures, and what the fixture recipe
 * put where (a library left out, a loader that does not exist, glibc 2.31
 * under programs built against 2.36, arm64 busybox in an amd64 image).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyseBinaries, type BinariesAnalysis } from '../../../../src/core/analysis/binaries/index';
import { insideDir, openImage, realDir } from '../../../helpers/rootfs';
import { readelfDump } from '../../../helpers/readelf';

async function analyse(file: string, imageIndex = 0): Promise<BinariesAnalysis & { uncompressed: number; read: number }> {
  const opened = await openImage(file, imageIndex);
  try {
    const platform = opened.image.platform;
    const analysis = await analyseBinaries(opened.rootfs, { platform, env: opened.image.config?.config?.Env });
    return { ...analysis, uncompressed: opened.uncompressedBytes, read: opened.reads.bytes };
  } finally {
    await opened.close();
  }
}

const ids = (analysis: BinariesAnalysis) => analysis.findings.map((f) => [f.id, f.path]).sort();

describe('binaries of a debootstrap Debian image', () => {
  it('counts every ELF file, resolves every library, and finds nothing wrong', async () => {
    const debian = await analyse(join(insideDir, 'debian.tar'));
    const dump = await readelfDump('debian.readelf');
    expect(debian.summary.elf).toBe(dump.size);
    expect(debian.summary.byArchitecture).toEqual({ amd64: dump.size });
    expect(debian.findings).toEqual([]);
    expect(debian.summary.unsatisfied).toBe(0);
    expect(debian.summary.interpreters).toEqual({ '/lib64/ld-linux-x86-64.so.2': expect.any(Number) });
    expect(debian.summary.libc).toEqual({ flavour: 'glibc', path: '/usr/lib/x86_64-linux-gnu/libc.so.6', version: '2.36' });
    const glibcNeeds = [...dump.values()].flatMap((f) => f.versionNeeds.flatMap((n) => n.versions))
      .map((v) => /^GLIBC_([\d.]+)$/.exec(v)?.[1]).filter((v): v is string => v !== undefined);
    expect(glibcNeeds).toContain(debian.summary.minGlibc);
    const kernels = [...dump.values()].map((f) => f.abiKernel).filter((k): k is string => k !== null);
    expect(kernels).toContain(debian.summary.minKernel);
    // busybox-static (layer 1) and ldconfig (static-pie: DYN with DF_1_PIE, no loader).
    const statics = debian.files.filter((f) => f.kind === 'executable' && f.linkage === 'static').map((f) => f.path);
    expect(statics).toEqual(['/usr/bin/busybox', '/usr/sbin/ldconfig']);
    for (const path of statics) expect([dump.get(path)?.interpreter, dump.get(path)?.needed]).toEqual([null, []]);
    expect(debian.summary.static).toBe(2);
    expect(debian.read).toBeLessThan(debian.uncompressed / 10);
  });
});

describe('binaries with missing pieces (gcc-built, glibc 2.36)', () => {
  it('finds the missing library and the missing loader, and resolves RUNPATH, RPATH and ld.so.conf', async () => {
    const dynamic = await analyse(join(insideDir, 'dynamic.tar'));
    expect(ids(dynamic)).toEqual([
      ['missing-interpreter', '/usr/local/bin/app-no-loader'],
      ['missing-library', '/usr/local/bin/app-missing'],
    ]);
    const file = (path: string) => dynamic.files.find((f) => f.path === path);
    expect(file('/usr/local/bin/app-runpath')?.resolved).toEqual(['/usr/local/lib/libtarsier.so.1', '/lib/x86_64-linux-gnu/libc.so.6']);
    expect(file('/usr/local/bin/app-runpath')?.runpath).toBe('$ORIGIN/../lib');
    expect(file('/usr/local/bin/app-rpath')?.resolved[0]).toBe('/opt/rpath/lib/librpath.so.1');
    expect(file('/usr/local/bin/app-conf')?.resolved[0]).toBe('/opt/conf/lib/libconf.so.1');
    expect(file('/usr/local/bin/app-missing')?.problems).toEqual([
      { kind: 'missing-library', library: 'libgone.so.1', searched: expect.arrayContaining(['/opt/conf/lib', '/lib/x86_64-linux-gnu']) },
    ]);
    expect(file('/usr/local/bin/app-static')?.linkage).toBe('static');
    expect(file('/usr/local/bin/umoci')?.go?.goVersion).toBe('go1.19.8');
    expect(dynamic.summary.unsatisfied).toBe(2);
    expect(dynamic.summary.libc).toEqual({ flavour: 'glibc', path: '/lib/x86_64-linux-gnu/libc.so.6', version: '2.36' });
  });

  it('names each needed GLIBC version the old C library lacks (glibc 2.31 under programs built on 2.36)', async () => {
    const old = await analyse(join(insideDir, 'old-glibc.tar'));
    const dump = await readelfDump('old-glibc.readelf');
    const defined = new Set(dump.get('/lib/x86_64-linux-gnu/libc-2.31.so')?.versionDefinitions);
    const expectedMissing: string[] = [];
    for (const [path, facts] of dump) {
      for (const need of facts.versionNeeds) {
        if (need.file === 'libc.so.6') for (const v of need.versions) if (!defined.has(v)) expectedMissing.push(`${path} ${v}`);
      }
    }
    expect(expectedMissing.length).toBeGreaterThan(0);
    const got = old.findings.filter((f) => f.id === 'glibc-version-missing').map((f) => `${f.path} ${/needs (\S+)/.exec(f.message)?.[1]}`);
    expect(got.sort()).toEqual(expectedMissing.sort());
    // glibc 2.31 added no symbol version of its own: the newest it defines is GLIBC_2.30.
    const newest = [...defined].map((v) => /^GLIBC_([\d.]+)$/.exec(v)?.[1]).filter((v) => v !== undefined)
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).pop();
    expect(newest).toBe('2.30');
    expect(old.summary.libc?.version).toBe(newest);
    expect(old.summary.minGlibc).toBe('2.34');
  });
});

describe('platforms', () => {
  it('flags the arm64 busybox of an amd64 image, not the amd64 one', async () => {
    const mismatch = await analyse(join(insideDir, 'mismatch.tar'));
    expect(mismatch.findings).toEqual([
      { id: 'architecture-mismatch', severity: 'high', path: '/bin/busybox', layer: 0, message: '/bin/busybox is a arm64 binary in a amd64 image.' },
    ]);
    expect(mismatch.summary.byArchitecture).toEqual({ amd64: 1, arm64: 1 });
  });

  it('checks every platform of a multi-platform index against its own config', async () => {
    for (let index = 0; index < 8; index += 1) {
      const image = await analyse(join(insideDir, 'busybox-multiplatform.tar'), index);
      expect(image.findings, `image ${index}`).toEqual([]);
      expect(image.summary.static).toBe(1);
    }
  });

  it('reads musl images: Alpine 3.11', async () => {
    const alpine = await analyse(join(realDir, 'alpine-311.tar.gz'));
    expect(alpine.findings).toEqual([]);
    expect(alpine.summary.libc).toEqual({ flavour: 'musl', path: '/lib/ld-musl-x86_64.so.1', version: null });
    expect(alpine.summary.interpreters).toEqual({ '/lib/ld-musl-x86_64.so.1': expect.any(Number) });
  });
});
