/**
 * Efficiency on images made by real tools (umoci, Python's tarfile):
 * visible bytes must be exactly the rootfs `umoci unpack` makes (each inode
 * once), stored bytes what Python's tarfile counts in the layer tars, and a
 * squash what a rootfs diff of `umoci unpack` before and after the run holds.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageEfficiency, squashSavings, userWastedRatio } from '../../../../src/core/analysis/efficiency';
import { loadOciImage, type TestImage } from '../../../helpers/oci-image';
import { readLayerTars, readTar } from '../../../helpers/tar-reader';
import { LayeredFilesystem } from '../../../../src/core/fs/filesystem';
import { regularFiles, rootfsBytes } from '../../../helpers/rootfs-files';

let work: string;
let image: TestImage;

/** Regular-file bytes of each layer tar, counted by Python's tarfile. */
function tarfileBytes(tars: Uint8Array[]): number[] {
  const script = 'import sys, tarfile\nfor path in sys.argv[1:]:\n  print(sum(m.size for m in tarfile.open(path) if m.isreg()))';
  const paths = tars.map((tar, index) => {
    const path = join(work, `layer-${index}.tar`);
    writeFileSync(path, tar);
    return path;
  });
  return execFileSync('python3', ['-c', script, ...paths], { encoding: 'utf8' }).trim().split('\n').map(Number);
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tarsier-efficiency-'));
  execFileSync('bash', [join(__dirname, '../../../helpers/make-findings-image.sh'), work], { stdio: 'pipe' });
  image = loadOciImage(join(work, 'L'), 't');
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('efficiency', () => {
  it('shows exactly the bytes of the rootfs umoci unpacks, of what the layer tars store', () => {
    const efficiency = imageEfficiency(image.filesystem, image.config);
    const perLayer = tarfileBytes(image.tars);
    expect(efficiency.storedBytes).toBe(perLayer.reduce((sum, bytes) => sum + bytes, 0));
    expect(efficiency.visibleBytes).toBe(rootfsBytes(join(work, 'final/rootfs')));
    expect(efficiency.wastedBytes).toBe(efficiency.storedBytes - efficiency.visibleBytes);
    expect(efficiency.score).toBeCloseTo(efficiency.visibleBytes / efficiency.storedBytes, 12);
    expect(efficiency.layers.map((layer) => layer.storedBytes)).toEqual(perLayer);
    expect(efficiency.layers.reduce((sum, layer) => sum + layer.visibleBytes, 0)).toBe(efficiency.visibleBytes);
  });

  it('ties wasted bytes to the layer that stores them and its history line', () => {
    const efficiency = imageEfficiency(image.filesystem, image.config);
    const [base, secrets, cleanup, crafted] = efficiency.layers;
    expect(secrets.createdBy).toMatch(/^umoci repack/);
    expect(crafted.createdBy).toMatch(/^umoci raw add-layer/);
    // Layer 1's secrets that layer 2 deleted, and the .npmrc it replaced.
    const deleted = ['root/.ssh/id_ed25519', 'root/.aws/credentials', 'root/.docker/config.json', 'app/.env', 'app/config.json', 'root/.npmrc'];
    const sizes = image.layers[1].filter((entry) => deleted.includes(entry.path)).map((entry) => entry.size);
    expect(sizes).toHaveLength(deleted.length);
    expect(secrets.wastedBytes).toBe(sizes.reduce((sum, size) => sum + size, 0));
    // Layer 0: /data/old/* hidden by layer 3's opaque /data, and /opt/b/lib.bin that layer 1 stored again.
    const hidden = image.layers[0].filter((entry) => entry.path.startsWith('data/old/') || entry.path === 'opt/b/lib.bin');
    expect(base.wastedBytes).toBe(hidden.reduce((sum, entry) => sum + entry.size, 0));
    expect(cleanup.wastedBytes).toBe(0);
    expect(efficiency.paths.map((path) => path.path)).toContain('/data/old/file3');
  });

  it('squashing layers 1–2 keeps what differs between the rootfs after layer 0 and after layer 2', () => {
    const before = new Map(regularFiles(join(work, 'at0/rootfs')).map((file) => [file.path, file]));
    const changed = regularFiles(join(work, 'at2/rootfs')).filter(({ path, stat }) => {
      const old = before.get(path);
      if (!old) return true;
      const same = old.stat.size === stat.size && old.stat.mode === stat.mode && old.stat.mtimeMs === stat.mtimeMs && old.stat.uid === stat.uid;
      return !same || !readFileSync(join(work, 'at0/rootfs', path)).equals(readFileSync(join(work, 'at2/rootfs', path)));
    });
    const squash = squashSavings(image.filesystem, 1, 2);
    expect(squash.squashedBytes).toBe(rootfsBytes('', changed));
    expect(squash.storedBytes).toBe(tarfileBytes(image.tars.slice(1, 3)).reduce((sum, bytes) => sum + bytes, 0));
    expect(squash.savedBytes).toBeGreaterThan(0);
    expect(squashSavings(image.filesystem, 2, 1)).toEqual(squash);
  });

  it('squashing every layer saves exactly the wasted bytes', () => {
    const efficiency = imageEfficiency(image.filesystem, image.config);
    expect(squashSavings(image.filesystem, 0, image.layers.length - 1).savedBytes).toBe(efficiency.wastedBytes);
  });

  it('agrees with umoci unpack on the merge-rules image (hard link into a replaced file, opaque dir, whiteouts)', () => {
    const layered = mkdtempSync(join(tmpdir(), 'tarsier-layered-'));
    try {
      execFileSync('bash', [join(__dirname, '../../../helpers/make-layered-image.sh'), layered], { stdio: 'pipe' });
      const filesystem = new LayeredFilesystem();
      for (const tar of readLayerTars(join(layered, 'L'))) filesystem.applyLayer(readTar(tar));
      const efficiency = imageEfficiency(filesystem, null);
      expect(efficiency.visibleBytes).toBe(rootfsBytes(join(layered, 'final/rootfs')));
      expect(efficiency.layers.every((layer) => layer.createdBy === null)).toBe(true);
    } finally {
      rmSync(layered, { recursive: true, force: true });
    }
  });

  it("divides dive's user share by every layer but the base, and has none when they store nothing", () => {
    const layers = [{ storedBytes: 100 }, { storedBytes: 40 }, { storedBytes: 10 }].map((layer, index) => ({ ...layer, index, createdBy: null, visibleBytes: 0, wastedBytes: 0 }));
    expect(userWastedRatio({ wastedBytes: 25, layers })).toBe(0.5);
    expect(userWastedRatio({ wastedBytes: 25, layers: layers.slice(0, 1) })).toBeNull();
  });
});
