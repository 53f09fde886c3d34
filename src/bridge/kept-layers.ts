/**
 * The decompressed layers that the workers keep in this browser's Origin
 * Private File System (workers/storage/layer-store.ts), as the page sees them: how
 * much they take, and a way to delete them. OPFS's async API works on the
 * main thread; only the sync handles that write the files need a worker.
 */
export { clearKeptLayers, keptLayersUsage, type KeptLayersUsage } from '../../workers/storage/layer-store';
