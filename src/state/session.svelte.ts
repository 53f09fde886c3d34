/**
 * One page's session: the state classes and the rules that tie them
 * together. The link (Router) says what is shown; the Inspector loads the
 * source it names and analyses it; the Explorer and the registry listing
 * follow the selection; the link is rewritten to name what was loaded. App
 * and the components read the getters and call the verbs; `connect` starts
 * the rules (effects) and returns what stops them.
 *
 * A new view plugs in here: its state class is a field (constructed with
 * what it reads), and, if it must follow the link, one rule in `connect`.
 */
import { untrack } from 'svelte';
import type { SourceModel } from '../core/image/model';
import { downloadJson } from '../lib/download';
import type { SourceInput } from '../sources/index';
import { inputFromItems, readDataTransfer, type DroppedItems } from './dropped-files';
import { Explorer, type FilesTarget } from './files/explorer.svelte';
import { layerSources } from './files/layer-sources';
import { Inspector } from './inspector.svelte';
import { KeptLayers } from './kept-layers.svelte';
import { RegistryListing } from './registry/registry-listing.svelte';
import { RegistrySession } from './registry/registry-session.svelte';
import type { RouteParams } from './route-hash';
import { Router } from './router.svelte';
import { fetchSample } from './sample';
import { imageRouteId, type Selection } from './selection';
import { Settings } from './settings.svelte';

/** A step through the layers (keyboard: j/k, arrows, Home/End). */
export type LayerMove = 1 | -1 | 'first' | 'last';

/** What the Files view shows for a selection, or null when it is not shown. */
function filesTarget(inspector: Inspector, selection: Selection | null): FilesTarget | null {
  const image = selection?.image;
  if (!selection || !image || (selection.view !== 'changes' && selection.view !== 'merged')) return null;
  return {
    imageKey: image.id,
    imageRouteId: imageRouteId(image),
    sources: layerSources(image, (layer) => inspector.job(layer)),
    layer: selection.layer,
    view: selection.view,
    path: selection.path,
    line: selection.line,
  };
}

/** The state of one page. */
export class Session {
  readonly settings = new Settings();
  readonly router = new Router();
  readonly inspector = new Inspector(this.settings);
  /** Outlives the Files view, so switching views keeps the image's filesystem worker. */
  readonly explorer = new Explorer();
  readonly registry = new RegistrySession(this.settings, this.inspector);
  /** Tags and referrers of a registry source, listed while its overview is shown. */
  readonly registryListing = new RegistryListing(this.settings);
  /** What earlier images left in this browser's storage (shown on the landing page). */
  readonly keptLayers = new KeptLayers();

  #notice = $state<string | null>(null);

