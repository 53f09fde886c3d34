/**
 * Lines of a stored document for the raw views: JSON re-indented with two
 * spaces, anything else (or broken JSON) exactly as stored. Re-indenting goes
 * through JSON.parse, which keeps only the last of duplicate keys, so the
 * views also offer the text as stored (`storedLines`): parser differentials
 * on duplicate keys are a known trick against image tooling.
 */

/** Splits `text` into display lines, pretty-printing it when it is valid JSON. */
export function prettyJsonLines(text: string): string[] {
  let pretty = text;
  try {
    pretty = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // Not JSON: keep the stored text.
  }
  return pretty.split(/\r?\n/);
}

/** The text exactly as stored, split into lines. */
export function storedLines(text: string): string[] {
  return text.split(/\r?\n/);
}
