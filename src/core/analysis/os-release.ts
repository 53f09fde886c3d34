/**
 * Which operating system an image holds, from its merged rootfs:
 * os-release(5) (`/etc/os-release`, else `/usr/lib/os-release`, symlinks
 * followed inside the image), else the older release files that real images
 * still carry (`/etc/redhat-release`, `/etc/alpine-release`,
 * `/etc/debian_version`), else "busybox only" where `/bin/busybox` is all
 * there is. Distroless images are named as such (their os-release says
 * PRETTY_NAME="Distroless", or they have dpkg's status.d and no shell).
 */
import { lookupDirectory, lookupFile, readText } from './rootfs-files';
import type { Rootfs } from './rootfs';

/** report.json `os` (docs/inside-the-image.md, "The OS": the four contract fields, and idLike, versionCodename, flavour). */
export interface OsInfo {
  /** os-release ID (`debian`, `alpine`, `rhel`…), lower case. */
  id: string;
  /** VERSION_ID (`12`, `3.11.6`), or null. */
  versionId: string | null;
  /** PRETTY_NAME, or one made from what is known. */
  prettyName: string;
  /** The file it came from (absolute, as asked for: `/etc/os-release`), or `/bin/busybox`. */
  source: string;
  /** ID_LIKE, split. */
  idLike: string[];
  /** VERSION_CODENAME, or null. */
  versionCodename: string | null;
  /** `distroless` or `busybox` where the image is one of those minimal kinds, else null. */
  flavour: 'distroless' | 'busybox' | null;
}

/** The longest release file read. */
const MAX_RELEASE_FILE = 64 * 1024;

/** Parses os-release(5): `KEY=value` lines, values optionally quoted with shell escapes. */
export function parseOsRelease(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match === null) continue;
    let value = match[2];
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.length >= 2 && value.endsWith(quote)) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\([$"`\\])/g, '$1');
    }
    fields.set(match[1], value);
  }
  return fields;
}

function fromOsRelease(text: string, source: string): OsInfo | null {
  const fields = parseOsRelease(text);
  const id = (fields.get('ID') ?? 'linux').toLowerCase();
  const name = fields.get('NAME') ?? null;
  const versionId = fields.get('VERSION_ID') ?? null;
  const prettyName = fields.get('PRETTY_NAME') ?? [name ?? id, fields.get('VERSION') ?? versionId].filter(Boolean).join(' ');
  if (fields.size === 0) return null;
  return {
    id,
    versionId,
    prettyName,
    source,
    idLike: (fields.get('ID_LIKE') ?? '').split(/\s+/).filter((word) => word !== ''),
    versionCodename: fields.get('VERSION_CODENAME') || null,
    flavour: /distroless/i.test(prettyName) || /distroless/i.test(fields.get('HOME_URL') ?? '') ? 'distroless' : null,
  };
}

const REDHAT_IDS: [RegExp, string][] = [
  [/^Red Hat Enterprise Linux/i, 'rhel'],
  [/^CentOS Stream/i, 'centos'],
  [/^CentOS/i, 'centos'],
  [/^Fedora/i, 'fedora'],
  [/^Rocky/i, 'rocky'],
  [/^AlmaLinux/i, 'almalinux'],
  [/^Oracle Linux/i, 'ol'],
  [/^Amazon Linux/i, 'amzn'],
];

/** `/etc/redhat-release`'s one line: `CentOS Linux release 7.9.2009 (Core)`. */
export function fromRedhatRelease(line: string, source: string): OsInfo {
  const text = line.trim();
  const id = REDHAT_IDS.find(([pattern]) => pattern.test(text))?.[1] ?? 'rhel';
  const version = /release\s+([0-9][0-9.]*)/i.exec(text)?.[1] ?? null;
  return { id, versionId: version, prettyName: text, source, idLike: ['rhel', 'fedora'].filter((like) => like !== id), versionCodename: null, flavour: null };
}

function minimal(id: string, versionId: string | null, prettyName: string, source: string, flavour: OsInfo['flavour'] = null): OsInfo {
  return { id, versionId, prettyName, source, idLike: [], versionCodename: null, flavour };
}

/** The OS of the merged rootfs, or null when nothing says. */
export async function analyseOs(rootfs: Rootfs): Promise<OsInfo | null> {
  for (const path of ['/etc/os-release', '/usr/lib/os-release']) {
    const text = await readText(rootfs, path, MAX_RELEASE_FILE);
    const info = text === null ? null : fromOsRelease(text, path);
    if (info !== null) return withFlavour(rootfs, info);
  }
  const redhat = await readText(rootfs, '/etc/redhat-release', MAX_RELEASE_FILE);
  if (redhat !== null && redhat.trim() !== '') return fromRedhatRelease(redhat, '/etc/redhat-release');
  const alpine = (await readText(rootfs, '/etc/alpine-release', MAX_RELEASE_FILE))?.trim();
  if (alpine) {
    const minor = /^(\d+\.\d+)/.exec(alpine)?.[1] ?? alpine;
    return minimal('alpine', alpine, `Alpine Linux v${minor}`, '/etc/alpine-release');
  }
  const debian = (await readText(rootfs, '/etc/debian_version', MAX_RELEASE_FILE))?.trim();
  if (debian) {
    const major = /^(\d+)/.exec(debian)?.[1] ?? null;
    return withFlavour(rootfs, minimal('debian', major, `Debian GNU/Linux ${debian}`, '/etc/debian_version'));
  }
  if (lookupFile(rootfs, '/bin/busybox') !== null) return minimal('busybox', null, 'BusyBox (no OS release file)', '/bin/busybox', 'busybox');
  return null;
}

/** Distroless: dpkg's status.d without a status file, and no shell. */
function withFlavour(rootfs: Rootfs, info: OsInfo): OsInfo {
  if (info.flavour !== null) return info;
  const distroless =
    lookupDirectory(rootfs, '/var/lib/dpkg/status.d') !== null &&
    lookupFile(rootfs, '/var/lib/dpkg/status') === null &&
    lookupFile(rootfs, '/bin/sh') === null;
  return distroless ? { ...info, flavour: 'distroless' } : info;
}
