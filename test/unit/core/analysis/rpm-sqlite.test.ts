/**
 * The sql.js reader on rpm's own rpmdb.sqlite (from the rpm fixture), and
 * on broken copies of it: a typed error, never another exception.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFile } from '../../../../src/core/analysis/rootfs-files';
import { recordFromHeader } from '../../../../src/core/analysis/packages/rpm-header';
import { InspectError } from '../../../../src/core/errors';
import { expectedRows, insideDir, nodeSqlite, openImage } from '../../../helpers/rootfs';

async function database(): Promise<Uint8Array> {
  const opened = await openImage(join(insideDir, 'rpm.tar'));
  const bytes = await readFile(opened.rootfs, '/var/lib/rpm/rpmdb.sqlite');
  await opened.close();
  if (bytes === null) throw new Error('no rpmdb.sqlite');
  return bytes;
}

describe('rpmdb.sqlite through sql.js', () => {
  it('gives one header per package rpm -qa lists', async () => {
    const names = (await nodeSqlite(await database())).map((blob) => recordFromHeader(blob)?.name).sort();
    expect(names).toEqual((await expectedRows('rpm-layer-1.rpm')).map((row) => row[0]).sort());
  });

  it('refuses what is not SQLite, or is damaged, with an InspectError', async () => {
    const bytes = await database();
    await expect(nodeSqlite(new TextEncoder().encode('not a database at all'))).rejects.toBeInstanceOf(InspectError);
    const damaged = bytes.slice();
    damaged.fill(0xff, 100, 4096 * 3);
    await expect(nodeSqlite(damaged)).rejects.toBeInstanceOf(InspectError);
    await expect(nodeSqlite(bytes.subarray(0, 5000))).rejects.toBeInstanceOf(InspectError);
  });
});
