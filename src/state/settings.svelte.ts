/**
 * User settings: the registry proxy URL and the preferred platform persist in
 * localStorage; registry credentials live in memory only, or in
 * sessionStorage (this tab, until it closes) when the person ticks
 * "remember in this tab". Credentials never go to localStorage, URLs or logs.
 */
import type { RegistryCredentials } from '../sources/registry/registry-source';
import { DEFAULT_PLATFORM } from './selection';

const PROXY_KEY = 'tarsier.registryProxy';
const PLATFORM_KEY = 'tarsier.platform';
const CREDENTIALS_KEY = 'tarsier.registryCredentials';

/** The reference proxy's address (`npm run proxy -- --port 8787`) when the app is served from this machine. */
export const LOCAL_PROXY_URL = 'http://127.0.0.1:8787';

/**
 * The dev server mounts the proxy at /registry-proxy (vite.config.ts); a
 * static build served from this machine expects `npm run proxy` on 8787.
 */
function defaultProxyUrl(): string {
  if (import.meta.env.DEV) return `${globalThis.location.origin}/registry-proxy`;
  const host = globalThis.location?.hostname ?? '';
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]' ? LOCAL_PROXY_URL : '';
}

function readStored(key: string): string | null {
  try {
    return globalThis.localStorage?.getItem(key) ?? null;
  } catch {
    // Storage can be disabled (privacy mode, sandboxed frames): fall back to defaults.
    return null;
  }
}

function writeStored(key: string, value: string): void {
  try {
    globalThis.localStorage?.setItem(key, value);
  } catch {
    // Not persisted; the value still applies to this page.
  }
}

function sessionStore(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

/** Credentials kept in this tab's sessionStorage by "remember in this tab", or null. */
function readRememberedCredentials(): RegistryCredentials | null {
  try {
    const text = sessionStore()?.getItem(CREDENTIALS_KEY);
    if (!text) return null;
    const value = JSON.parse(text) as Partial<RegistryCredentials>;
    return typeof value.username === 'string' && typeof value.password === 'string'
      ? { username: value.username, password: value.password }
      : null;
  } catch {
    return null;
  }
}

/** Persistent settings. */
export class Settings {
  #proxyUrl = $state(readStored(PROXY_KEY) ?? defaultProxyUrl());
  #platform = $state(readStored(PLATFORM_KEY) ?? DEFAULT_PLATFORM);
  #credentials = $state.raw<RegistryCredentials | null>(readRememberedCredentials());
  #rememberCredentials = $state(readRememberedCredentials() !== null);

  /** `os/architecture[/variant]` picked from multi-platform indexes unless a link names one. */
  get platform(): string {
    return this.#platform;
  }

  set platform(value: string) {
    this.#platform = value;
    writeStored(PLATFORM_KEY, value);
  }

  /** Registry username and password/token, or null (anonymous). */
  get credentials(): RegistryCredentials | null {
    return this.#credentials;
  }

  /** True when the credentials are kept in sessionStorage for this tab. */
  get rememberCredentials(): boolean {
    return this.#rememberCredentials;
  }

  /** Sets (or clears, with null) the credentials; `remember` keeps them in this tab's sessionStorage. */
  setCredentials(credentials: RegistryCredentials | null, remember: boolean): void {
    this.#credentials = credentials;
    this.#rememberCredentials = remember && credentials !== null;
    try {
      if (this.#rememberCredentials) sessionStore()?.setItem(CREDENTIALS_KEY, JSON.stringify(credentials));
      else sessionStore()?.removeItem(CREDENTIALS_KEY);
    } catch {
      // Storage disabled: the credentials still apply in memory.
    }
  }

  /** The registry proxy URL as typed (may be empty). */
  get proxyUrl(): string {
    return this.#proxyUrl;
  }

  set proxyUrl(value: string) {
    this.#proxyUrl = value;
    writeStored(PROXY_KEY, value);
  }

  /** The proxy URL to use, or null when none is set. */
  get effectiveProxyUrl(): string | null {
    const trimmed = this.#proxyUrl.trim().replace(/\/+$/, '');
    return trimmed === '' ? null : trimmed;
  }
}
