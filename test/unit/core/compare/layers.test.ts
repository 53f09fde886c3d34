import { describe, expect, it } from 'vitest';
import { alignLayers, type LayerFacts } from '../../../../src/core/compare/layers';

function layers(diffIds: (string | null)[]): LayerFacts[] {
  return diffIds.map((diffId, index) => ({ index, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:d${index}`, diffId, diffIdComputed: diffId !== null, size: 1, uncompressedSize: 2, history: null }));
}

const rowsOf = (left: (string | null)[], right: (string | null)[]) =>
  alignLayers(layers(left), layers(right)).map((row) => [row.left?.index ?? null, row.right?.index ?? null, row.sameDiffId]);

describe('alignLayers', () => {
  it('lines a layer up with itself when a layer was inserted below it', () => {
    expect(rowsOf(['a', 'b', 'c'], ['a', 'x', 'b', 'c'])).toEqual([
      [0, 0, true],
      [null, 1, false],
      [1, 2, true],
      [2, 3, true],
    ]);
  });
  it('pairs the diverging layers of both sides on common rows, then re-converges', () => {
    expect(rowsOf(['base', 'app-1', 'static'], ['base', 'app-2', 'static'])).toEqual([
      [0, 0, true],
      [1, 1, false],
      [2, 2, true],
    ]);
  });
  it('never matches layers whose DiffID is unknown', () => {
    expect(rowsOf(['a', null], ['a', null])).toEqual([
      [0, 0, true],
      [1, 1, false],
    ]);
  });
  it('pairs by position, still marking equal DiffIDs, when hostile lists exhaust the search budget', () => {
    const left = Array.from({ length: 20_000 }, (_, i) => `l${i}`);
    const right = Array.from({ length: 20_000 }, (_, i) => (i === 7 ? 'l7' : `r${i}`));
    const rows = alignLayers(layers(left), layers(right));
    expect(rows).toHaveLength(20_000);
    expect(rows.filter((row) => row.sameDiffId).map((row) => row.index)).toEqual([7]);
  });
});
