import { describe, expect, it } from 'vitest';
import { SaveAction } from '../../../../src/state/files/save-action.svelte';

/** A save job that runs until it is resolved or aborted, like FilesystemClient.save*. */
function pendingJob(): { job: (signal: AbortSignal) => Promise<void>; signal: () => AbortSignal | null; finish: () => void } {
  let seen: AbortSignal | null = null;
  let finish = (): void => {};
  const job = (signal: AbortSignal): Promise<void> => {
    seen = signal;
    return new Promise<void>((resolve, reject) => {
      finish = resolve;
      signal.addEventListener('abort', () => reject(new DOMException('The operation was aborted.', 'AbortError')));
    });
  };
  return { job, signal: () => seen, finish: () => finish() };
}

describe('SaveAction', () => {
  it('is saving while the job runs, and not after it resolves', async () => {
    const saves = new SaveAction();
    const pending = pendingJob();
    const run = saves.run(pending.job);
    expect(saves.saving).toBe(true);
    pending.finish();
    await run;
    expect(saves.saving).toBe(false);
    expect(saves.error).toBeNull();
  });

  it('calls the job before any await, so a save picker keeps the click activation', () => {
    const saves = new SaveAction();
    const pending = pendingJob();
    void saves.run(pending.job);
    expect(pending.signal()).not.toBeNull();
    saves.cancel();
  });

  it('keeps the message of a failure, and clears it on the next run', async () => {
    const saves = new SaveAction();
    await saves.run(() => Promise.reject(new Error('disk full writing etc.tar')));
    expect(saves.error).toBe('disk full writing etc.tar');
    expect(saves.saving).toBe(false);
    const pending = pendingJob();
    const run = saves.run(pending.job);
    expect(saves.error).toBeNull();
    pending.finish();
    await run;
  });

  it('cancel aborts the signal and ends without an error', async () => {
    const saves = new SaveAction();
    const pending = pendingJob();
    const run = saves.run(pending.job);
    saves.cancel();
    expect(pending.signal()?.aborted).toBe(true);
    await run;
    expect(saves.saving).toBe(false);
    expect(saves.error).toBeNull();
  });

  it('a closed save picker (AbortError) is not an error', async () => {
    const saves = new SaveAction();
    await saves.run(() => Promise.reject(new DOMException('The user aborted a request.', 'AbortError')));
    expect(saves.error).toBeNull();
  });

  it('runs one save at a time', async () => {
    const saves = new SaveAction();
    const first = pendingJob();
    const second = pendingJob();
    const run = saves.run(first.job);
    const refused = saves.run(second.job);
    expect(second.signal()).toBeNull();
    first.finish();
    await Promise.all([run, refused]);
  });

  it('clearError forgets the failure', async () => {
    const saves = new SaveAction();
    await saves.run(() => Promise.reject(new Error('quota exceeded')));
    saves.clearError();
    expect(saves.error).toBeNull();
  });
});
