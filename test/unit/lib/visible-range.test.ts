import { describe, expect, it } from 'vitest';
import { visibleRange } from '../../../src/lib/visible-range';

describe('visibleRange', () => {
  it('draws the visible rows plus the overscan on each side', () => {
    expect(visibleRange(2200, 440, 22, 300_000, 10)).toEqual({ first: 90, last: 130 });
  });

  it('stays inside the list at both ends', () => {
    expect(visibleRange(0, 440, 22, 5, 10)).toEqual({ first: 0, last: 5 });
    expect(visibleRange(10_000, 440, 22, 5, 10)).toEqual({ first: 5, last: 5 });
  });
});
