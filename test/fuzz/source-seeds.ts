/**
 * Seeds shared by the source-side fuzz targets: the real documents of the
 * fixture images (made by buildah, skopeo and umoci; `npm run fixtures`),
 * read from the archives GNU tar lists, plus small inputs written here.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const fixturesDir = new URL('../fixtures/generated/', import.meta.url).pathname;

const encoder = new TextEncoder();

/** A fixture file's bytes. */
export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(fixturesDir, name)));
}

/** One member of a fixture archive, as GNU tar extracts it. */
export function memberBytes(archive: string, member: string): Uint8Array {
  return new Uint8Array(execFileSync('tar', ['-xOf', join(fixturesDir, archive), member]));
}

/** Every JSON document of the fixtures: manifests, an image index, configs, manifest.json, oci-layout. */
export function documentSeeds(): Uint8Array[] {
  return [
    fixtureBytes('doc-manifest.json'),
    fixtureBytes('doc-config.json'),
    fixtureBytes('doc-index.json'),
    memberBytes('docker-archive.tar', 'manifest.json'),
    memberBytes('docker-archive.tar', 'repositories'),
    memberBytes('docker-archive-oci.tar', 'index.json'),
    memberBytes('docker-archive-oci.tar', 'oci-layout'),
    memberBytes('ggcr-tarball.tar', 'manifest.json'),
    encoder.encode('{"schemaVersion":1,"name":"a/b","tag":"1","architecture":"amd64","fsLayers":[{"blobSum":"sha256:' + '0'.repeat(64) + '"}],"history":[]}'),
  ];
}
