/**
 * User settings, persisted in localStorage. Only the registry proxy URL so
 * far. Nothing secret is ever stored here (credentials never leave memory).
 */

const PROXY_KEY = 'tarsier.registryProxy';

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

/** Persistent settings. */
export class Settings {
  #proxyUrl = $state(readStored(PROXY_KEY) ?? defaultProxyUrl());

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
