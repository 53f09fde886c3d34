/**
 * Copies text to the clipboard. `navigator.clipboard` needs a secure context
 * (https or localhost); elsewhere fall back to a selected, off-screen textarea
 * and `execCommand('copy')`, which still works from a click handler.
 */

/** Copies `text`; resolves to true when the browser accepted it. */
export async function copyToClipboard(text: string): Promise<boolean> {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Permission denied (e.g. headless, unfocused document): try the fallback.
    }
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'clipboard-fallback';
  document.body.append(area);
  area.select();
  let copied: boolean;
  try {
    copied = document.execCommand('copy');
  } catch {
    copied = false;
  }
  area.remove();
  return copied;
}
