/**
 * The loaded source and everything learned about it: open a source (aborting
 * any previous load), run one pool job per distinct layer (biggest first),
 * track progress and timings, resolve the current link into a selection, and
 * build the report once every job has settled.
 */
import { InspectErrorCode, isAbortError, toErrorInfo, type InspectErrorInfo } from '../core/errors';
import type { LayerModel, SourceModel } from '../core/image/model';
import type { BlobResult } from '../core/types';
import { buildReport, type LayerOutcome, type Report } from '../core/image/report';
import { createSourceEnvironment } from '../bridge/environment';
import { LayerPool, type LayerProgress } from '../bridge/layer-pool';
import { openSource, type SourceInput } from '../sources/index';
import type { RouteParams } from './route-hash';
import { JobBoard, LayerJob } from './jobs.svelte';
import { resolveSelection, type Selection } from './selection';
import type { Settings } from './settings.svelte';
import { failedSource, inputName, uniqueLayers } from './source-input';
import { version as toolVersion } from '../../package.json';

/** Where a load is. */
export type LoadPhase = 'idle' | 'opening' | 'analysing' | 'done' | 'failed' | 'cancelled';

/** The job that reads one layer's bytes. */
function jobFor(layer: LayerModel): LayerJob {
  return new LayerJob(layer.key, layer.location?.path ?? layer.digest ?? layer.key, layer.size);
}

/** State of the inspected source. */
export class Inspector {
  readonly #settings: Settings;
  #pool: LayerPool | null = null;
  #controller: AbortController | null = null;
  #openedAt = 0;

  #input = $state.raw<SourceInput | null>(null);
  #phase = $state<LoadPhase>('idle');
  #source = $state.raw<SourceModel | null>(null);
  #loadError = $state.raw<InspectErrorInfo | null>(null);
  #board = $state.raw<JobBoard | null>(null);
  #route = $state.raw<RouteParams>({});
  #scanProgress = $state.raw<{ read: number; uncompressed: number } | null>(null);
  #firstViewMs = $state<number | null>(null);
  #analysisMs = $state<number | null>(null);
  #selection: Selection | null;

