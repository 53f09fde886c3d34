/**
 * Package databases of real images against the package managers' own
 * answers: dpkg-query --admindir (debootstrap Debian, layer by layer), the
 * control files distroless copies (status.d), rpm --root -qa (rpmdb.sqlite
 * written by rpm 4.18; a Berkeley DB Packages read by rpm's bdb_ro), and the
 * Alpine 3.11 image's own lib/apk/db/installed.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analysePackages, type PackageInventory } from '../../../../src/core/analysis/packages/index';
import { atLayer, expectedRows, insideDir, nodeSqlite, openImage, realDir, type OpenedImage } from '../../../helpers/rootfs';

const options = (osId: string) => ({ osId, sqlite: nodeSqlite });

function rows(inventory: PackageInventory, fields: (p: PackageInventory['packages'][number]) => (string | number | null)[]): string[][] {
  return inventory.packages.map((p) => fields(p).map((value) => String(value ?? ''))).sort();
}

function sortRows(table: string[][]): string[][] {
  return table.map((row) => row.map(String)).sort();
}

describe('dpkg: debootstrap --variant=minbase bookworm', () => {
  let debian: OpenedImage;
  let top: PackageInventory;
  beforeAll(async () => {
    debian = await openImage(join(insideDir, 'debian.tar'));
    top = await analysePackages(debian.rootfs, options('debian'));
  }, 120_000);
  afterAll(() => debian.close());

  const dpkgFields = (p: PackageInventory['packages'][number]) => [
    p.name, p.version, p.arch, p.source ?? p.name, p.sourceVersion ?? p.version, (p.size ?? 0) / 1024,
  ];

  it('lists what dpkg-query lists after layer 0', async () => {
    const layer0 = await analysePackages(atLayer(debian, 0), options('debian'));
    expect(layer0.packages.length).toBe(88);
    expect(rows(layer0, dpkgFields)).toEqual(sortRows(await expectedRows('debian-layer-0.dpkg')));
  });

  it('lists what dpkg-query lists after layer 1 (purge, install, downgrade)', async () => {
    expect(rows(top, dpkgFields)).toEqual(sortRows(await expectedRows('debian-layer-1.dpkg')));
    expect(top.databases).toEqual([{ type: 'deb', path: '/var/lib/dpkg/status' }]);
    expect(top.problems).toEqual([]);
  });

  it('attributes each package to the layer that first listed its version', () => {
    const layerOf = (name: string) => top.packages.find((p) => p.name === name)?.layer;
    expect(layerOf('busybox-static')).toBe(1);
    expect(layerOf('debian-archive-keyring')).toBe(1);
    expect(layerOf('libc6')).toBe(0);
    expect(top.packages.filter((p) => p.layer === 1).map((p) => p.name).sort()).toEqual([
      'busybox-static', 'debian-archive-keyring', 'sensible-utils',
    ]);
    expect(top.removed).toEqual([
      expect.objectContaining({ type: 'deb', name: 'adduser', arch: 'all', layer: 1, database: '/var/lib/dpkg/status' }),
    ]);
    expect(top.history['deb/sensible-utils/all']).toEqual([{ layer: 1, kind: 'installed', version: '0.0.14' }]);
    const keyring = top.history['deb/debian-archive-keyring/all'];
    expect(keyring.map((event) => [event.layer, event.kind])).toEqual([[0, 'installed'], [1, 'changed']]);
    expect(keyring[1].version).toMatch(/^2021\./);
    expect(top.history['deb/adduser/all'].map((event) => event.kind)).toEqual(['installed', 'removed']);
  });

  it('gives each package the file list dpkg-query -L prints', async () => {
    const want = new Map<string, string[]>();
    for (const [name, path] of await expectedRows('debian.files')) {
      // dpkg-query -L also prints diversions ("package diverts others to: …").
      if (path.startsWith('/') && path !== '/.') want.set(name, [...(want.get(name) ?? []), path]);
    }
    const got = new Map(top.packages.map((p) => [p.name, [...p.files].sort()]));
    for (const [name, paths] of want) expect(got.get(name), name).toEqual(paths.sort());
    expect(got.get('libc6')).toContain('/lib/x86_64-linux-gnu/libc.so.6');
  });

  it('writes purls as pkg:deb/debian/<name>@<version>?arch=…', () => {
    const busybox = top.packages.find((p) => p.name === 'busybox-static');
    expect(busybox?.purl).toBe('pkg:deb/debian/busybox-static@1:1.35.0-4%2Bdeb12u1%2Bb1?arch=amd64');
    for (const p of top.packages) {
      expect(decodeURIComponent(p.purl)).toBe(`pkg:deb/debian/${p.name}@${p.version}?arch=${p.arch}`);
    }
  });

  it('reads the databases, not the image', () => {
    expect(debian.reads.bytes).toBeLessThan(debian.uncompressedBytes / 50);
  });
});

describe('dpkg: distroless status.d', () => {
  it('lists the control files as installed packages, with md5sums as file lists', async () => {
    const image = await openImage(join(insideDir, 'statusd.tar'));
    const inventory = await analysePackages(image.rootfs, options('debian'));
    await image.close();
    expect(rows(inventory, (p) => [p.name, p.version, p.arch, (p.size ?? 0) / 1024])).toEqual(sortRows(await expectedRows('statusd.dpkg')));
    expect(inventory.databases).toEqual([{ type: 'deb', path: '/var/lib/dpkg/status.d' }]);
    expect(inventory.packages.find((p) => p.name === 'busybox-static')?.files).toContain('/bin/busybox');
  });
});

describe('rpm', () => {
  const rpmFields = (p: PackageInventory['packages'][number]) => [
    p.name, p.version, p.arch, p.license, p.source === null ? '' : `${p.source}-${p.sourceVersion ?? p.version.replace(/^\d+:/, '')}.src.rpm`, p.size,
  ];
  let rpm: OpenedImage;
  let top: PackageInventory;
  beforeAll(async () => {
    rpm = await openImage(join(insideDir, 'rpm.tar'));
    top = await analysePackages(rpm.rootfs, options('tarsier-rpm'));
  }, 120_000);
  afterAll(() => rpm.close());

  it('reads rpmdb.sqlite as rpm -qa does, after each layer', async () => {
    expect(rows(top, rpmFields)).toEqual(sortRows(await expectedRows('rpm-layer-1.rpm')));
    const layer0 = await analysePackages(atLayer(rpm, 0), options('tarsier-rpm'));
    expect(rows(layer0, rpmFields)).toEqual(sortRows(await expectedRows('rpm-layer-0.rpm')));
    expect(top.databases).toEqual([{ type: 'rpm', path: '/var/lib/rpm/rpmdb.sqlite' }]);
  });

  it('attributes upgrades, installs and erasures to layer 1', () => {
    expect(Object.fromEntries(top.packages.map((p) => [p.name, p.layer]))).toEqual({
      'tarsier-base': 0, 'tarsier-data': 1, 'tarsier-extra': 1, 'tarsier-tools': 0,
    });
    expect(top.history['rpm/tarsier-data/noarch']).toEqual([
      { layer: 0, kind: 'installed', version: '0.9-1' },
      { layer: 1, kind: 'changed', version: '1.0-1' },
    ]);
    expect(top.removed.map((p) => [p.name, p.version, p.layer])).toEqual([['tarsier-gone', '1-1', 1]]);
  });

  it('gives the file lists rpm -ql prints, and purls with the epoch as a qualifier', async () => {
    const want = new Map<string, string[]>();
    for (const [name, path] of await expectedRows('rpm.files')) want.set(name, [...(want.get(name) ?? []), path]);
    for (const p of top.packages) expect([...p.files].sort(), p.name).toEqual(want.get(p.name)?.sort());
    expect(top.packages.find((p) => p.name === 'tarsier-tools')?.purl).toBe('pkg:rpm/tarsier-rpm/tarsier-tools@3.4-5?arch=x86_64&epoch=2');
  });

  it('reads a Berkeley DB Packages file as rpm’s bdb_ro backend does', async () => {
    const bdb = await openImage(join(insideDir, 'rpm-bdb.tar'));
    const inventory = await analysePackages(bdb.rootfs, { osId: 'tarsier-rpm', sqlite: null });
    await bdb.close();
    expect(inventory.databases).toEqual([{ type: 'rpm', path: '/var/lib/rpm/Packages' }]);
    expect(rows(inventory, rpmFields)).toEqual(sortRows(await expectedRows('rpm-bdb.rpm')));
  });

  it('reports an rpmdb.sqlite it cannot read without failing the rest', async () => {
    const inventory = await analysePackages(rpm.rootfs, { osId: null, sqlite: null });
    expect(inventory.packages).toEqual([]);
    expect(inventory.problems).toEqual([{ database: '/var/lib/rpm/rpmdb.sqlite', message: expect.stringContaining('SQLite') }]);
  });
});

describe('apk: Alpine 3.11', () => {
  it('lists lib/apk/db/installed with licences, origins and sizes', async () => {
    const alpine = await openImage(join(realDir, 'alpine-311.tar.gz'));
    const inventory = await analysePackages(alpine.rootfs, options('alpine'));
    await alpine.close();
    expect(inventory.packages.length).toBe(14);
    expect(rows(inventory, (p) => [p.name, p.version, p.arch, p.license, p.source, p.size])).toEqual(sortRows(await expectedRows('alpine.apk')));
    const musl = inventory.packages.find((p) => p.name === 'musl');
    expect(musl?.purl).toBe(`pkg:apk/alpine/musl@${musl?.version}?arch=x86_64`);
    expect(musl?.files).toContain('/lib/ld-musl-x86_64.so.1');
  });
});
