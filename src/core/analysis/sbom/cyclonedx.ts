/**
 * CycloneDX 1.6 JSON (https://cyclonedx.org/docs/1.6/json/): the image as
 * the `container` metadata component, every installed package a `library`
 * component with its purl; licences as an SPDX id, an SPDX expression, or a
 * name for free text. The serial number is derived from the image digest,
 * so the same image gives the same BOM.
 */
import type { InstalledPackage } from '../packages/model';
import { classifyLicense } from './licenses';
import type { SbomSubject } from './subject';

type CdxLicense = { license: { id: string } } | { license: { name: string } } | { expression: string };

export interface CdxComponent {
  type: 'library' | 'container' | 'application';
  'bom-ref': string;
  name: string;
  version?: string;
  purl?: string;
  licenses?: CdxLicense[];
  properties?: { name: string; value: string }[];
}

/** The BOM, as JSON.stringify writes it. */
export interface CycloneDxBom {
  $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json';
  bomFormat: 'CycloneDX';
  specVersion: '1.6';
  serialNumber: string;
  version: 1;
  metadata: {
    timestamp: string;
    tools: { components: { type: 'application'; name: string; version: string }[] };
    component: CdxComponent;
  };
  components: CdxComponent[];
}

/** A UUID (RFC 9562 layout, version 8: custom) from the first 32 hex digits of a digest. */
export function uuidFromDigest(digest: string): string {
  const hex = (digest.replace(/^[a-z0-9]+:/, '').replace(/[^0-9a-f]/g, '') + '0'.repeat(32)).slice(0, 32).split('');
  hex[12] = '8';
  hex[16] = ((Number.parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const text = hex.join('');
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}

function licenses(raw: string | null): CdxLicense[] | undefined {
  if (raw === null || raw.trim() === '') return undefined;
  const license = classifyLicense(raw);
  if ('text' in license) return [{ license: { name: license.text } }];
  if (license.ids.length === 1 && license.expression === license.ids[0] && !license.expression.endsWith('+')) {
    return [{ license: { id: license.ids[0] } }];
  }
  return [{ expression: license.expression }];
}

function component(pkg: InstalledPackage, index: number): CdxComponent {
  const properties = [
    { name: 'tarsier:package:type', value: pkg.type },
    { name: 'tarsier:package:database', value: pkg.database },
    { name: 'tarsier:layer', value: String(pkg.layer) },
  ];
  if (pkg.arch !== null) properties.push({ name: 'tarsier:package:arch', value: pkg.arch });
  if (pkg.source !== null) properties.push({ name: 'tarsier:package:source', value: pkg.source });
  const entry: CdxComponent = { type: 'library', 'bom-ref': `pkg-${index}:${pkg.purl}`, name: pkg.name, version: pkg.version, purl: pkg.purl, properties };
  const declared = licenses(pkg.license);
  if (declared !== undefined) entry.licenses = declared;
  return entry;
}

/** The CycloneDX 1.6 BOM of one image's packages. */
export function cycloneDxBom(subject: SbomSubject, packages: readonly InstalledPackage[]): CycloneDxBom {
  const image: CdxComponent = { type: 'container', 'bom-ref': 'image', name: subject.name, version: subject.digest, purl: subject.purl };
  if (subject.os !== null) image.properties = [{ name: 'tarsier:os', value: subject.os }];
  return {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${uuidFromDigest(subject.digest)}`,
    version: 1,
    metadata: {
      timestamp: subject.created,
      tools: { components: [{ type: 'application', name: 'tarsier', version: subject.toolVersion }] },
      component: image,
    },
    components: packages.map(component),
  };
}
