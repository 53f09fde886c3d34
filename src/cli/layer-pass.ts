/**
 * The first pass of `tarsier report`: every layer of the source through the
 * one-pass pipeline, in worker threads (one per core, biggest layers first,
 * as the page's layer pool runs them), with the outcomes the page records.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { inspectBlobStream } from '../core/blob-inspector';
import { InspectErrorCode, toErrorInfo, type InspectErrorInfo } from '../core/errors';
import type { LayerModel, SourceModel } from '../core/image/model';
import type { LayerOutcome } from '../core/image/report';
import type { BlobResult } from '../core/types';
import { DiskFile } from './disk-file';
import type { LayerStore } from './layer-store';

/** One layer for a thread: a byte range of a file, and where to keep its decompressed stream. */
export interface LayerJob {
  id: number;
  /** The blob's path in the source, for messages. */
  name: string;
  path: string;
  start: number;
  end: number;
  keepPath: string | null;
}

/** A thread's answer: the pipeline's result (entries packed), or why the bytes could not be read. */
export interface LayerJobReply {
  id: number;
  result?: BlobResult;
  /** Whether the decompressed stream was written to the job's keepPath. */
  kept?: boolean;
  error?: InspectErrorInfo;
}

/** The thread's file next to the built command (a variable, so that the bundler leaves the URL alone). */
const THREAD_FILE = './layer-thread.mjs';

/** Every layer of the source once (layers that read the same bytes share a key). */
function uniqueLayers(source: SourceModel): LayerModel[] {
  const seen = new Map<string, LayerModel>();
  for (const layer of source.images.flatMap((image) => image.layers)) if (!seen.has(layer.key)) seen.set(layer.key, layer);
  return [...seen.values()];
}

/** Runs jobs on `threads` worker threads; resolves with each job's reply. */
async function runThreads(jobs: LayerJob[], threads: number): Promise<Map<number, LayerJobReply>> {
  const replies = new Map<number, LayerJobReply>();
  const queue = [...jobs];
  const url = new URL(THREAD_FILE, import.meta.url);
  const run = async (): Promise<void> => {
    const worker = new Worker(url);
    try {
      for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
        const current = job;
        const reply = await new Promise<LayerJobReply>((resolve, reject) => {
          const settle = (): void => {
            worker.off('message', onMessage);
            worker.off('error', onError);
          };
          const onMessage = (message: LayerJobReply): void => {
            settle();
            resolve(message);
          };
          const onError = (error: unknown): void => {
            settle();
            reject(error);
          };
          worker.on('message', onMessage);
          worker.on('error', onError);
          worker.postMessage(current);
        }).catch((error: unknown) => ({ id: current.id, error: toErrorInfo(error, current.name) }));
        replies.set(current.id, reply);
      }
    } finally {
      await worker.terminate();
    }
  };
  await Promise.all(Array.from({ length: Math.min(threads, jobs.length) }, run));
  return replies;
}

/** The outcome of every layer of `source`, keyed by LayerModel.key (see report.ts). */
export async function runLayerPass(source: SourceModel, store: LayerStore, threads = availableParallelism()): Promise<Map<string, LayerOutcome>> {
  const outcomes = new Map<string, LayerOutcome>();
  const jobs: { job: LayerJob; layer: LayerModel; file: DiskFile }[] = [];
  for (const layer of uniqueLayers(source)) {
    const location = layer.location;
    if (location === null) {
      const message = layer.error ?? `Layer ${layer.digest ?? layer.key} is not in ${source.name}`;
      outcomes.set(layer.key, { error: { code: InspectErrorCode.MissingBlob, message, path: layer.digest } });
    } else if (location.kind === 'scanned') {
      outcomes.set(layer.key, { result: location.result });
    } else if (location.kind === 'blob' && location.blob instanceof DiskFile) {
      const file = location.blob;
      const job = { id: jobs.length, name: location.path, path: file.path, start: file.start, end: file.end, keepPath: store.newFile('tar') };
      jobs.push({ job, layer, file });
    } else if (location.kind === 'blob') {
      // A small member a compressed archive's scan kept in memory: inspected here.
      outcomes.set(layer.key, { result: await inspectBlobStream(location.blob.stream(), { keepEntries: true }) });
    } else {
      outcomes.set(layer.key, { error: { code: InspectErrorCode.Unsupported, message: `${location.path}: not readable from the command line`, path: location.path } });
    }
  }
  jobs.sort((a, b) => b.job.end - b.job.start - (a.job.end - a.job.start));
  const replies = await runThreads(jobs.map(({ job }) => job), threads);
  for (const { job, layer, file } of jobs) {
    const reply = replies.get(job.id) as LayerJobReply;
    if (reply.result) {
      outcomes.set(layer.key, { result: reply.result });
      if (reply.kept && job.keepPath !== null) store.keep(file, job.keepPath);
    } else {
      outcomes.set(layer.key, { error: reply.error ?? { code: InspectErrorCode.Internal, message: `${job.name}: no result`, path: job.name } });
    }
  }
  return outcomes;
}
