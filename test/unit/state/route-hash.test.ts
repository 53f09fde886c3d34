import { describe, expect, it } from 'vitest';
import { formatRouteHash, parseRouteHash, sameRoute } from '../../../src/state/route-hash';

const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('parseRouteHash', () => {
  it('reads every key of docs/contracts.md "Links"', () => {
    const params = parseRouteHash(
      `#/?ref=ghcr.io/o/r:1@${digest}&image=${digest}&platform=linux/arm64/v8&layer=3&view=merged&path=/etc/os-release&line=7`,
    );
    expect(params).toEqual({
      ref: `ghcr.io/o/r:1@${digest}`,
      image: digest,
      platform: 'linux/arm64/v8',
      layer: 3,
      view: 'merged',
      path: '/etc/os-release',
      line: 7,
    });
  });
  it('accepts URLSearchParams escaping and a missing slash', () => {
    const params = parseRouteHash('#?file=my+image%20v2.tar&size=1024&path=%2Fusr%2Fbin');
    expect(params).toEqual({ file: 'my image v2.tar', size: 1024, path: '/usr/bin' });
  });
  it('drops invalid values so defaults apply, and keeps unknown keys', () => {
    const params = parseRouteHash('#/?layer=-1&view=nonsense&line=0&size=1e3&theme=dark&x=%E0');
    expect(params).toEqual({ extra: { theme: 'dark' } });
  });
  it('treats an empty hash as all defaults', () => {
    expect(parseRouteHash('')).toEqual({});
    expect(parseRouteHash('#/')).toEqual({});
  });
});

describe('formatRouteHash', () => {
  it('writes keys in a fixed order, readable', () => {
    const hash = formatRouteHash({ view: 'history', layer: 0, file: 'a b.tar', size: 10 });
    expect(hash).toBe('#/?file=a%20b.tar&size=10&layer=0&view=history');
  });
  it('round-trips awkward values', () => {
    const params = {
      file: 'x&y=z#1+2.tar',
      image: digest,
      path: '/usr/lib/gcc/x86_64+gnu/ä ö',
      extra: { future: 'yes' },
    };
    const hash = formatRouteHash(params);
    expect(parseRouteHash(hash)).toEqual(params);
    expect(hash).toContain(`image=${digest}`);
  });
  it('formats nothing as #/', () => {
    expect(formatRouteHash({})).toBe('#/');
  });
  it('compares routes regardless of order', () => {
    expect(sameRoute(parseRouteHash('#/?layer=1&view=config'), { view: 'config', layer: 1 })).toBe(true);
  });
});
