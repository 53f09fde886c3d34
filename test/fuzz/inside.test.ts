/**
 * Fuzzes the readers of what is inside images with real seeds: inspectElf
 * on small real ELF files of this machine (a PIE, a shared library with
 * symbol versions, the dynamic loader), and the rpm Berkeley DB reader and
 * header parser on the Packages file that db_load wrote for the rpm
 * fixture. Hostile bytes must end in an InspectError (or a result).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspectElf } from '../../src/core/content/elf-inspect';
import { readFile } from '../../src/core/analysis/rootfs-files';
import { berkeleyHashValues } from '../../src/core/analysis/packages/rpm-bdb';
import { recordFromHeader } from '../../src/core/analysis/packages/rpm-header';
import { insideDir, openImage } from '../helpers/rootfs';
import { fuzzTest } from './engine';

const elves = [
  '/usr/bin/true',
  '/usr/lib/x86_64-linux-gnu/libacl.so.1',
  '/usr/lib/x86_64-linux-gnu/libz.so.1',
  '/lib64/ld-linux-x86-64.so.2',
].filter(existsSync);

fuzzTest({
  name: 'elf-inspect',
  iterations: 20000,
  seeds: () => elves.map((path) => new Uint8Array(readFileSync(path))),
  run: (input) => inspectElf((offset, length) => input.subarray(offset, offset + length)),
});

async function packagesFile(): Promise<Uint8Array> {
  const opened = await openImage(join(insideDir, 'rpm-bdb.tar'));
  const bytes = await readFile(opened.rootfs, '/var/lib/rpm/Packages');
  await opened.close();
  if (bytes === null) throw new Error('no Packages in rpm-bdb.tar');
  return bytes;
}

fuzzTest({
  name: 'rpm-bdb',
  iterations: 10000,
  seeds: async () => [await packagesFile()],
  run: (input) => berkeleyHashValues(input).map((value) => (value.length >= 16 ? recordFromHeader(value) : null)),
});

fuzzTest({
  name: 'rpm-header',
  iterations: 20000,
  seeds: async () => berkeleyHashValues(await packagesFile()),
  run: (input) => recordFromHeader(input),
});
