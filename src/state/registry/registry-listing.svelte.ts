/**
 * The Registry panel of a registry source's overview: the tags of its
 * repository (every page) and the referrers (signatures, SBOMs,
 * attestations) of its digests. The session starts a listing when the panel
 * is shown and stops it when it is not.
 */
import { isAbortError, toErrorInfo, type InspectErrorInfo } from '../../core/errors';
import type { Descriptor, Digest } from '../../core/types';
import { createRegistryClient } from '../../bridge/environment';
import { listReferrers, listTags, parseReference, type Reference } from '../../sources/registry/registry-source';
import type { Settings } from '../settings.svelte';

/** Tags asked per page of the tag list (distribution-spec `n`); listTags follows every page. */
const tagPageSize = 100;
/** Tags shown at once; "Show more" adds as many (big repositories have thousands). */
const TAGS_SHOWN = 60;

/**
 * The repository part of a reference as typed (`host/repo` without its tag
 * or digest), so that another tag or a referrer opens in the same spelling.
 */
export function repositoryOf(reference: string): string {
  return reference.replace(/@.*$/, '').replace(/:[^:/]*$/, '');
}

/** A manifest that refers to an image (distribution-spec "Listing Referrers"). */
export interface ReferrerRow {
  /** The digest it refers to (the index's or the image's). */
  subject: Digest;
  descriptor: Descriptor;
  /** Signature, SBOM, attestation or artifact, told from its artifact type. */
  kind: 'signature' | 'sbom' | 'attestation' | 'artifact';
}

/** Kind of a referrer by its artifactType (cosign, Notation, SPDX, CycloneDX, in-toto). */
export function referrerKind(descriptor: Descriptor): ReferrerRow['kind'] {
  const type = `${descriptor.artifactType ?? ''} ${descriptor.mediaType}`.toLowerCase();
  if (/signature|cosign|notary|notation|sigstore/.test(type)) return 'signature';
  if (/spdx|cyclonedx|sbom|syft/.test(type)) return 'sbom';
  if (/in-toto|intoto|attestation|provenance|slsa/.test(type)) return 'attestation';
  return 'artifact';
}

/** Tags of a registry source's repository and the referrers of its digests. */
export class RegistryListing {
  readonly #settings: Settings;
  #controller: AbortController | null = null;
  #reference = $state<string | null>(null);
  #shownTagCount = $state(TAGS_SHOWN);

  #tags = $state.raw<string[] | null>(null);
  #tagsError = $state.raw<InspectErrorInfo | null>(null);
  #referrers = $state.raw<ReferrerRow[] | null>(null);
  #referrersError = $state.raw<InspectErrorInfo | null>(null);

  constructor(settings: Settings) {
    this.#settings = settings;
  }

  /** The repository's tags (every page), or null while loading. */
  get tags(): string[] | null {
    return this.#tags;
  }
  get tagsError(): InspectErrorInfo | null {
    return this.#tagsError;
  }
  /** Referrers of the subjects, or null while loading. */
  get referrers(): ReferrerRow[] | null {
    return this.#referrers;
  }
  get referrersError(): InspectErrorInfo | null {
    return this.#referrersError;
  }

  /** The tags shown: the first pages of `tags`. */
  get shownTags(): string[] {
    return this.#tags?.slice(0, this.#shownTagCount) ?? [];
  }
  /** Tags not shown yet. */
  get hiddenTagCount(): number {
    return Math.max(0, (this.#tags?.length ?? 0) - this.#shownTagCount);
  }
  /** Shows one more page of tags. */
  showMoreTags(): void {
    this.#shownTagCount += TAGS_SHOWN;
  }

  /** The reference listed, or null. */
  get reference(): string | null {
    return this.#reference;
  }

  /** The reference that opens tag `tag` of the listed repository. */
  tagReference(tag: string): string {
    return `${repositoryOf(this.#reference ?? '')}:${tag}`;
  }

  /** The reference that opens the manifest `digest` (a referrer) of the listed repository. */
  digestReference(digest: Digest): string {
    return `${repositoryOf(this.#reference ?? '')}@${digest}`;
  }

  /** Lists the tags of `reference`'s repository and the referrers of `subjects`. */
  async load(reference: string, subjects: Digest[]): Promise<void> {
    this.abort();
    this.#reference = reference;
    this.#shownTagCount = TAGS_SHOWN;
    const controller = new AbortController();
    this.#controller = controller;
    this.#tags = null;
    this.#tagsError = null;
    this.#referrers = null;
    this.#referrersError = null;
    const { signal } = controller;
    let locator: Reference;
    try {
      locator = parseReference(reference);
    } catch (error) {
      this.#tagsError = toErrorInfo(error, reference);
      return;
    }
    const client = createRegistryClient(
      { proxyUrl: this.#settings.effectiveProxyUrl, credentials: this.#settings.credentials },
      signal,
      { shareRouting: false },
    );
    const current = (): boolean => controller === this.#controller;
    const tags = listTags(signal, client, locator, tagPageSize).then(
      (list) => current() && (this.#tags = list),
      (error: unknown) => current() && !isAbortError(error) && (this.#tagsError = toErrorInfo(error, reference)),
    );
    const referrers = (async () => {
      const rows: ReferrerRow[] = [];
      for (const subject of subjects) {
        for (const descriptor of await listReferrers(signal, client, locator, subject)) {
          rows.push({ subject, descriptor, kind: referrerKind(descriptor) });
        }
      }
      return rows;
    })().then(
      (rows) => current() && (this.#referrers = rows),
      (error: unknown) => current() && !isAbortError(error) && (this.#referrersError = toErrorInfo(error, reference)),
    );
    await Promise.all([tags, referrers]);
  }

  /** Stops listing (the panel was closed or another image was loaded). */
  abort(): void {
    this.#controller?.abort();
    this.#controller = null;
  }
}
