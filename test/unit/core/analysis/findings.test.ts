/**
 * Findings on an image made by real tools (see make-findings-image.sh):
 * umoci layers that add keys and credentials and then delete them, a real
 * apt cache, a gcore core dump, setuid/world-writable files; every finding
 * checked against the layer tars and the rootfs `umoci unpack` makes, and no
 * secret value may appear in full anywhere in the findings. The apt lists of
 * a debootstrap + apt run come from the inside-the-image Debian fixture.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../../../src/core/analysis/finding';
import { analyseImage } from '../../../../src/core/analysis/image-analysis';
import { loadOciImage, type TestImage } from '../../../helpers/oci-image';
import { regularFiles } from '../../../helpers/rootfs-files';

let work: string;
let image: TestImage;
let findings: Finding[];

const byId = (id: string): Finding[] => findings.filter((finding) => finding.id === id);
const paths = (id: string): (string | null)[] => byId(id).map((finding) => finding.path);
const secretsFile = (): Record<string, string> =>
  Object.fromEntries(readFileSync(join(work, 'tokens.env'), 'utf8').trim().split('\n').map((line) => line.split('=', 2)));

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tarsier-findings-'));
  execFileSync('bash', [join(__dirname, '../../../helpers/make-findings-image.sh'), work], { stdio: 'pipe' });
  image = loadOciImage(join(work, 'L'), 't');
  const analysis = await analyseImage({ filesystem: image.filesystem, read: image.read, config: image.config });
  expect(analysis.errors).toEqual([]);
  findings = analysis.findings;
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('secrets', () => {
  it('finds what layer 2 deleted or replaced in layer 1, which still stores it', () => {
    const lower = byId('secret-in-lower-layer');
    expect(lower.map((finding) => finding.path)).toEqual(['/app/.env', '/app/config.json', '/root/.aws/credentials', '/root/.docker/config.json', '/root/.npmrc', '/root/.ssh/id_ed25519']);
    for (const finding of lower) {
      expect(finding).toMatchObject({ severity: 'high', layer: 1 });
      // Stored in layer 1's tar, gone from the unpacked rootfs (or, for .npmrc, without its token there).
      expect(image.layers[1].some((entry) => `/${entry.path}` === finding.path && entry.type === 'file')).toBe(true);
      if (finding.path !== '/root/.npmrc') expect(existsSync(join(work, 'final/rootfs', finding.path as string))).toBe(false);
    }
    expect(lower.find((finding) => finding.path === '/root/.npmrc')?.message).toMatch(/layer 2 replaced it, but layer 1 still stores it/);
    expect(lower.find((finding) => finding.path === '/root/.ssh/id_ed25519')?.message).toMatch(/^SSH private key: OpenSSH private key; layer 2 deleted it/);
    expect(readFileSync(join(work, 'final/rootfs/root/.npmrc'), 'utf8')).not.toMatch(/_authToken/);
  });

  it('finds the secrets the merged filesystem still shows, and names what they are', () => {
    const shown = byId('secret');
    expect(shown.map((finding) => [finding.path, finding.layer])).toEqual([
      ['/app/deploy.sh', 3],
      ['/app/gcp-credentials.json', 3],
      ['/app/server.key', 1],
    ]);
    const message = (path: string) => shown.find((finding) => finding.path === path)?.message ?? '';
    expect(message('/app/server.key')).toBe('key file: RSA private key');
    expect(message('/app/gcp-credentials.json')).toMatch(/GCP service-account key/);
    expect(message('/app/deploy.sh')).toMatch(/^GitLab token glpa…\(26 characters\); Slack token xoxb…\(\d+ characters\)$/);
    for (const finding of shown) expect(lstatSync(join(work, 'final/rootfs', finding.path as string)).isFile()).toBe(true);
  });

  it('leaves out files without credentials: a certificate, an .npmrc without a token, a public key', () => {
    const flagged = [...paths('secret'), ...paths('secret-in-lower-layer')];
    for (const path of ['/etc/ssl/certs/example.pem', '/app/.npmrc', '/root/.ssh/id_ed25519.pub']) expect(flagged).not.toContain(path);
    expect(byId('secret').concat(byId('secret-in-lower-layer')).find((finding) => finding.path === '/app/.env')?.message).not.toMatch(/API_TOKEN|PORT/);
  });

  it('never shows a secret value in full', () => {
    const text = JSON.stringify(findings);
    const values = Object.values(secretsFile());
    expect(values.length).toBe(7);
    for (const value of values) {
      expect(text).not.toContain(value);
      expect(text).not.toContain(value.slice(0, 8));
    }
    expect(text).toContain(`${secretsFile().AWS_KEY_ID.slice(0, 4)}…(20 characters)`);
  });
});

describe('hygiene', () => {
  it('flags setuid, setgid and world-writable files and directories, not /tmp (sticky)', () => {
    expect(paths('setuid')).toEqual(['/usr/bin/tool']);
    expect(paths('setgid')).toEqual(['/usr/bin/grp']);
    expect(paths('world-writable')).toEqual(['/srv/drop', '/srv/shared-file']);
    expect(lstatSync(join(work, 'final/rootfs/usr/bin/tool')).mode & 0o4000).toBe(0o4000);
    expect(lstatSync(join(work, 'final/rootfs/tmp')).mode & 0o1777).toBe(0o1777);
  });

  it('flags files under /tmp, editor backups and the core dump gcore wrote', () => {
    expect(paths('tmp-file')).toEqual(['/tmp/build.log']);
    expect(paths('editor-backup')).toEqual(['/etc/.app.conf.swp', '/etc/app.conf~']);
    const [core] = byId('core-dump');
    expect(core.path).toMatch(/^\/var\/crash\/core\.\d+$/);
    expect(readFileSync(join(work, 'final/rootfs', core.path as string)).subarray(16, 18)).toEqual(Buffer.from([4, 0]));
  });

  it('names the apt lists and the .deb that the apt-get run left, with their bytes', () => {
    expect(byId('package-cache').map(({ path, layer }) => [path, layer])).toEqual([
      ['/var/cache/apt', 0],
      ['/var/lib/apt/lists', 0],
    ]);
    const deb = lstatSync(join(work, 'final/rootfs/var/cache/apt/archives/tarsier-demo_1.0_all.deb')).size;
    expect(byId('package-cache')[0].message).toContain(`1 file, `);
    expect(byId('package-cache')[0].message).toContain(`(${deb} bytes)`);
  });

  it('names the apt lists that debootstrap and apt left in the Debian fixture, as umoci unpack finds them', async () => {
    const layout = join(work, 'debian');
    execFileSync('mkdir', ['-p', layout]);
    execFileSync('tar', ['-xf', join(__dirname, '../../../fixtures/generated/inside/debian.tar'), '-C', layout]);
    execFileSync('umoci', ['unpack', '--image', `${layout}:tarsier/debian:12`, join(work, 'debian-unpacked')], { stdio: 'pipe' });
    const debian = loadOciImage(layout, 'tarsier/debian:12');
    const analysis = await analyseImage({ filesystem: debian.filesystem, read: debian.read, config: debian.config });
    const lists = regularFiles(join(work, 'debian-unpacked/rootfs/var/lib/apt/lists')).filter((file) => file.stat.size > 0 && !file.path.endsWith('/lock'));
    const bytes = lists.reduce((sum, file) => sum + file.stat.size, 0);
    expect(lists.length).toBeGreaterThan(0);
    const finding = analysis.findings.find((candidate) => candidate.id === 'package-cache' && candidate.path === '/var/lib/apt/lists');
    expect(finding?.message).toContain(`${lists.length} files, `);
    expect(finding?.message).toContain(`(${bytes} bytes)`);
    expect(analysis.findings.filter((candidate) => candidate.id === 'setuid').map((candidate) => candidate.path)).toContain('/usr/bin/passwd');
  });

  it('says the image runs as root when its config sets no User', () => {
    expect(byId('runs-as-root')).toEqual([{ id: 'runs-as-root', severity: 'medium', path: null, layer: null, message: 'The image runs as root: its config sets no User' }]);
  });

  it('resolves a User name through the image /etc/passwd', async () => {
    const withUser = async (User: string) => {
      const config = { ...image.config, config: { ...image.config.config, User } };
      return (await analyseImage({ filesystem: image.filesystem, read: image.read, config })).findings.filter((finding) => finding.id === 'runs-as-root');
    };
    expect(await withUser('app')).toEqual([]);
    expect(await withUser('1000:1000')).toEqual([]);
    expect((await withUser('admin'))[0]?.message).toBe(`The image runs as root: its config's User "admin" is uid 0 in the image's /etc/passwd`);
    expect((await withUser('0:1000'))[0]?.message).toBe(`The image runs as root: its config's User is "0:1000"`);
  });

  it('orders findings by severity, then check, then path', () => {
    const severities = findings.map((finding) => ['high', 'medium', 'low', 'info'].indexOf(finding.severity));
    expect(severities).toEqual([...severities].sort((a, b) => a - b));
  });
});
