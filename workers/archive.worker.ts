/**
 * Worker for compressed outer archives (`docker save | gzip`): peeks at the
 * first decompressed bytes, and scans the whole archive in one streaming
 * pass (src/sources/archive/compressed-archive.ts). Thin: wiring only; the
 * contract is workers/archive-api.ts.
 */
import { expose, transfer } from 'comlink';
import { packEntries } from '../src/core/tar/entry-codec';
import { peekDecompressedStream, scanCompressedStream, TarStreamScanner } from '../src/sources/archive/compressed-archive';
import type { ArchiveWorkerApi } from './archive-api';
import { MemberSpool } from './storage/member-spool';
import { throttle } from './throttle';

/** Progress posts at most this often: a scan is one long pass, and the header shows one number. */
const PROGRESS_INTERVAL_MS = 100;

const archiveWorkerApi: ArchiveWorkerApi = {
  async peekDecompressed(blob, length) {
    return peekDecompressedStream(blob.stream(), length);
  },

  async scanCompressedArchive(blob, name, onProgress, options = {}) {
    const report = throttle(onProgress, PROGRESS_INTERVAL_MS);
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

expose(archiveWorkerApi);