  /** The registry listing to run: the loaded reference and the digests whose referrers to list, or null. */
  readonly #listingKey = $derived.by(() => {
    const selection = this.inspector.selection;
    const source = this.inspector.source;
    const input = this.inspector.input;
    if (selection?.view !== 'overview' || !selection.image || source?.kind !== 'registry' || input?.kind !== 'registry') return null;
    const reference = this.inspector.pinnedReference ?? input.reference;
    const subjects = [source.indexes[0]?.digest ?? null, selection.image.manifestDigest].filter((digest) => digest !== null);
    return [reference, ...new Set(subjects)].join(' ');
  });

  /** The loaded source, once its metadata is read. */
  get source(): SourceModel | null {
    return this.inspector.source;
  }
  /** What the link selects in the loaded source. */
  get selection(): Selection | null {
    return this.inspector.selection;
  }
  /** The landing page is shown while nothing is open. */
  get landing(): boolean {
    return !this.inspector.input && !this.inspector.source;
  }
  /** A link that names a dropped file which is not loaded: the landing page asks for it. */
  get pending(): RouteParams | null {
    const params = this.router.params;
    return params.file && !this.inspector.input ? params : null;
  }
  /** What the reference field shows: the loaded registry reference, or nothing. */
  get referenceText(): string {
    const input = this.inspector.input;
    return input?.kind === 'registry' ? input.reference : '';
  }
  /** A message about the last attempt to open something (the sample missing, a drop unreadable), or null. */
  get notice(): string | null {
    return this.#notice;
  }
  /** The landing page's message: the notice, or that the last load was cancelled. */
  get landingNotice(): string | null {
    return this.#notice ?? (this.inspector.phase === 'cancelled' ? 'Loading was cancelled.' : null);
  }
  /** The document title. */
  get title(): string {
    const source = this.inspector.source;
    return source ? `${source.name} — Tarsier` : 'Tarsier — container image inspector';
  }

  /** Starts the rules that tie the state together; returns what stops them. */
  connect(): () => void {
    return $effect.root(() => {
      const { inspector, router, explorer, registry, registryListing, keptLayers } = this;

      $effect(() => inspector.applyRoute(router.params));

      // The landing page says what earlier images left in this browser's storage.
      $effect(() => {
        if (this.landing) void untrack(() => keptLayers.refresh());
      });

      // A `ref=` link loads that image (by digest) unless it is what is loaded already.
      $effect(() => {
        const ref = router.params.ref;
        if (ref && untrack(() => !inspector.isCurrentReference(ref))) {
          void untrack(() => inspector.open({ kind: 'registry', reference: ref }));
        }
      });

      // Once loaded, the link names the image (and a registry source's digest), so it can be shared.
      $effect(() => {
        const image = inspector.selection?.image;
        const pinned = inspector.pinnedReference;
        untrack(() => {
          const params = router.params;
          const next: RouteParams = { ...params };
          if (image && !params.image) next.image = imageRouteId(image);
          if (pinned && params.ref !== pinned) next.ref = pinned;
          if (next.image !== params.image || next.ref !== params.ref) router.replace(next);
        });
      });

      // First view painted: measured after the browser has had a frame to paint the overview.
      $effect(() => {
        if (!inspector.source || !inspector.selection || inspector.firstViewMs !== null) return;
        requestAnimationFrame(() => setTimeout(() => inspector.markFirstView(), 0));
      });

      // A link opened in a fresh tab may name a private image: offer the sign-in form when its load asks for a login.
      $effect(() => {
        const failure = registry.loadFailure;
        if (failure) untrack(() => registry.loadFailed(failure.reference, failure.error));
      });

      // The Files view follows the link and the layer jobs; elsewhere its opened file stops reading.
      $effect(() => {
        const target = filesTarget(inspector, inspector.selection);
        untrack(() => (target ? explorer.show(target) : explorer.hide()));
      });

      // A registry source's overview lists its tags and referrers; only the reference and digests restart it.
      $effect(() => {
        const key = this.#listingKey;
        if (key === null) return;
        const [reference, ...subjects] = key.split(' ');
        untrack(() => void registryListing.load(reference, subjects));
        return () => registryListing.abort();
      });
    });
  }

  /** Opens dropped or picked files or a folder. `startedAt` is when the person acted. */
  openItems(items: DroppedItems, startedAt: number): void {
    const input = inputFromItems(items);
    if (!input || input.kind === 'registry') return;
    this.#openDropped(input, startedAt);
  }

  /** Opens what was dropped on the page. */
  openDataTransfer(transfer: DataTransfer, startedAt: number): void {
    readDataTransfer(transfer).then(
      (items) => this.openItems(items, startedAt),
      (error: unknown) => (this.#notice = `Could not read what was dropped: ${(error as Error).message}`),
    );
  }

  /** Opens the sample image shipped with the app. */
  async openSample(): Promise<void> {
    const startedAt = performance.now();
    try {
      this.openItems({ kind: 'files', files: [await fetchSample()] }, startedAt);
    } catch (error) {
      this.#notice = (error as Error).message;
    }
  }

  /** Opens a registry reference; the registry is asked first, so a typo, a 404 or a login prompt keeps the loaded view. */
  openReference(reference: string): void {
    const startedAt = performance.now();
    void this.registry.check(reference, () => {
      this.router.replace({ ref: reference });
      this.#notice = null;
      void this.inspector.open({ kind: 'registry', reference }, startedAt);
    });
  }

  /** Saves report.json (enabled once `inspector.reportReady`). */
  downloadReport(): void {
    const report = this.inspector.report();
    if (report) downloadJson(report, 'report.json');
  }

  /** Moves to another view, layer, path… of the loaded source (a history entry). */
  navigate(changes: Partial<RouteParams>): void {
    this.router.patch(changes);
  }

  /** Picks a platform of a multi-platform index, remembered for the next images. */
  selectPlatform(imageId: string, platform: string): void {
    this.settings.platform = platform;
    this.navigate({ image: imageId, platform });
  }

  /** Steps through the selected image's layers. */
  moveLayer(move: LayerMove): void {
    const selection = this.inspector.selection;
    const count = selection?.image?.layers.length ?? 0;
    if (!selection || selection.layer === null || count === 0) return;
    const next = move === 'first' ? 0 : move === 'last' ? count - 1 : selection.layer + move;
    if (next >= 0 && next < count && next !== selection.layer) this.navigate({ layer: next });
  }

  #openDropped(input: Exclude<SourceInput, { kind: 'registry' }>, startedAt: number): void {
    const file = input.kind === 'file' ? input.file.name : input.name;
    const size = input.kind === 'file' ? input.file.size : undefined;
    const params = this.router.params;
    // Dropping the file a link asked for keeps the rest of the link (image, layer, view…).
    const sameFile = params.file === file && (params.size === undefined || params.size === size);
    this.router.replace(sameFile ? { ...params, ref: undefined, file, size } : { file, size });
    this.#notice = null;
    void this.inspector.open(input, startedAt);
  }
}
