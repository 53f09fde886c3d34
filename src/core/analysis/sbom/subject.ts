/** What an SBOM describes: one image, named and pinned by digest. */
import { packageUrl } from '../packages/purl';

export interface SbomSubject {
  /** A person's name for the image: its first ref, else the source's file name. */
  name: string;
  /** The manifest digest, else the config digest (`sha256:…`). */
  digest: string;
  /** `pkg:oci/<name>@<digest>?arch=…` for the image itself. */
  purl: string;
  /** The OS's pretty name, or null. */
  os: string | null;
  /** ISO 8601 time the SBOM was made (callers pass it, so output is reproducible). */
  created: string;
  toolVersion: string;
}

/** An OCI purl (https://github.com/package-url/purl-spec/blob/main/types-doc/oci-definition.md): the last path component of the ref, lower case. */
export function imagePurl(ref: string, digest: string, architecture: string | null): string {
  const withoutTag = ref.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
  const name = withoutTag.slice(withoutTag.lastIndexOf('/') + 1).toLowerCase() || 'image';
  return packageUrl('oci', null, name, digest, { arch: architecture });
}
