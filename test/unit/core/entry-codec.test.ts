import { describe, expect, it } from 'vitest';
import { decodeEntries, entriesOf, packEntries } from '../../../src/core/entry-codec';
import { analyseFixture } from '../../helpers/node-source';

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
});
