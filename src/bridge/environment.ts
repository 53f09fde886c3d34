/**
 * The main-thread services that the source dispatcher needs: a worker for
 * compressed outer archives, and the registry client. The dispatcher itself
 * stays free of Worker and fetch plumbing so that Node tests can inject their
 * own environment.
 */
import { wrap, proxy, type Remote } from 'comlink';
import type { SourceEnvironment } from '../sources/index';
import type { SourceModel } from '../core/image/model';
import {
  parseReference,
  RegistryClient,
  sourceFromRegistry,
  type Reference,
  type RegistryCredentials,
} from '../sources/registry/registry-source';
import type { ArchiveScanProgress, ArchiveWorkerApi } from '../../workers/archive-api';
import { setHeaderRefresher } from './blob-auth';

/** Settings the environment reads on each use (so changes apply without a reload). */
export interface EnvironmentSettings {
  readonly proxyUrl: string | null;
  readonly credentials: RegistryCredentials | null;
  readonly platform: string | null;
}

/** Progress of a streaming pass over a compressed archive. */
export type ScanProgress = (progress: ArchiveScanProgress) => void;

/** Runs `task` in a fresh archive worker, terminated when done or aborted. */
async function withArchiveWorker<T>(
  signal: AbortSignal,
  task: (api: Remote<ArchiveWorkerApi>) => Promise<T>,
): Promise<T> {
  signal.throwIfAborted();
  const worker = new Worker(new URL('../../workers/archive.worker.ts', import.meta.url), {
    type: 'module',
    name: 'tarsier-archive',
  });
  const api = wrap<ArchiveWorkerApi>(worker);
  const aborted = new Promise<never>((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason ?? new DOMException('Aborted', 'AbortError')), {
      once: true,
    });
  });
  try {
    return await Promise.race([task(api), aborted]);
  } finally {
    worker.terminate();
  }
}

/** Registries this page found to need the proxy (no CORS headers), keyed by proxy URL. */
const proxiedHostsByProxy = new Map<string, Set<string>>();

/**
 * A registry client with the page's fetch bound to `signal`: straight to
 * registries when no proxy is set, else straight with the proxy as fallback
 * (registries without CORS headers fail as network errors, then go through it).
 * With `shareRouting` (default) what one client learned applies to the next;
 * the tag/referrer listing opts out, because a registry that sends CORS
 * headers everywhere but on its missing referrers route would otherwise be
 * moved to the proxy for every later load.
 */
export function createRegistryClient(
  settings: Pick<EnvironmentSettings, 'proxyUrl' | 'credentials'>,
  signal: AbortSignal,
  { shareRouting = true }: { shareRouting?: boolean } = {},
): RegistryClient {
  return new RegistryClient({
    fetch: (input, init) => fetch(input, { ...init, signal }),
    proxyUrl: settings.proxyUrl,
    mode: settings.proxyUrl ? 'auto' : 'direct',
    credentials: settings.credentials,
    proxiedHosts: shareRouting ? sharedProxiedHosts(settings.proxyUrl) : undefined,
  });
}

function sharedProxiedHosts(proxyUrl: string | null): Set<string> | undefined {
  if (proxyUrl === null) return undefined;
  let hosts = proxiedHostsByProxy.get(proxyUrl);
  if (!hosts) {
    hosts = new Set();
    proxiedHostsByProxy.set(proxyUrl, hosts);
  }
  return hosts;
}

/** Lets the layer workers renew the bearer token of each registry blob (see blob-auth.ts). */
function registerHeaderRefreshers(
  source: SourceModel,
  client: RegistryClient,
  reference: Reference,
  signal: AbortSignal,
): void {
  const { apiHost, repository } = reference;
  for (const image of source.images) {
    for (const layer of image.layers) {
      const location = layer.location;
      // Foreign layers (full URLs outside the registry) carry no registry auth.
      if (location?.kind !== 'url' || !location.path.startsWith('/v2/')) continue;
      setHeaderRefresher(location, () => client.refreshAuthHeaders(signal, apiHost, repository, location.path));
    }
  }
}

/** Builds the environment that openSource uses in the browser. */
export function createSourceEnvironment(settings: EnvironmentSettings, onScanProgress?: ScanProgress): SourceEnvironment {
  return {
    peekDecompressed: (signal, blob, length) =>
      withArchiveWorker(signal, (api) => api.peekDecompressed(blob, length)),
    scanCompressedArchive: (signal, blob, name, options) =>
      withArchiveWorker(signal, (api) =>
        api.scanCompressedArchive(blob, name, proxy((progress) => onScanProgress?.(progress)), options),
      ),
    openRegistry: async (signal, text) => {
      const client = createRegistryClient(settings, signal);
      const reference = parseReference(text);
      const source = await sourceFromRegistry(client, reference, {
        signal,
        platform: settings.platform ?? undefined,
      });
      registerHeaderRefreshers(source, client, reference, signal);
      return source;
    },
  };
}
