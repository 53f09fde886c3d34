/**
 * SBOMs of real images (debootstrap Debian, Alpine 3.11, rpm), validated
 * with ajv against the official SPDX 2.3 and CycloneDX 1.6 JSON schemas
 * (test/schemas/), and checked to list every package the package managers
 * list, with its purl.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { analysePackages, type InstalledPackage } from '../../../../src/core/analysis/packages/index';
import { classifyLicense } from '../../../../src/core/analysis/sbom/licenses';
import { cycloneDxBom, uuidFromDigest } from '../../../../src/core/analysis/sbom/cyclonedx';
import { spdxDocument } from '../../../../src/core/analysis/sbom/spdx';
import { imagePurl, type SbomSubject } from '../../../../src/core/analysis/sbom/subject';
import { expectedRows, insideDir, nodeSqlite, openImage, realDir } from '../../../helpers/rootfs';

const schemas = new URL('../../../schemas/', import.meta.url).pathname;
const load = (path: string) => JSON.parse(readFileSync(join(schemas, path), 'utf8')) as object;

function validators() {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('iri-reference', /^\S*$/);
  ajv.addFormat('idn-email', /^[^\s@]+@[^\s@]+$/);
  // The BOM schema refers to these by names relative to its own $id.
  ajv.addSchema(load('cyclonedx/spdx.SNAPSHOT.schema.json'), 'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json');
  ajv.addSchema(load('cyclonedx/jsf-0.82.SNAPSHOT.schema.json'), 'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json');
  return {
    cyclonedx: ajv.compile(load('cyclonedx/bom-1.6.SNAPSHOT.schema.json')),
    spdx: ajv.compile(load('spdx/spdx-schema-2.3.json')),
  };
}

interface Case {
  name: string;
  file: string;
  osId: string;
  packages: InstalledPackage[];
  subject: SbomSubject;
}

async function sbomCase(name: string, file: string, osId: string): Promise<Case> {
  const opened = await openImage(file);
  const inventory = await analysePackages(opened.rootfs, { osId, sqlite: nodeSqlite });
  await opened.close();
  const digest = opened.image.manifestDigest ?? opened.image.configDigest ?? 'sha256:0';
  return {
    name, file, osId, packages: inventory.packages,
    subject: { name, digest, purl: imagePurl(name, digest, 'amd64'), os: osId, created: '2025-01-01T00:00:00Z', toolVersion: 'test' },
  };
}

describe('SBOMs', () => {
  let cases: Case[];
  let validate: ReturnType<typeof validators>;
  beforeAll(async () => {
    validate = validators();
    cases = [
      await sbomCase('tarsier/debian:12', join(insideDir, 'debian.tar'), 'debian'),
      await sbomCase('alpine:3.11', join(realDir, 'alpine-311.tar.gz'), 'alpine'),
      await sbomCase('tarsier/rpm:1', join(insideDir, 'rpm.tar'), 'tarsier-rpm'),
    ];
  }, 120_000);

  it('writes SPDX 2.3 that the official schema accepts, with every package and purl', () => {
    for (const c of cases) {
      const doc = spdxDocument(c.subject, c.packages);
      const ok = validate.spdx(doc);
      expect(validate.spdx.errors ?? [], c.name).toEqual([]);
      expect(ok).toBe(true);
      const purls = doc.packages.slice(1).map((p) => p.externalRefs?.[0].referenceLocator);
      expect(purls, c.name).toEqual(c.packages.map((p) => p.purl));
      expect(new Set(doc.packages.map((p) => p.SPDXID)).size).toBe(doc.packages.length);
      expect(doc.packages.every((p) => /^SPDXRef-[A-Za-z0-9.-]+$/.test(p.SPDXID))).toBe(true);
      expect(doc.relationships.filter((r) => r.relationshipType === 'CONTAINS')).toHaveLength(c.packages.length);
    }
    // The schema is really applied: a package without downloadLocation is refused.
    const broken = spdxDocument(cases[0].subject, cases[0].packages);
    expect(validate.spdx({ ...broken, packages: [{ SPDXID: 'SPDXRef-x', name: 'x' }] })).toBe(false);
  });

  it('writes CycloneDX 1.6 that the official schema accepts, with every package and purl', () => {
    for (const c of cases) {
      const bom = cycloneDxBom(c.subject, c.packages);
      const ok = validate.cyclonedx(bom);
      expect(validate.cyclonedx.errors ?? [], c.name).toEqual([]);
      expect(ok).toBe(true);
      expect(bom.components.map((p) => p.purl), c.name).toEqual(c.packages.map((p) => p.purl));
    }
    const bom = cycloneDxBom(cases[0].subject, cases[0].packages);
    expect(validate.cyclonedx({ ...bom, serialNumber: 'not-a-urn' })).toBe(false);
    expect(validate.cyclonedx({ ...bom, components: [{ type: 'no-such-type', name: 'x' }] })).toBe(false);
  });

  it('lists what dpkg-query, rpm and apk list', async () => {
    const [debian, alpine, rpm] = cases;
    const names = (c: Case) => spdxDocument(c.subject, c.packages).packages.slice(1).map((p) => `${p.name} ${p.versionInfo}`).sort();
    expect(names(debian)).toEqual((await expectedRows('debian-layer-1.dpkg')).map((r) => `${r[0]} ${r[1]}`).sort());
    expect(names(alpine)).toEqual((await expectedRows('alpine.apk')).map((r) => `${r[0]} ${r[1]}`).sort());
    expect(names(rpm)).toEqual((await expectedRows('rpm-layer-1.rpm')).map((r) => `${r[0]} ${r[1]}`).sort());
  });

  it('declares licences that are SPDX expressions and keeps other licence text as text', () => {
    const rpm = cycloneDxBom(cases[2].subject, cases[2].packages);
    const tools = rpm.components.find((c) => c.name === 'tarsier-tools');
    expect(tools?.licenses).toEqual([{ expression: 'GPL-2.0-or-later AND MIT' }]);
    expect(rpm.components.find((c) => c.name === 'tarsier-base')?.licenses).toEqual([{ license: { id: 'MIT' } }]);
    const alpine = spdxDocument(cases[1].subject, cases[1].packages);
    const musl = alpine.packages.find((p) => p.name === 'musl');
    expect(musl?.licenseDeclared).toBe('MIT');
    const utils = alpine.packages.find((p) => p.name === 'musl-utils');
    expect([utils?.licenseDeclared, utils?.licenseComments]).toEqual(['NOASSERTION', 'The package database says: MIT BSD GPL2+']);
    // apk writes "MPL-2.0 GPL-2.0-or-later" without an operator: not an expression either.
    expect(alpine.packages.find((p) => p.name === 'ca-certificates-cacert')?.licenseDeclared).toBe('NOASSERTION');
  });

  it('derives a stable serial number and an OCI purl for the image', () => {
    expect(uuidFromDigest('sha256:0123456789abcdef0123456789abcdef00000000')).toBe('01234567-89ab-8def-8123-456789abcdef');
    expect(imagePurl('docker.io/tarsier/sample:1', 'sha256:ab', 'amd64')).toBe('pkg:oci/sample@sha256:ab?arch=amd64');
    expect(classifyLicense('MIT BSD GPL2+')).toEqual({ text: 'MIT BSD GPL2+' });
    expect(classifyLicense('(MIT OR Apache-2.0) AND GPL-2.0-or-later WITH Classpath-exception-2.0')).toMatchObject({ ids: ['MIT', 'Apache-2.0', 'GPL-2.0-or-later'] });
  });
});
