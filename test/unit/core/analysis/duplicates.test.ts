/**
 * Duplicates on an image made by umoci and Python's tarfile, checked against
 * the sha256 of every file of every layer extracted on its own by GNU tar:
 * the same groups, the same copies, and reads only around same-size files.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDuplicates } from '../../../../src/core/analysis/duplicates';
import { loadOciImage, type TestImage } from '../../../helpers/oci-image';
import { regularFiles, sha256File } from '../../../helpers/rootfs-files';

let work: string;
let image: TestImage;

/** One stored copy as GNU tar extracted it: its layer and every name of its inode. */
interface ReferenceCopy {
  layer: number;
  names: string[];
}

/** Groups of two or more copies of one content over the extracted layers, by digest. */
function referenceGroups(): Map<string, ReferenceCopy[]> {
  const byDigest = new Map<string, ReferenceCopy[]>();
  const layerDirs = readdirSync(join(work, 'layers')).map(Number).sort((a, b) => a - b);
  for (const layer of layerDirs) {
    const root = join(work, 'layers', String(layer));
    const byInode = new Map<number, ReferenceCopy & { digest: string }>();
    for (const { path, stat } of regularFiles(root)) {
      if (stat.size === 0) continue;
      const copy = byInode.get(stat.ino);
      if (copy) copy.names.push(path);
      else byInode.set(stat.ino, { layer, names: [path], digest: sha256File(join(root, path)) });
    }
    for (const { digest, ...copy } of byInode.values()) byDigest.set(digest, [...(byDigest.get(digest) ?? []), copy]);
  }
  for (const [digest, copies] of byDigest) if (copies.length < 2) byDigest.delete(digest);
  return byDigest;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tarsier-duplicates-'));
  execFileSync('bash', [join(__dirname, '../../../helpers/make-findings-image.sh'), work], { stdio: 'pipe' });
  image = loadOciImage(join(work, 'L'), 't');
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('duplicates', () => {
  it('groups exactly the contents that sha256sum finds more than once over the extracted layers', async () => {
    const duplicates = await findDuplicates(image.filesystem, image.read, { limit: Infinity });
    const reference = referenceGroups();
    expect(duplicates.groupCount).toBe(reference.size);
    expect(new Set(duplicates.groups.map((group) => group.digest))).toEqual(new Set(reference.keys()));
    for (const group of duplicates.groups) {
      const expected = reference.get(group.digest) as ReferenceCopy[];
      expect(group.copies.map((copy) => copy.layer)).toEqual(expected.map((copy) => copy.layer));
      group.copies.forEach((copy, index) => expect(expected[index].names).toContain(copy.path));
      expect(group.wastedBytes).toBe((group.copies.length - 1) * group.size);
    }
    expect(duplicates.wastedBytes).toBe(duplicates.groups.reduce((sum, group) => sum + group.wastedBytes, 0));
  });

  it('finds a copy at another path and a chmod that stored the file again, not the hard link', async () => {
    const duplicates = await findDuplicates(image.filesystem, image.read);
    const lib = duplicates.groups.find((group) => group.copies.some((copy) => copy.path === '/opt/b/lib.bin'));
    expect(lib?.size).toBe(3000);
    expect(lib?.copies.map(({ path, layer, visible }) => [path.replace('lib-link.bin', 'lib.bin'), layer, visible])).toEqual([
      ['/opt/a/lib.bin', 0, true],
      ['/opt/b/lib.bin', 0, false],
      ['/opt/b/lib.bin', 1, true],
    ]);
  });

  it('reads only around files that share their size with another', async () => {
    const before = image.reads.length;
    const duplicates = await findDuplicates(image.filesystem, image.read);
    const reads = image.reads.slice(before);
    // Neighbouring candidates share one read, which skips at most 64 KiB of other members between them:
    // the 1.2 MB core dump, of a size of its own, is never read.
    expect(reads.length).toBeLessThan(duplicates.hashedFiles);
    const core = image.layers[0].find((member) => member.path.startsWith('var/crash/core.'));
    expect(core?.size).toBeGreaterThan(64 * 1024);
    const start = core?.offset ?? 0;
    expect(reads.filter((r) => r.layer === 0 && r.offset < start + (core?.size ?? 0) && start < r.offset + r.length)).toEqual([]);
    const storedBytes = image.layers.flat().reduce((sum, entry) => sum + (entry.type === 'file' ? entry.size : 0), 0);
    expect(reads.reduce((sum, r) => sum + r.length, 0)).toBeLessThan(storedBytes / 4);
    const stored = image.layers.flat().filter((entry) => entry.type === 'file' && entry.whiteout === null && entry.size > 0);
    const sizes = stored.map((entry) => entry.size);
    const shared = stored.filter((entry) => sizes.indexOf(entry.size) !== sizes.lastIndexOf(entry.size));
    expect(duplicates.hashedFiles).toBe(shared.length);
    // /opt/c/same-size.bin has lib.bin's size but not its content: hashed, in no group.
    expect(shared.some((entry) => entry.path === 'opt/c/same-size.bin')).toBe(true);
    expect(duplicates.groups.flatMap((group) => group.copies).some((copy) => copy.path === '/opt/c/same-size.bin')).toBe(false);
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(findDuplicates(image.filesystem, image.read, { signal: controller.signal })).rejects.toThrow();
  });
});
