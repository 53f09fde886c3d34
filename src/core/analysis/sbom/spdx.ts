/**
 * SPDX 2.3 JSON (https://spdx.github.io/spdx-spec/v2.3/): the image as a
 * CONTAINER package that CONTAINS every installed package, each with its
 * purl as a PACKAGE-MANAGER external reference. Licences that are valid
 * SPDX expressions go in licenseDeclared; other licence text is kept in
 * licenseComments with licenseDeclared NOASSERTION.
 */
import type { InstalledPackage } from '../packages/model';
import { classifyLicense } from './licenses';
import type { SbomSubject } from './subject';

export interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  downloadLocation: string;
  filesAnalyzed: boolean;
  primaryPackagePurpose?: string;
  licenseConcluded?: string;
  licenseDeclared?: string;
  licenseComments?: string;
  sourceInfo?: string;
  externalRefs?: { referenceCategory: string; referenceType: string; referenceLocator: string }[];
  comment?: string;
}

/** The document, as JSON.stringify writes it. */
export interface SpdxDocument {
  spdxVersion: 'SPDX-2.3';
  dataLicense: 'CC0-1.0';
  SPDXID: 'SPDXRef-DOCUMENT';
  name: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[] };
  documentDescribes: string[];
  packages: SpdxPackage[];
  relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[];
}

/** SPDXIDs allow letters, digits, `.` and `-` only. */
function spdxId(prefix: string, name: string, index: number): string {
  return `SPDXRef-${prefix}-${name.replace(/[^A-Za-z0-9.-]/g, '-')}-${index}`;
}

function packageEntry(pkg: InstalledPackage, index: number): SpdxPackage {
  const entry: SpdxPackage = {
    SPDXID: spdxId('Package', `${pkg.type}-${pkg.name}`, index),
    name: pkg.name,
    versionInfo: pkg.version,
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    primaryPackagePurpose: 'LIBRARY',
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: 'NOASSERTION',
    externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: pkg.purl }],
    comment: `From ${pkg.database}, installed by layer ${pkg.layer}.`,
  };
  if (pkg.license !== null && pkg.license.trim() !== '') {
    const license = classifyLicense(pkg.license);
    if ('expression' in license) entry.licenseDeclared = license.expression;
    else entry.licenseComments = `The package database says: ${license.text}`;
  }
  if (pkg.source !== null && pkg.source !== pkg.name) {
    entry.sourceInfo = `built from source package ${pkg.source}${pkg.sourceVersion !== null ? ` ${pkg.sourceVersion}` : ''}`;
  }
  return entry;
}

/** The SPDX 2.3 document of one image's packages. */
export function spdxDocument(subject: SbomSubject, packages: readonly InstalledPackage[]): SpdxDocument {
  const image: SpdxPackage = {
    SPDXID: 'SPDXRef-Image',
    name: subject.name,
    versionInfo: subject.digest,
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    primaryPackagePurpose: 'CONTAINER',
    externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: subject.purl }],
  };
  if (subject.os !== null) image.comment = `Operating system: ${subject.os}.`;
  const entries = packages.map(packageEntry);
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: subject.name,
    documentNamespace: `urn:tarsier:sbom:${subject.digest}`,
    creationInfo: { created: subject.created, creators: [`Tool: tarsier-${subject.toolVersion}`] },
    documentDescribes: ['SPDXRef-Image'],
    packages: [image, ...entries],
    relationships: [
      { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: 'SPDXRef-Image' },
      ...entries.map((entry) => ({ spdxElementId: 'SPDXRef-Image', relationshipType: 'CONTAINS', relatedSpdxElement: entry.SPDXID })),
    ],
  };
}
