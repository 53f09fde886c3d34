import { describe, expect, it } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import { decodeEntries, encodeEntries, entriesOf, packEntries } from '../../../../src/core/tar/entry-codec';
import { TarWalker } from '../../../../src/core/tar/walker';
import { analyseFixture } from '../../../helpers/node-source';
import { BINARY_VALUE, CAPABILITY, makeMetadataTars } from '../../../helpers/make-metadata-tars';

describe('entry codec', () => {
  it('packs a real layer’s entries into one buffer and restores them exactly', async () => {
    const { results } = await analyseFixture('layer-pax.tar');
    const [outcome] = [...results.values()];
    if (!('result' in outcome)) throw new Error('layer-pax.tar did not analyse');
    const { result } = outcome;
    expect(result.entries.length).toBeGreaterThan(3);
    const packed = packEntries(result);
    expect(packed.entries).toEqual([]);
    expect(packed.encodedEntries).toBeInstanceOf(Uint8Array);
    expect(packed.entryCount).toBe(result.entryCount);
    expect(entriesOf(packed)).toEqual(result.entries);
    expect(decodeEntries(packed.encodedEntries as Uint8Array)).toEqual(result.entries);
  });

  it('leaves a result without entries as it is', async () => {
    const { results } = await analyseFixture('layer.tar');
    const [outcome] = [...results.values()];
    if (!('result' in outcome)) throw new Error('layer.tar did not analyse');
    const withoutEntries = { ...outcome.result, entries: [] };
    expect(packEntries(withoutEntries)).toBe(withoutEntries);
    expect(entriesOf(withoutEntries)).toEqual([]);
  });

  it('carries binary xattr values and device numbers byte for byte', () => {
    const tars = makeMetadataTars();
    try {
      const walker = new TarWalker({ keepEntries: true });
      walker.push(new Uint8Array(readFileSync(tars.layer0)));
      walker.finish();
      const decoded = decodeEntries(encodeEntries(walker.entries));
      expect(decoded).toEqual(walker.entries);
      const ping = decoded.find((entry) => entry.path === 'bin/ping');
      const bytesOf = (value: string | undefined): Buffer => Buffer.from(value ?? '', 'latin1');
      expect(bytesOf(ping?.xattrs?.['security.capability']).equals(CAPABILITY)).toBe(true);
      expect(bytesOf(ping?.xattrs?.['user.binary']).equals(BINARY_VALUE)).toBe(true);
      expect(decoded.find((entry) => entry.path === 'dev/tty-max')).toMatchObject({ devMajor: 4095, devMinor: 1048575 });
    } finally {
      rmSync(tars.dir, { recursive: true, force: true });
    }
  });
});
