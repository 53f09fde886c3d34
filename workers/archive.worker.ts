/**
 * Worker for compressed outer archives (`docker save | gzip`): peeks at the
 * first decompressed bytes, and scans the whole archive in one streaming
 * pass (src/sources/archive/compressed-archive.ts). Thin: wiring only.
 */
import { expose, transfer } from 'comlink';
import { packEntries } from '../src/core/tar/entry-codec';
import {
  peekDecompressedStream,
  scanCompressedStream,
  TarStreamScanner,
  type ScanOptions,
  type ScanOutcome,
} from '../src/sources/archive/compressed-archive';
import { MemberSpool } from './storage/member-spool';
import { throttle } from './throttle';

/** The API this worker exposes through comlink. */
export const archiveWorkerApi = {
  /** The first `length` decompressed bytes of `blob`. */
  async peekDecompressed(blob: Blob, length: number): Promise<Uint8Array> {
    return peekDecompressedStream(blob.stream(), length);
  },

  /** Scans a compressed tar: small members kept, large ones inspected as they stream by. */
  async scanCompressedArchive(
    blob: Blob,
    name: string,
    onProgress: (progress: { read: number; uncompressed: number }) => void,
    options: ScanOptions = {},
  ): Promise<ScanOutcome> {
    const report = throttle(onProgress, 100);
    const spool = new MemberSpool();
    const scanner = new TarStreamScanner(() => spool.sink(), options);
    const outcome = await scanCompressedStream(blob.stream(), scanner, (read, uncompressed) =>
      report({ read, uncompressed }),
    );
    report.flush();
    const buffers: ArrayBuffer[] = [];
    for (const member of outcome.members) {
      if (!member.result) continue;
      member.result = packEntries(member.result);
      if (member.result.encodedEntries) buffers.push(member.result.encodedEntries.buffer);
    }
    if (outcome.error && outcome.error.path === null) {
      outcome.error = { ...outcome.error, message: `${name}: ${outcome.error.message}`, path: name };
    }
    return transfer(outcome, buffers);
  },
};

export type ArchiveWorkerApi = typeof archiveWorkerApi;

expose(archiveWorkerApi);
