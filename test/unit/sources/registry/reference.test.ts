import { describe, expect, it } from 'vitest';
import { InspectError } from '../../../../src/core/errors';
import {
  familiarReference,
  formatReference,
  isLoopbackHost,
  manifestIdentifier,
  parseReference,
  pinReference,
} from '../../../../src/sources/registry/reference';

const hex = 'a'.repeat(64);
const digest = `sha256:${hex}`;

describe('parseReference accepts what distribution/reference accepts', () => {
  const cases: Array<[string, string, string, string]> = [
    // input, normalised full form, apiHost, repository
    ['alpine', 'docker.io/library/alpine:latest', 'registry-1.docker.io', 'library/alpine'],
    ['alpine:3.20', 'docker.io/library/alpine:3.20', 'registry-1.docker.io', 'library/alpine'],
    [
      'docker.io/alpine',
      'docker.io/library/alpine:latest',
      'registry-1.docker.io',
      'library/alpine',
    ],
    [
      'index.docker.io/library/alpine:3',
      'docker.io/library/alpine:3',
      'registry-1.docker.io',
      'library/alpine',
    ],
    ['bitnami/redis:7.2', 'docker.io/bitnami/redis:7.2', 'registry-1.docker.io', 'bitnami/redis'],
    [`ghcr.io/o/r@${digest}`, `ghcr.io/o/r@${digest}`, 'ghcr.io', 'o/r'],
    [`ghcr.io/o/r:v1@${digest}`, `ghcr.io/o/r:v1@${digest}`, 'ghcr.io', 'o/r'],
    ['localhost:5000/team/api:dev', 'localhost:5000/team/api:dev', 'localhost:5000', 'team/api'],
    ['localhost/x', 'localhost/x:latest', 'localhost', 'x'],
    ['127.0.0.1:5000/x', '127.0.0.1:5000/x:latest', '127.0.0.1:5000', 'x'],
    ['[::1]:5000/x:1', '[::1]:5000/x:1', '[::1]:5000', 'x'],
    ['a/b/c/d:1', 'docker.io/a/b/c/d:1', 'registry-1.docker.io', 'a/b/c/d'],
    ['quay.io/a-b/c__d.e_f:V1.0-rc_2', 'quay.io/a-b/c__d.e_f:V1.0-rc_2', 'quay.io', 'a-b/c__d.e_f'],
    [
      'registry.example.com:8443/x/y',
      'registry.example.com:8443/x/y:latest',
      'registry.example.com:8443',
      'x/y',
    ],
    [
      'us-docker.pkg.dev/p/r/img:_t',
      'us-docker.pkg.dev/p/r/img:_t',
      'us-docker.pkg.dev',
      'p/r/img',
    ],
    [
      `busybox:${'t'.repeat(128)}`,
      `docker.io/library/busybox:${'t'.repeat(128)}`,
      'registry-1.docker.io',
      'library/busybox',
    ],
    ['  alpine:edge  ', 'docker.io/library/alpine:edge', 'registry-1.docker.io', 'library/alpine'],
  ];
  it.each(cases)('%s → %s', (input, full, apiHost, repository) => {
    const reference = parseReference(input);
    expect(formatReference(reference)).toBe(full);
    expect(reference.apiHost).toBe(apiHost);
    expect(reference.repository).toBe(repository);
    // Plain data: survives structured cloning unchanged.
    expect(structuredClone(reference)).toEqual(reference);
  });

  it('leaves the tag empty when only a digest is given, and defaults it otherwise', () => {
    expect(parseReference(`alpine@${digest}`).tag).toBeNull();
    expect(parseReference(`alpine@${digest}`).digest).toBe(digest);
    expect(parseReference('alpine').tag).toBe('latest');
    expect(parseReference('alpine').digest).toBeNull();
  });
});

describe('parseReference rejects what the grammar forbids, saying why', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /empty/],
    ['   ', /empty/],
    [':tag', /repository name is missing/],
    [`@${digest}`, /repository name is missing/],
    ['Alpine', /must be lowercase/],
    ['docker.io/Library/alpine', /must be lowercase/],
    ['ghcr.io/Org/repo', /must be lowercase/],
    ['alpine:', /nothing follows ":"/],
    [`alpine:${'t'.repeat(129)}`, /129 characters long; at most 128/],
    ['alpine:-bad', /may not start with "." or "-"/],
    ['alpine:.bad', /may not start/],
    ['alpine:a/b', /"alpine:a" is not a valid registry host/],
    ['alpine@', /nothing follows "@"/],
    ['alpine@sha256:abc', /64 lowercase hex/],
    [`alpine@sha256:${'A'.repeat(64)}`, /64 lowercase hex/],
    [`alpine@sha512:${'a'.repeat(128)}`, /not supported; use sha256/],
    ['alpine@latest', /is not a digest/],
    ['a//b', /empty component/],
    ['a/b/', /empty component/],
    ['a/-b', /not a valid repository path component/],
    ['a/b_', /not a valid repository path component/],
    ['a/b...c', /not a valid repository path component/],
    ['-host.io/x', /not a valid registry host/],
    ['host.io:port/x', /not a valid registry host|tag/],
    ['https://ghcr.io/o/r', /leave out the scheme/],
    ['alpine 3', /white space/],
    [hex, /image ID/],
    [`x/${'a'.repeat(260)}`, /at most 255/],
  ];
  it.each(cases)('%j', (input, message) => {
    let caught: unknown;
    try {
      parseReference(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InspectError);
    expect((caught as InspectError).code).toBe('bad-reference');
    expect((caught as InspectError).message).toMatch(message);
  });
});

describe('formatting helpers', () => {
  it('pins a reference by digest, keeping the tag', () => {
    const pinned = pinReference(parseReference('alpine:3.20'), digest);
    expect(formatReference(pinned)).toBe(`docker.io/library/alpine:3.20@${digest}`);
    expect(manifestIdentifier(pinned)).toBe(digest);
    expect(manifestIdentifier(parseReference('alpine:3.20'))).toBe('3.20');
  });

  it('round-trips the full form through parseReference', () => {
    for (const input of ['alpine', 'localhost:5000/team/api:dev', `ghcr.io/o/r:v1@${digest}`]) {
      const full = formatReference(parseReference(input));
      expect(formatReference(parseReference(full))).toBe(full);
    }
  });

  it('gives the familiar short form', () => {
    expect(familiarReference(parseReference('docker.io/library/alpine'))).toBe('alpine:latest');
    expect(familiarReference(parseReference('bitnami/redis:7'))).toBe('bitnami/redis:7');
    expect(familiarReference(parseReference('library/a/b'))).toBe('library/a/b:latest');
    expect(familiarReference(parseReference('ghcr.io/o/r:1'))).toBe('ghcr.io/o/r:1');
  });

  it('keeps docker.io/ in the short form where the first component would read as a host (found by fuzzing)', () => {
    for (const input of ['docker.io/li.brary/alpine:latest', 'docker.io/docker.io/d:latest', 'docker.io/localhost/x:1']) {
      const reference = parseReference(input);
      expect(familiarReference(reference)).toBe(input);
      expect(parseReference(familiarReference(reference))).toEqual(reference);
    }
  });

  it('tells loopback registries apart', () => {
    expect(isLoopbackHost('localhost:5000')).toBe(true);
    expect(isLoopbackHost('127.0.0.1:5000')).toBe(true);
    expect(isLoopbackHost('[::1]:5000')).toBe(true);
    expect(isLoopbackHost('localhost.example.com')).toBe(false);
    expect(isLoopbackHost('ghcr.io')).toBe(false);
  });
});
