/**
 * The secret catalogue on the file forms real tools write: each credential
 * file with and without a credential, placeholders, documentation examples,
 * and the masking of every value.
 */
import { describe, expect, it } from 'vitest';
import { FindingList } from '../../../../src/core/analysis/finding-list';
import { credentialFile, findTokens } from '../../../../src/core/analysis/secret-patterns';
import { maskSecret } from '../../../../src/core/analysis/text';

const inspect = (path: string, text: string): string[] => credentialFile(path)?.inspect(text) ?? ['not a credential file'];

describe('credential files', () => {
  it('reads tokens from the forms npm, pip, git, netrc and kubectl write', () => {
    expect(inspect('/root/.npmrc', '//npm.example.com/:_authToken=abcdef123456\nregistry=https://npm.example.com/\n')).toEqual(['//npm.example.com/:_authToken = abc…(12 characters)']);
    expect(inspect('/home/u/.npmrc', '//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n')).toEqual([]);
    expect(inspect('/etc/npmrc', 'registry=https://registry.npmjs.org/\n')).toEqual([]);
    expect(inspect('/root/.pypirc', '[pypi]\nusername = __token__\npassword: pypi-AgEIcHlwaS5vcmcCJGE\n')).toEqual(['password = pypi…(24 characters)']);
    expect(inspect('/root/.git-credentials', 'https://bob:s3cretTOKEN9@github.com\n')).toEqual(['credentials for github.com: s3c…(12 characters)']);
    expect(inspect('/root/.netrc', 'machine example.com login bob password hunter22\n')).toEqual(['password hu…(8 characters)']);
    expect(inspect('/root/.kube/config', 'users:\n- name: ci\n  user:\n    token: eyJhbGciOiJSUzI1NiJ9.payload.sig\n')).toEqual(['token = eyJh…(32 characters)']);
    expect(inspect('/srv/.env.production', 'export STRIPE_SECRET="sk_live_abcdefghijkl"\nPORT=3000\nAPI_KEY=changeme\nEMPTY_TOKEN=\n')).toEqual(['STRIPE_SECRET = sk_l…(20 characters)']);
  });

  it('reads Docker client configs as JSON, and as text when they do not parse', () => {
    const config = JSON.stringify({ auths: { 'ghcr.io': { auth: 'dXNlcjpwYXNzd29yZA==' }, 'quay.io': {} }, credsStore: 'desktop' });
    expect(inspect('/root/.docker/config.json', config)).toEqual(['auth for ghcr.io: dXNl…(20 characters)']);
    expect(inspect('/root/.docker/config.json', '{"auths": {"x": {"auth": "abc"}')).toEqual(['registry credentials']);
    expect(inspect('/root/.docker/config.json', JSON.stringify({ credsStore: 'pass' }))).toEqual([]);
  });

  it('knows credential files by path only', () => {
    expect(credentialFile('/root/.aws/credentials')?.label).toBe('AWS credentials file');
    expect(credentialFile('/home/a/.ssh/id_rsa')?.label).toBe('SSH private key');
    expect(credentialFile('/etc/ssh/ssh_host_ed25519_key')?.label).toBe('SSH private key');
    expect(credentialFile('/etc/ssh/ssh_host_ed25519_key.pub')).toBeNull();
    expect(credentialFile('/root/.config/gcloud/credentials.db')?.presenceIsEvidence).toBe(true);
    expect(credentialFile('/app/environment.ts')).toBeNull();
  });
});

describe('tokens', () => {
  it('recognises keys and tokens by their format', () => {
    const text = [
      'AKIAZ7ZLQ3W4ABCDEF23',
      'ghp_' + 'a'.repeat(36),
      'github_pat_' + 'B'.repeat(82),
      'glpat-' + 'c'.repeat(20),
      'xoxp-1234567890-abcdef',
      'https://hooks.slack.com/services/T0123ABCD/B0123ABCD/' + 'd'.repeat(24),
      '-----BEGIN OPENSSH PRIVATE KEY-----',
      '-----BEGIN EC PRIVATE KEY-----',
      '-----BEGIN PGP PRIVATE KEY BLOCK-----',
    ].join('\n');
    expect(findTokens(text)).toEqual([
      'OpenSSH private key',
      'EC private key',
      'PGP private key',
      'AWS access key id AKIA…(20 characters)',
      'GitHub token ghp_…(40 characters)',
      'GitHub fine-grained token gith…(93 characters)',
      'GitLab token glpa…(26 characters)',
      'Slack token xoxp…(22 characters)',
      'Slack webhook http…(77 characters)',
    ]);
  });

  it("skips AWS's documentation example, public keys and look-alikes", () => {
    expect(findTokens('AKIAIOSFODNN7EXAMPLE')).toEqual([]);
    expect(findTokens('-----BEGIN PUBLIC KEY-----\n-----BEGIN CERTIFICATE-----')).toEqual([]);
    expect(findTokens('ghp_short AKIA1234 glpat-tooshort')).toEqual([]);
  });

  it('stops at a bound', () => {
    expect(findTokens(Array.from({ length: 50 }, (_, i) => `AKIA${String(i).padStart(16, 'Q')}`).join(' '), 5)).toHaveLength(5);
  });
});

describe('masking and bounds', () => {
  it('shows at most a quarter of a value, never more than 4 characters', () => {
    expect(maskSecret('hunter2')).toBe('h…(7 characters)');
    expect(maskSecret('abc')).toBe('…(3 characters)');
    expect(maskSecret('x'.repeat(100))).toBe('xxxx…(100 characters)');
  });

  it('keeps a bounded number of findings per check and counts the rest', () => {
    const list = new FindingList(2);
    for (let i = 0; i < 5; i += 1) list.add({ id: 'tmp-file', severity: 'info', path: `/tmp/${i}`, layer: 0, message: 'x' }, 'files under /tmp');
    list.add({ id: 'setuid', severity: 'low', path: '/bin/su', layer: 0, message: 'y' });
    expect(list.findings().map((finding) => [finding.id, finding.path])).toEqual([
      ['setuid', '/bin/su'],
      ['tmp-file', '/tmp/0'],
      ['tmp-file', '/tmp/1'],
      ['tmp-file', null],
    ]);
    expect(list.findings()[3].message).toBe('…and 3 more files under /tmp (5 in all; the first 2 are listed)');
  });
});