  constructor(settings: Settings) {
    this.#settings = settings;
    // Assigned here, not as a field initializer, because it reads #settings (the remembered platform).
    this.#selection = $derived(
      this.#source ? resolveSelection(this.#source, this.#route, settings.platform) : null,
    );
  }

  get input(): SourceInput | null {
    return this.#input;
  }
  get phase(): LoadPhase {
    return this.#phase;
  }
  get busy(): boolean {
    return this.#phase === 'opening' || this.#phase === 'analysing';
  }
  /** The source model, once its metadata is read. */
  get source(): SourceModel | null {
    return this.#source;
  }
  /** Why the source as a whole could not be opened, or null. */
  get loadError(): InspectErrorInfo | null {
    return this.#loadError;
  }
  get jobs(): JobBoard | null {
    return this.#board;
  }
  get selection(): Selection | null {
    return this.#selection;
  }
  /** Progress of the streaming pass over a compressed archive, while its metadata is read. */
  get scanProgress(): { read: number; uncompressed: number } | null {
    return this.#scanProgress;
  }
  get firstViewMs(): number | null {
    return this.#firstViewMs;
  }
  get analysisMs(): number | null {
    return this.#analysisMs;
  }
  /**
   * True once the report is final: every layer job settled (the analysis is
   * done), the source could not be opened, or the load was cancelled and its
   * unfinished jobs are recorded as such. False from the moment a source
   * opens, including the task between the overview and the start of its jobs.
   */
  get reportReady(): boolean {
    if (this.#source === null) return false;
    if (this.#phase === 'done' || this.#phase === 'failed') return true;
    return this.#phase === 'cancelled' && (this.#board?.settled ?? false);
  }

  /** The job reading a layer's bytes. */
  job(layer: LayerModel): LayerJob | null {
    return this.#board?.jobs.get(layer.key) ?? null;
  }

  /** The registry reference pinned by the digest that was loaded, or null. */
  get pinnedReference(): string | null {
    const input = this.#input;
    if (input?.kind !== 'registry') return null;
    if (input.reference.includes('@')) return input.reference;
    const source = this.#source;
    const digest = source?.indexes[0]?.digest ?? source?.images[0]?.manifestDigest ?? null;
    return digest ? `${input.reference}@${digest}` : null;
  }

  /** True when `reference` is what is loaded (as typed, or pinned). */
  isCurrentReference(reference: string): boolean {
    const input = this.#input;
    return input?.kind === 'registry' && (input.reference === reference || this.pinnedReference === reference);
  }

  /** Selects what a link names (image, platform, layer, view…). */
  applyRoute(route: RouteParams): void {
    this.#route = route;
  }

  /** Records that the first overview of this load has been painted. */
  markFirstView(): void {
    if (this.#firstViewMs === null && this.#source) {
      this.#firstViewMs = performance.now() - this.#openedAt;
    }
  }

  /** Opens a source, aborting any load in progress. `startedAt` is when the person acted. */
  async open(input: SourceInput, startedAt: number = performance.now()): Promise<void> {
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    this.#openedAt = startedAt;
    this.#input = input;
    this.#phase = 'opening';
    this.#source = null;
    this.#loadError = null;
    this.#board = null;
    this.#firstViewMs = null;
    this.#analysisMs = null;
    this.#pool ??= new LayerPool();
    this.#scanProgress = null;
    const settings = this.#settings;
    const route = (): RouteParams => this.#route;
    const environment = createSourceEnvironment(
      {
        get proxyUrl() {
          return settings.effectiveProxyUrl;
        },
        get credentials() {
          return settings.credentials;
        },
        get platform() {
          return route().platform ?? settings.platform;
        },
      },
      (progress) => {
        if (controller === this.#controller) this.#scanProgress = progress;
      },
    );
    let source: SourceModel;
    try {
      source = await openSource(controller.signal, input, environment);
    } catch (error) {
      if (controller !== this.#controller) return;
      if (isAbortError(error)) {
        this.#phase = 'cancelled';
        this.#input = null;
        return;
      }
      const info = toErrorInfo(error, inputName(input));
      this.#loadError = info;
      this.#source = failedSource(input, info);
      this.#phase = 'failed';
      this.#analysisMs = performance.now() - startedAt;
      return;
    }
    if (controller !== this.#controller) return;
    this.#source = source;
    this.#phase = 'analysing';
    // Let the overview render in this task and start the workers in the next one:
    // two short tasks instead of one long one right after the drop.
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (controller !== this.#controller || controller.signal.aborted) return;
    this.#startJobs(source, controller);
  }

  /** Stops the load; jobs not yet finished are recorded as cancelled. */
  cancel(): void {
    const controller = this.#controller;
    if (!controller || !this.busy) return;
    controller.abort();
    const now = performance.now();
    const cancelled: InspectErrorInfo = {
      code: InspectErrorCode.Aborted,
      message: 'Cancelled before this layer was fully read',
      path: null,
    };
    // Cancelled between the overview and the start of the jobs: the layers are recorded as cancelled all the same.
    if (!this.#board && this.#source) this.#board = new JobBoard(uniqueLayers(this.#source).map(jobFor), now);
    if (this.#board) {
      for (const job of this.#board.jobs.values()) job.fail({ ...cancelled, path: job.path }, now);
      this.#finishIfSettled(controller);
      this.#phase = 'cancelled';
    } else {
      this.#phase = 'cancelled';
      this.#input = null;
    }
  }

  /** The report for the current state (final once `reportReady`). */
  report(): Report | null {
    const source = this.#source;
    if (!source) return null;
    const results = new Map<string, LayerOutcome>();
    for (const job of this.#board?.jobs.values() ?? []) {
      if (job.result) results.set(job.key, { result: job.result });
      else if (job.error) results.set(job.key, { error: job.error });
    }
    return buildReport({
      source,
      results,
      timings: { firstViewMs: this.#firstViewMs, analysisMs: this.#analysisMs },
      toolVersion,
    });
  }

  #startJobs(source: SourceModel, controller: AbortController): void {
    const layers = uniqueLayers(source);
    const now = performance.now();
    const jobs = layers.map(jobFor);
    const board = new JobBoard(jobs, now);
    this.#board = board;
    const pool = this.#pool as LayerPool;
    // Every layer is kept decompressed for the file viewer; pruning spares this source's layers.
    const sourceDiffIds = layers.flatMap((layer) => (layer.expectedDiffId === null ? [] : [layer.expectedDiffId]));
    layers.forEach((layer, i) => {
      const job = jobs[i];
      const location = layer.location;
      if (location === null) {
        job.fail(
          {
            code: InspectErrorCode.MissingBlob,
            message: layer.error ?? `Layer ${layer.digest ?? layer.key} is not in ${source.name}`,
            path: layer.digest,
          },
          now,
        );
        return;
      }
      if (location.kind === 'scanned') {
        job.succeed(location.result, now);
        return;
      }
      const onProgress = (progress: LayerProgress): void => {
        const at = performance.now();
        job.progress(progress, at);
        board.tick(at);
      };
      const keep = { expectedDiffId: layer.expectedDiffId, sourceDiffIds };
      pool.inspect(controller.signal, location, onProgress, layer.size ?? undefined, keep).then(
        (result: BlobResult) => {
          job.succeed(result, performance.now());
          this.#finishIfSettled(controller);
        },
        (error: unknown) => {
          const info = isAbortError(error)
            ? { code: InspectErrorCode.Aborted, message: 'Cancelled', path: location.path }
            : toErrorInfo(error, location.path);
          job.fail(info, performance.now());
          this.#finishIfSettled(controller);
        },
      );
    });
    this.#finishIfSettled(controller);
  }

  #finishIfSettled(controller: AbortController): void {
    const board = this.#board;
    if (controller !== this.#controller || !board || !board.settled || this.#analysisMs !== null) return;
    const now = performance.now();
    board.tick(now);
    this.#analysisMs = now - this.#openedAt;
    if (this.#phase === 'analysing') this.#phase = 'done';
  }
}
