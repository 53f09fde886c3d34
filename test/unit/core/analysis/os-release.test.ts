/**
 * The OS of real images from their own release files: os-release through
 * Debian's /etc/os-release symlink, Alpine's, distroless's, an rpm image's,
 * busybox-only images; and the fallbacks (alpine-release, debian_version)
 * when a later layer deletes os-release — the deleting layer is made here of
 * whiteout members, the files are the images' own.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyseOs, fromRedhatRelease, parseOsRelease } from '../../../../src/core/analysis/os-release';
import type { Rootfs } from '../../../../src/core/analysis/rootfs';
import type { TarEntry } from '../../../../src/core/types';
import { expected, insideDir, openImage, realDir, type OpenedImage } from '../../../helpers/rootfs';

async function osOf(file: string, imageIndex = 0) {
  const opened = await openImage(file, imageIndex);
  try {
    return await analyseOs(opened.rootfs);
  } finally {
    await opened.close();
  }
}

function whiteout(path: string): TarEntry {
  const slash = path.lastIndexOf('/');
  return {
    path: `${path.slice(0, slash + 1)}.wh.${path.slice(slash + 1)}`, type: 'file', size: 0, mode: 0o644, uid: 0, gid: 0,
    mtime: 0, linkTarget: null, offset: 0, whiteout: 'whiteout',
  };
}

/** The image with one more layer that deletes `paths`. */
function withDeleted(opened: OpenedImage, paths: string[]): Rootfs {
  const entries = paths.map(whiteout);
  opened.filesystem.applyLayer(entries);
  const layer = opened.filesystem.layerCount - 1;
  return { ...opened.rootfs, root: opened.filesystem.rootAfter(layer), layer, layers: [...opened.rootfs.layers, entries] };
}

describe('analyseOs', () => {
  it('follows Debian’s /etc/os-release symlink to /usr/lib/os-release', async () => {
    const fields = parseOsRelease(await expected('debian.os-release'));
    expect(await osOf(join(insideDir, 'debian.tar'))).toEqual({
      id: 'debian', versionId: '12', prettyName: fields.get('PRETTY_NAME'), source: '/etc/os-release',
      idLike: [], versionCodename: 'bookworm', flavour: null,
    });
  });

  it('reads Alpine 3.11’s os-release', async () => {
    const fields = parseOsRelease(await expected('alpine.os-release'));
    expect(await osOf(join(realDir, 'alpine-311.tar.gz'))).toMatchObject({
      id: 'alpine', versionId: fields.get('VERSION_ID'), prettyName: fields.get('PRETTY_NAME'), source: '/etc/os-release',
    });
  });

  it('names distroless and busybox-only images as such', async () => {
    expect(await osOf(join(insideDir, 'statusd.tar'))).toMatchObject({ id: 'debian', prettyName: 'Distroless', flavour: 'distroless' });
    expect(await osOf(join(insideDir, 'busybox-multiplatform.tar'), 3)).toEqual({
      id: 'busybox', versionId: null, prettyName: 'BusyBox (no OS release file)', source: '/bin/busybox', idLike: [], versionCodename: null, flavour: 'busybox',
    });
    expect(await osOf(join(insideDir, 'dynamic.tar'))).toBeNull();
    expect(await osOf(join(insideDir, 'rpm.tar'))).toMatchObject({ id: 'tarsier-rpm', versionId: '1', prettyName: 'Tarsier RPM test 1' });
  });

  it('falls back to /etc/alpine-release and /etc/debian_version when os-release is gone', async () => {
    const alpine = await openImage(join(realDir, 'alpine-311.tar.gz'));
    const alpineOs = await analyseOs(withDeleted(alpine, ['etc/os-release']));
    await alpine.close();
    expect(alpineOs).toMatchObject({ id: 'alpine', source: '/etc/alpine-release', versionId: expect.stringMatching(/^3\.11\./), prettyName: 'Alpine Linux v3.11' });
    const debian = await openImage(join(insideDir, 'debian.tar'));
    const debianOs = await analyseOs(withDeleted(debian, ['usr/lib/os-release']));
    await debian.close();
    expect(debianOs).toMatchObject({ id: 'debian', versionId: '12', source: '/etc/debian_version', prettyName: expect.stringMatching(/^Debian GNU\/Linux 12\.\d+$/) });
  });

  it('reads /etc/redhat-release lines as RHEL, CentOS and Fedora write them', () => {
    expect(fromRedhatRelease('CentOS Linux release 7.9.2009 (Core)\n', '/etc/redhat-release')).toMatchObject({ id: 'centos', versionId: '7.9.2009' });
    expect(fromRedhatRelease('Red Hat Enterprise Linux release 8.10 (Ootpa)', '/etc/redhat-release')).toMatchObject({ id: 'rhel', versionId: '8.10' });
    expect(fromRedhatRelease('Fedora release 40 (Forty)', '/etc/redhat-release')).toMatchObject({ id: 'fedora', versionId: '40' });
  });

  it('parses os-release quoting as os-release(5) describes', () => {
    const fields = parseOsRelease('NAME="A \\"quoted\\" name"\nID=plain\nVERSION_ID=\'1.2\'\n# comment\nBROKEN\n');
    expect(Object.fromEntries(fields)).toEqual({ NAME: 'A "quoted" name', ID: 'plain', VERSION_ID: '1.2' });
  });
});
