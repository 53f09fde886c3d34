/**
 * Saves a Blob as a file: Blob → object URL → `<a download>` click. For
 * in-memory data the URL is revoked on the next task, once the browser has
 * started the save; disk-backed files may ask to keep it longer.
 */

/** Offers `data` to the user as a download named `fileName`. */
export function downloadBlob(data: Blob, fileName: string, revokeAfterMs = 0): void {
  const url = URL.createObjectURL(data);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.rel = 'noopener';
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), revokeAfterMs);
}

/** Offers `value` as pretty-printed JSON (two-space indent, trailing newline). */
export function downloadJson(value: unknown, fileName: string): void {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  downloadBlob(new Blob([text], { type: 'application/json' }), fileName);
}
