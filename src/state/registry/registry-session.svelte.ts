/**
 * The registry side of the page: checks a typed reference before the loaded
 * source is replaced (so a typo, a 404 or a login prompt keeps the previous
 * view), holds the message of the last registry failure for display next to
 * the reference field, and runs the sign-in form and its retry.
 *
 * Credentials pass through Settings (memory, or this tab's sessionStorage when
 * the person asks); this class never logs, formats or stores them.
 */
import { InspectErrorCode, isAbortError, toErrorInfo, type InspectErrorInfo } from '../../core/errors';
import { createRegistryClient } from '../../bridge/environment';
import {
  manifestAccept,
  manifestIdentifier,
  parseReference,
  type RegistryCredentials,
} from '../../sources/registry/registry-source';
import type { Inspector } from '../inspector.svelte';
import type { Settings } from '../settings.svelte';

/** True when the registry asks for (other) credentials: a 401, a Basic challenge, a refused token request. */
export function asksForLogin(error: InspectErrorInfo): boolean {
  return error.code === InspectErrorCode.Unauthorized;
}

/** What the reference field shows under itself. */
export class RegistrySession {
  readonly #settings: Settings;
  readonly #inspector: Inspector;
  #controller: AbortController | null = null;
  /** What to run again once the person has signed in. */
  #retry: (() => void) | null = null;

  #checking = $state<string | null>(null);
  #error = $state.raw<InspectErrorInfo | null>(null);
  #signInOpen = $state(false);
  #signInReason = $state<string | null>(null);

  constructor(settings: Settings, inspector: Inspector) {
    this.#settings = settings;
    this.#inspector = inspector;
  }

  /** The reference being checked, or null. */
  get checking(): string | null {
    return this.#checking;
  }

  /** The last failure of a typed reference (the loaded view was kept), or null. */
  get error(): InspectErrorInfo | null {
    return this.#error;
  }

  /** True while the sign-in form is shown. */
  get signInOpen(): boolean {
    return this.#signInOpen;
  }

  /** Why the form was opened (the registry's message), or null when opened by hand. */
  get signInReason(): string | null {
    return this.#signInReason;
  }

  /** The signed-in username, or null. */
  get username(): string | null {
    return this.#settings.credentials?.username ?? null;
  }

  /** Whether the credentials are kept in this tab's sessionStorage. */
  get remembered(): boolean {
    return this.#settings.rememberCredentials;
  }

  /**
   * Asks the registry whether `reference` exists and may be read (a HEAD of
   * its manifest, which Docker Hub does not count against pull limits), and
   * only then runs `open`. A failure leaves the loaded source in place.
   */
  async check(reference: string, open: () => void): Promise<void> {
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    this.#error = null;
    this.#checking = reference;
    try {
      const parsed = parseReference(reference);
      const client = createRegistryClient(
        { proxyUrl: this.#settings.effectiveProxyUrl, credentials: this.#settings.credentials },
        controller.signal,
      );
      const response = await client.get(controller.signal, {
        host: parsed.apiHost,
        repository: parsed.repository,
        path: `/v2/${parsed.repository}/manifests/${manifestIdentifier(parsed)}`,
        accept: manifestAccept,
        method: 'HEAD',
      });
      await response.body?.cancel();
    } catch (error) {
      if (controller !== this.#controller || isAbortError(error)) return;
      this.#checking = null;
      this.#fail(toErrorInfo(error, reference), () => void this.check(reference, open));
      return;
    }
    if (controller !== this.#controller) return;
    this.#checking = null;
    this.#signInOpen = false;
    open();
  }

  /** The loaded registry source's failure (reference and error), or null. */
  get loadFailure(): { reference: string; error: InspectErrorInfo } | null {
    const input = this.#inspector.input;
    const error = this.#inspector.loadError;
    return input?.kind === 'registry' && error ? { reference: input.reference, error } : null;
  }

  /**
   * Called when a registry source failed to load (a link opened in a fresh
   * tab): offers the sign-in form when the registry asked for a login.
   */
  loadFailed(reference: string, error: InspectErrorInfo): void {
    if (!asksForLogin(error)) return;
    this.#retry = () => void this.#inspector.open({ kind: 'registry', reference });
    this.#signInReason = error.message;
    this.#signInOpen = true;
  }

  /** Opens the sign-in form by hand ("Sign in to registry"). */
  openSignIn(): void {
    this.#signInReason = null;
    this.#signInOpen = true;
  }

  /** Closes the form without changing anything. */
  closeSignIn(): void {
    this.#signInOpen = false;
  }

  /** Uses `credentials` from now on and retries what asked for them. */
  signIn(credentials: RegistryCredentials, remember: boolean): void {
    this.#settings.setCredentials(credentials, remember);
    this.#signInOpen = false;
    this.#error = null;
    const retry = this.#retry;
    this.#retry = null;
    retry?.();
  }

  /** Forgets the credentials (memory and sessionStorage). */
  signOut(): void {
    this.#settings.setCredentials(null, false);
  }

  /** Hides the message under the reference field. */
  dismissError(): void {
    this.#error = null;
  }

  #fail(error: InspectErrorInfo, retry: () => void): void {
    this.#error = error;
    if (asksForLogin(error)) {
      this.#retry = retry;
      this.#signInReason = error.message;
      this.#signInOpen = true;
    }
  }
}

