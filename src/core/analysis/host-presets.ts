/**
 * Hosts people commonly ask "will this image run there?" about, and the
 * release years of common distributions (to say when an image's OS is much
 * newer or older than the host's). Kernels are those the releases ship.
 */

/** A host: CPU architecture (OCI name and variant), kernel, and OS. */
export interface HostSpec {
  /** The preset's id, or null for a host entered by hand. */
  preset: string | null;
  /** For people: "RHEL 8 (x86_64)". */
  label: string;
  architecture: string;
  variant: string | null;
  /** Kernel version (`4.18`, `5.15.0`), or null when not known. */
  kernel: string | null;
  /** os-release ID and VERSION_ID, or null. */
  os: { id: string; versionId: string } | null;
}

type Preset = Omit<HostSpec, 'preset'> & { id: string };

const PRESETS: Preset[] = [
  { id: 'rhel8-amd64', label: 'RHEL 8 (x86_64)', architecture: 'amd64', variant: null, kernel: '4.18', os: { id: 'rhel', versionId: '8' } },
  { id: 'rhel9-amd64', label: 'RHEL 9 (x86_64)', architecture: 'amd64', variant: null, kernel: '5.14', os: { id: 'rhel', versionId: '9' } },
  { id: 'centos7-amd64', label: 'CentOS 7 (x86_64)', architecture: 'amd64', variant: null, kernel: '3.10', os: { id: 'centos', versionId: '7' } },
  { id: 'ubuntu2204-arm64', label: 'Ubuntu 22.04 (arm64)', architecture: 'arm64', variant: 'v8', kernel: '5.15', os: { id: 'ubuntu', versionId: '22.04' } },
  { id: 'ubuntu2404-amd64', label: 'Ubuntu 24.04 (x86_64)', architecture: 'amd64', variant: null, kernel: '6.8', os: { id: 'ubuntu', versionId: '24.04' } },
  { id: 'debian12-amd64', label: 'Debian 12 (x86_64)', architecture: 'amd64', variant: null, kernel: '6.1', os: { id: 'debian', versionId: '12' } },
  { id: 'rpios-armv7', label: 'Raspberry Pi OS 32-bit (armv7)', architecture: 'arm', variant: 'v7', kernel: '6.1', os: { id: 'raspbian', versionId: '12' } },
  { id: 'rpios-arm64', label: 'Raspberry Pi OS 64-bit (arm64)', architecture: 'arm64', variant: 'v8', kernel: '6.1', os: { id: 'debian', versionId: '12' } },
  { id: 'ibmz-rhel9', label: 'IBM Z, RHEL 9 (s390x)', architecture: 's390x', variant: null, kernel: '5.14', os: { id: 'rhel', versionId: '9' } },
  { id: 'power-rhel8', label: 'IBM Power, RHEL 8 (ppc64le)', architecture: 'ppc64le', variant: null, kernel: '4.18', os: { id: 'rhel', versionId: '8' } },
  { id: 'al2023-arm64', label: 'Amazon Linux 2023 on Graviton (arm64)', architecture: 'arm64', variant: 'v8', kernel: '6.1', os: { id: 'amzn', versionId: '2023' } },
];

/** Every preset, in the order a picker lists them. */
export const HOST_PRESETS: readonly HostSpec[] = PRESETS.map(({ id, ...host }) => ({ preset: id, ...host }));

/** The preset with this id, or null. */
export function hostPreset(id: string): HostSpec | null {
  return HOST_PRESETS.find((host) => host.preset === id) ?? null;
}

const MAJOR_YEARS: Record<string, Record<string, number>> = {
  debian: { 8: 2015, 9: 2017, 10: 2019, 11: 2021, 12: 2023, 13: 2025 },
  rhel: { 6: 2010, 7: 2014, 8: 2019, 9: 2022, 10: 2025 },
  amzn: { 1: 2011, 2: 2018, 2023: 2023 },
  sles: { 11: 2009, 12: 2014, 15: 2018 },
};
const LIKE: Record<string, string> = {
  raspbian: 'debian', centos: 'rhel', rocky: 'rhel', almalinux: 'rhel', ol: 'rhel', 'opensuse-leap': 'sles',
};

/** The year a distribution release came out, or null when not known. */
export function releaseYear(id: string, versionId: string | null): number | null {
  if (versionId === null) return null;
  const major = /^(\d+)/.exec(versionId)?.[1];
  if (major === undefined) return null;
  if (id === 'ubuntu') return 2000 + Number(major);
  if (id === 'fedora') return 2004 + Math.floor(Number(major) / 2);
  if (id === 'alpine') {
    const minor = /^3\.(\d+)/.exec(versionId)?.[1];
    return minor === undefined ? null : 2014 + Math.floor((Number(minor) + 1) / 2);
  }
  return MAJOR_YEARS[LIKE[id] ?? id]?.[major] ?? null;
}
