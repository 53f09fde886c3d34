/**
 * Package URLs (https://github.com/package-url/purl-spec): `pkg:deb/debian/…`,
 * `pkg:apk/alpine/…`, `pkg:rpm/<os id>/…`. Components are percent-encoded as
 * the specification asks (`:` may stay as is); qualifiers are sorted by key.
 */
import type { PackageType } from './model';

function encode(component: string): string {
  return encodeURIComponent(component).replace(/%3A/gi, ':');
}

/** Builds a purl; qualifiers with null or empty values are left out. */
export function packageUrl(
  type: PackageType | 'oci',
  namespace: string | null,
  name: string,
  version: string | null,
  qualifiers: Record<string, string | null> = {},
): string {
  const path = [namespace, name].filter((part): part is string => part !== null && part !== '').map(encode).join('/');
  const query = Object.entries(qualifiers)
    .filter((entry): entry is [string, string] => entry[1] !== null && entry[1] !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${encode(value)}`)
    .join('&');
  return `pkg:${type}/${path}${version === null ? '' : `@${encode(version)}`}${query === '' ? '' : `?${query}`}`;
}

/** The purl namespace for a distribution id (os-release ID, lower-cased), with a fallback per type. */
export function distroNamespace(type: PackageType, osId: string | null): string {
  const id = osId?.toLowerCase().replace(/[^a-z0-9._-]/g, '') ?? '';
  if (id !== '') return id;
  return type === 'deb' ? 'debian' : type === 'apk' ? 'alpine' : 'redhat';
}
