/**
 * The RFC 822-like "control" format of dpkg's status file (deb-control(5)):
 * stanzas separated by blank lines, `Field: value` lines, continuation lines
 * starting with a space or tab.
 */

/** The most stanzas read from one file (a hostile file could hold millions). */
export const MAX_STANZAS = 200_000;

/** Parses stanzas; field names are kept as written (dpkg compares them case-insensitively). */
export function parseStanzas(text: string): Map<string, string>[] {
  const stanzas: Map<string, string>[] = [];
  let current = new Map<string, string>();
  let last: string | null = null;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (current.size > 0) stanzas.push(current);
      if (stanzas.length >= MAX_STANZAS) return stanzas;
      current = new Map();
      last = null;
      continue;
    }
    if ((line.startsWith(' ') || line.startsWith('\t')) && last !== null) {
      current.set(last, `${current.get(last) ?? ''}\n${line.slice(1)}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    current.set(last, line.slice(colon + 1).trim());
  }
  if (current.size > 0) stanzas.push(current);
  return stanzas;
}
