/**
 * Where a streamed save goes. With the File System Access API
 * (https://wicg.github.io/file-system-access/#api-showsavefilepicker) the
 * user picks a file and the worker writes straight into it through a
 * transferred WritableStream. Elsewhere the worker writes into a file of the
 * Origin Private File System, and that disk-backed File is offered as a
 * download through an object URL: nothing is built in memory either way.
 */

import { downloadBlob } from './download';
interface SaveFilePickerWindow {
  showSaveFilePicker(options: { suggestedName: string }): Promise<FileSystemFileHandle & {
    createWritable(): Promise<WritableStream<Uint8Array>>;
  }>;
}

/** Object URLs of downloads stay valid this long: the browser reads a large File while it saves it. */
const DOWNLOAD_URL_LIFETIME_MS = 10 * 60 * 1000;

/**
 * Asks the user where to save `suggestedName` and returns a stream into that
 * file, or null when the browser has no save picker or may not show it (a
 * download is used instead). Rejects with an AbortError when the user cancels
 * the picker; headless Chromium rejects that way too, so end-to-end tests
 * remove `showSaveFilePicker` (`delete window.showSaveFilePicker`
 * in an init script) to exercise the download path.
 */
export async function pickSaveTarget(suggestedName: string): Promise<WritableStream<Uint8Array> | null> {
  const picker = window as unknown as Partial<SaveFilePickerWindow>;
  if (typeof picker.showSaveFilePicker !== 'function') return null;
  try {
    const handle = await picker.showSaveFilePicker({ suggestedName });
    return await handle.createWritable();
  } catch (error) {
    // The user closed the picker: no save. Anything else (no user activation
    // left, a policy, an embedding frame) falls back to a download.
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    return null;
  }
}

/** Offers a (disk-backed) File as a download named `fileName`. */
export function offerFile(file: File, fileName: string): void {
  // A typed wrapper (a reference to the same disk-backed bytes, not a copy) keeps
  // browsers from guessing a type and appending an extension such as `.txt`.
  downloadBlob(new Blob([file], { type: 'application/octet-stream' }), fileName, DOWNLOAD_URL_LIFETIME_MS);
}
