/**
 * The main-thread services that the source dispatcher needs: a worker for
 * compressed outer archives, and the registry client. The dispatcher itself
 * stays free of Worker and fetch plumbing so that Node tests can inject their
 * own environment.
 */
import { wrap, proxy, type Remote } from 'comlink';
import type { SourceEnvironment } from '../sources/index';
import { parseReference, RegistryClient, sourceFromRegistry, type RegistryCredentials } from '../sources/registry';
import type { ArchiveWorkerApi } from '../../workers/archive.worker';

/** Settings the environment reads on each use (so changes apply without a reload). */
export interface EnvironmentSettings {
  readonly proxyUrl: string | null;
  readonly credentials: RegistryCredentials | null;
  readonly platform: string | null;
}

/** Progress of a streaming pass over a compressed archive. */
export type ScanProgress = (progress: { read: number; uncompressed: number }) => void;

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

/** Builds the environment that openSource uses in the browser. */
export function createSourceEnvironment(settings: EnvironmentSettings, onScanProgress?: ScanProgress): SourceEnvironment {
  return {
    peekDecompressed: (signal, blob, length) =>
      withArchiveWorker(signal, (api) => api.peekDecompressed(blob, length)),
    scanCompressedArchive: (signal, blob, name) =>
      withArchiveWorker(signal, (api) =>
        api.scanCompressedArchive(blob, name, proxy((progress) => onScanProgress?.(progress))),
      ),
    openRegistry: async (signal, text) => {
      const client = new RegistryClient({
        fetch: (input, init) => fetch(input, { ...init, signal }),
        proxyUrl: settings.proxyUrl,
        mode: settings.proxyUrl ? 'auto' : 'direct',
        credentials: settings.credentials,
      });
      return sourceFromRegistry(client, parseReference(text), {
        signal,
        platform: settings.platform ?? undefined,
      });
    },
  };
}
