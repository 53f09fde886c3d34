import { describe, expect, it } from 'vitest';
import { compareTargetKind, formatCompareKeys, isPinnedReference, parseCompareKeys, type CompareRoute } from '../../../../src/core/compare/link';
import { formatRouteHash, parseRouteHash } from '../../../../src/state/route-hash';

const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;
const other = `sha256:${'fedcba9876543210'.repeat(4)}`;

/** A link as the page writes it: the left image's keys, then the comparison's among the extra keys. */
function link(route: CompareRoute): string {
  return formatRouteHash({ file: 'today.tar', size: 123, image: digest, path: '/etc/os-release', extra: Object.fromEntries(formatCompareKeys(route)) });
}

function reread(hash: string): CompareRoute {
  return parseCompareKeys(parseRouteHash(hash).extra ?? {});
}

describe('comparison links', () => {
  const routes: [string, CompareRoute][] = [
    ['a registry image by digest', { right: { ref: `ghcr.io/org/app:2@${other}`, image: other, platform: 'linux/arm64/v8' }, section: 'files' }],
    ['a dropped file by name, size and image digest', { right: { file: 'yesterday image (1).tar', size: 4096, image: other, layer: 3 } }],
    ['a dropped folder (no size)', { right: { file: 'oci layout', image: other }, section: 'config' }],
    ['another platform of the same source', { right: { image: other, platform: 'linux/arm/v7' }, section: 'packages', changes: ['added', 'changed'] }],
    ['awkward names', { right: { file: 'a&b=c#d%e+f?.tar', size: 1, image: other } }],
  ];
  for (const [name, route] of routes) {
    it(`round-trips ${name} through the page's link format`, () => {
      const hash = link(route);
      expect(reread(hash)).toEqual(route);
      expect(parseRouteHash(hash)).toMatchObject({ file: 'today.tar', size: 123, image: digest, path: '/etc/os-release' });
    });
  }

  it('writes readable links, keys in a fixed order', () => {
    const hash = link({ changes: ['removed'], section: 'files', right: { layer: 2, image: other, ref: `localhost:5000/team/api:dev@${other}` } });
    expect(hash).toBe(
      `#/?file=today.tar&size=123&image=${digest}&path=/etc/os-release&right.ref=localhost:5000/team/api:dev@${other}` +
        `&right.image=${other}&right.layer=2&section=files&changes=removed`,
    );
  });

  it('drops invalid values so the defaults apply', () => {
    const route = parseCompareKeys({ 'right.image': 'not a digest', 'right.size': '-3', 'right.file': 'x.tar', 'right.layer': '1.5', 'right.platform': 'linux', section: 'everything', changes: 'moved,,' });
    expect(route).toEqual({ right: { file: 'x.tar' } });
  });

  it('keeps the reference when a link names both a reference and a file', () => {
    const route = parseCompareKeys({ 'right.ref': `r@${other}`, 'right.file': 'x.tar', 'right.size': '5' });
    expect(route.right).toEqual({ ref: `r@${other}` });
    expect(formatCompareKeys({ right: { ref: `r@${other}`, file: 'x.tar', size: 5 } })).toEqual([['right.ref', `r@${other}`]]);
  });

  it('leaves the default filter out: all three changes is no filter', () => {
    expect(formatCompareKeys({ right: { image: other }, changes: ['changed', 'added', 'removed'] })).toEqual([['right.image', other]]);
    expect(parseCompareKeys({ changes: 'changed,added' }).changes).toEqual(['added', 'changed']);
  });

  it('tells where the right image comes from', () => {
    expect(compareTargetKind({ ref: `r@${other}`, image: other })).toBe('registry');
    expect(compareTargetKind({ file: 'x.tar', image: other })).toBe('file');
    expect(compareTargetKind({ image: other })).toBe('same-source');
    expect(isPinnedReference(`ghcr.io/o/r:1@${other}`)).toBe(true);
    expect(isPinnedReference('ghcr.io/o/r:1')).toBe(false);
  });
});
