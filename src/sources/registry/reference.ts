/**
 * Image references, parsed as Docker and OCI tools parse them: the grammar of
 * distribution/reference (https://github.com/distribution/reference/blob/main/reference.go)
 * plus Docker's normalisation (normalize.go): `alpine` means
 * `docker.io/library/alpine:latest`, and `docker.io` is served by
 * `registry-1.docker.io`.
 *
 * A Reference is plain data (it crosses worker boundaries and goes into links);
 * the functions below format and pin it.
 */
import { InspectError, InspectErrorCode } from '../../core/errors';
import type { Digest } from '../../core/types';

/** A parsed, normalised image reference. */
export interface Reference {
  /** Registry as named in references: `docker.io`, `ghcr.io`, `localhost:5000`. */
  registry: string;
  /** Repository path, lowercase: `library/alpine`, `team/api`. */
  repository: string;
  /** Tag, or null when the reference names only a digest. */
  tag: string | null;
  /** `sha256:<hex>` when the reference is pinned, else null. */
  digest: Digest | null;
  /** Host[:port] that serves the registry API (`registry-1.docker.io` for docker.io). */
  apiHost: string;
}

const dockerHubRegistry = 'docker.io';
const dockerHubApiHost = 'registry-1.docker.io';
/** distribution/reference NameTotalLengthMax. */
const maxNameLength = 255;

// Grammar pieces from distribution/reference regexp.go.
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainName = `${domainComponent}(?:\\.${domainComponent})*`;
const ipv6Host = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainPattern = new RegExp(`^(?:${domainName}|${ipv6Host})(?::[0-9]+)?$`);
const pathComponentPattern = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const tagPattern = /^[\w][\w.-]{0,127}$/;
const anyDigestPattern = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const sha256DigestPattern = /^sha256:[0-9a-f]{64}$/;
const bareIdPattern = /^[a-f0-9]{64}$/;

function badReference(text: string, reason: string): InspectError {
  return new InspectError(
    InspectErrorCode.BadReference,
    `"${text}" is not a valid image reference: ${reason}`,
    null,
  );
}

/**
 * Docker's rule (normalize.go splitDockerDomain): the first component is a
 * registry host only when it contains `.` or `:`, or is `localhost`, or has
 * uppercase letters (which no repository path may have).
 */
function looksLikeHost(component: string): boolean {
  return (
    component.includes('.') ||
    component.includes(':') ||
    component === 'localhost' ||
    component !== component.toLowerCase()
  );
}

/** Splits `name[:tag][@digest]` into its three parts without validating them. */
function splitReference(text: string): { name: string; tag: string | null; digest: string | null } {
  let rest = text;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | null = null;
  // A colon after the last slash separates the tag; one before it is a port.
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name: rest, tag, digest };
}

function checkDigest(text: string, digest: string): Digest {
  if (digest === '')
    throw badReference(text, 'nothing follows "@"; expected sha256:<64 hex digits>');
  if (sha256DigestPattern.test(digest)) return digest;
  if (/^sha256:/i.test(digest)) {
    throw badReference(
      text,
      `the digest "${digest}" must be sha256: followed by 64 lowercase hex digits`,
    );
  }
  if (anyDigestPattern.test(digest)) {
    throw badReference(text, `the digest algorithm of "${digest}" is not supported; use sha256`);
  }
  throw badReference(text, `"${digest}" is not a digest; expected sha256:<64 hex digits>`);
}

function checkTag(text: string, tag: string): string {
  if (tag === '')
    throw badReference(text, 'nothing follows ":"; give a tag or leave the colon out');
  if (tag.length > 128)
    throw badReference(text, `the tag is ${tag.length} characters long; at most 128 are allowed`);
  if (!tagPattern.test(tag)) {
    throw badReference(
      text,
      `the tag "${tag}" may contain only letters, digits, "_", "." and "-", and may not start with "." or "-"`,
    );
  }
  return tag;
}

function checkRepository(text: string, repository: string): void {
  if (repository === '') throw badReference(text, 'the repository name is missing');
  for (const component of repository.split('/')) {
    if (component === '')
      throw badReference(
        text,
        'the repository path has an empty component ("//" or a trailing "/")',
      );
    if (component !== component.toLowerCase()) {
      throw badReference(text, `the repository name "${repository}" must be lowercase`);
    }
    if (!pathComponentPattern.test(component)) {
      throw badReference(
        text,
        `"${component}" is not a valid repository path component (lowercase letters and digits, separated by ".", "_", "__" or "-")`,
      );
    }
  }
}

