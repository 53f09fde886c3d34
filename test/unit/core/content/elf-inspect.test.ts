/**
 * inspectElf on every ELF file of the real fixture images (a debootstrap
 * Debian rootfs, Alpine 3.11, Debian's busybox-static for eight platforms,
 * gcc-built programs, a Go binary) against `readelf -h -l -d -V -n -A`
 * and `objcopy --only-section=.go.buildinfo` of the same files, never
 * running them. Bytes are read through the image's Rootfs.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectElf, type ElfDetails } from '../../../../src/core/content/elf-inspect';
import { findNode } from '../../../../src/core/fs/file-node';
import { readNode } from '../../../../src/core/analysis/rootfs-files';
import { insideDir, openImage, realDir, type OpenedImage } from '../../../helpers/rootfs';
import { READELF_MACHINES, readelfDump, type ReadelfFacts } from '../../../helpers/readelf';

async function inspectAt(opened: OpenedImage, path: string): Promise<ElfDetails> {
  const node = findNode(opened.rootfs.root, path);
  if (node === undefined) throw new Error(`${path} is not in the image`);
  return inspectElf((offset, length) => readNode(opened.rootfs, node, offset, length));
}

function comparable(details: ElfDetails) {
  return {
    class: details.class,
    endianness: details.endianness,
    type: details.type,
    machine: details.machine,
    interpreter: details.interpreter,
    needed: details.needed,
    soname: details.soname,
    rpath: details.rpath,
    runpath: details.runpath,
    versionNeeds: details.versionNeeds,
    versionDefinitions: details.versionDefinitions,
    abiKernel: details.abiTag?.kernel ?? null,
    cpuArch: details.cpuArch,
    goVersion: details.go?.goVersion ?? null,
    goPath: details.go?.path ?? null,
  };
}

function reference(facts: ReadelfFacts) {
  const { path: _path, ...rest } = facts;
  return { ...rest, machine: READELF_MACHINES[facts.machine] ?? facts.machine };
}

async function agreeWithReadelf(image: string, dump: string, imageIndex = 0): Promise<number> {
  const opened = await openImage(image, imageIndex);
  try {
    const facts = await readelfDump(dump);
    for (const [path, want] of facts) expect(comparable(await inspectAt(opened, path)), path).toEqual(reference(want));
    return facts.size;
  } finally {
    await opened.close();
  }
}

describe('inspectElf against readelf', () => {
  it('agrees on all 696 ELF files of the debootstrap Debian rootfs', async () => {
    expect(await agreeWithReadelf(join(insideDir, 'debian.tar'), 'debian.readelf')).toBe(696);
  });

  it('agrees on Alpine 3.11 (musl)', async () => {
    expect(await agreeWithReadelf(join(realDir, 'alpine-311.tar.gz'), 'alpine.readelf')).toBe(16);
  });

  it('agrees on gcc-built programs (RUNPATH $ORIGIN, RPATH, a missing loader, static) and a Go binary', async () => {
    expect(await agreeWithReadelf(join(insideDir, 'dynamic.tar'), 'dynamic.readelf')).toBe(12);
  });

  const platforms = ['amd64', 'arm64', 'armhf', 'armel', 'i386', 's390x', 'ppc64el', 'mips64el'];
  it.each(platforms.map((arch, index) => [arch, index] as const))('agrees on busybox-static for %s', async (arch, index) => {
    expect(await agreeWithReadelf(join(insideDir, 'busybox-multiplatform.tar'), `busybox-${arch}.readelf`, index)).toBe(1);
  });
});

describe('architecture names', () => {
  it('maps each busybox build to its OCI platform, ARM variants from Tag_CPU_arch', async () => {
    const opened = await openImage(join(insideDir, 'busybox-multiplatform.tar'));
    await opened.close();
    const want: Record<string, [string, string | null]> = {
      amd64: ['amd64', null], arm64: ['arm64', null], armhf: ['arm', 'v7'], armel: ['arm', 'v5'],
      i386: ['386', null], s390x: ['s390x', null], ppc64el: ['ppc64le', null], mips64el: ['mips64le', null],
    };
    let index = 0;
    for (const [arch, [architecture, variant]] of Object.entries(want)) {
      const image = await openImage(join(insideDir, 'busybox-multiplatform.tar'), index);
      const details = await inspectAt(image, '/bin/busybox');
      await image.close();
      expect([details.architecture, details.variant, details.linkage, details.kind], arch).toEqual([architecture, variant, 'static', 'executable']);
      index += 1;
    }
  });

  it('reads Go build info from umoci (go1.19.8, as Debian built it)', async () => {
    const opened = await openImage(join(insideDir, 'dynamic.tar'));
    const umoci = await inspectAt(opened, '/usr/local/bin/umoci');
    await opened.close();
    expect(umoci.go).toEqual({ goVersion: 'go1.19.8', path: 'github.com/opencontainers/umoci/cmd/umoci', mainModule: null });
  });
});
