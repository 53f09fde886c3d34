import { describe, expect, it } from 'vitest';
import { repositoryOf } from '../../../../src/state/registry/registry-listing.svelte';

describe('the registry panel', () => {
  it('opens other tags and referrers in the repository as the reference spells it', () => {
    const digest = `sha256:${'d'.repeat(64)}`;
    expect(repositoryOf('alpine:3.20')).toBe('alpine');
    expect(repositoryOf(`ghcr.io/org/app:v1@${digest}`)).toBe('ghcr.io/org/app');
    expect(repositoryOf('localhost:5000/team/api:dev')).toBe('localhost:5000/team/api');
    expect(repositoryOf('localhost:5000/team/api')).toBe('localhost:5000/team/api');
  });
});