/**
 * Parses an image reference such as `alpine`, `alpine:3.20`,
 * `ghcr.io/o/r@sha256:…` or `localhost:5000/team/api:dev`, and normalises it
 * as Docker does. Throws InspectError BadReference saying what is wrong.
 */
export function parseReference(input: string): Reference {
  const text = input.trim();
  if (text === '') throw badReference(input, 'it is empty; type a name such as alpine:3.20');
  if (/\s/.test(text)) throw badReference(text, 'it contains white space');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    throw badReference(text, 'leave out the scheme; write host/repository:tag');
  }
  const parts = splitReference(text);
  if (parts.name === '')
    throw badReference(text, 'the repository name is missing before ":" or "@"');
  if (parts.name.length > maxNameLength) {
    throw badReference(
      text,
      `the name is ${parts.name.length} characters long; at most ${maxNameLength} are allowed`,
    );
  }
  const digest = parts.digest === null ? null : checkDigest(text, parts.digest);
  const explicitTag = parts.tag === null ? null : checkTag(text, parts.tag);

  const slash = parts.name.indexOf('/');
  const first = slash === -1 ? '' : parts.name.slice(0, slash);
  let registry = dockerHubRegistry;
  let repository = parts.name;
  if (slash !== -1 && looksLikeHost(first)) {
    if (!domainPattern.test(first))
      throw badReference(text, `"${first}" is not a valid registry host`);
    registry = first === 'index.docker.io' ? dockerHubRegistry : first;
    repository = parts.name.slice(slash + 1);
  }
  checkRepository(text, repository);
  if (registry === dockerHubRegistry && !repository.includes('/')) {
    if (bareIdPattern.test(repository)) {
      throw badReference(
        text,
        'a 64-hex-digit name looks like an image ID; registries address images by name',
      );
    }
    repository = `library/${repository}`;
  }
  return {
    registry,
    repository,
    // Docker adds `latest` only when neither a tag nor a digest was given.
    tag: explicitTag ?? (digest === null ? 'latest' : null),
    digest,
    apiHost: registry === dockerHubRegistry ? dockerHubApiHost : registry,
  };
}

/** Full form: `docker.io/library/alpine:3.20@sha256:…`. */
export function formatReference(reference: Reference): string {
  const tag = reference.tag === null ? '' : `:${reference.tag}`;
  const digest = reference.digest === null ? '' : `@${reference.digest}`;
  return `${reference.registry}/${reference.repository}${tag}${digest}`;
}

/**
 * Short form people type (`alpine:3.20`, `ghcr.io/o/r:1`), as `docker` prints
 * it, except that `docker.io/` stays where the repository's first component
 * would read as a host (`docker.io/li.brary/x`): the short form must parse
 * back to the same image.
 */
export function familiarReference(reference: Reference): string {
  const full = formatReference(reference);
  if (reference.registry !== dockerHubRegistry) return full;
  const withoutHost = full.slice(dockerHubRegistry.length + 1);
  if (reference.repository.includes('/') && looksLikeHost(reference.repository.split('/')[0])) return full;
  return withoutHost.startsWith('library/') && !reference.repository.slice(8).includes('/')
    ? withoutHost.slice(8)
    : withoutHost;
}

/** The same reference pinned to `digest`, keeping the tag (`host/repo:tag@sha256:…`). */
export function pinReference(reference: Reference, digest: Digest): Reference {
  return { ...reference, digest };
}

/** What to put in `/v2/<name>/manifests/<here>`: the digest when pinned, else the tag. */
export function manifestIdentifier(reference: Reference): string {
  return reference.digest ?? reference.tag ?? 'latest';
}

/** True for registries the API reaches over plain http (`localhost`, loopback addresses). */
export function isLoopbackHost(hostWithPort: string): boolean {
  const host = hostWithPort.startsWith('[')
    ? hostWithPort.slice(0, hostWithPort.indexOf(']') + 1)
    : hostWithPort.replace(/:\d+$/, '');
  return host === 'localhost' || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host);
}
