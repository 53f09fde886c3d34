/**
 * Licence strings as package databases write them, sorted into what SBOM
 * formats accept: a valid SPDX license expression (ids from the SPDX
 * License List, `AND`/`OR`/`WITH` and parentheses, `LicenseRef-…`), or
 * free text (apk's `MIT BSD GPL2+`, older rpm's `GPLv2+ and MIT`) that is
 * kept as a name, never passed off as an expression.
 */
import exceptionIds from 'spdx-exceptions/index.json';
import deprecatedIds from 'spdx-license-ids/deprecated.json';
import licenseIds from 'spdx-license-ids/index.json';

const LICENSES = new Set([...licenseIds, ...deprecatedIds].map((id) => id.toLowerCase()));
const EXCEPTIONS = new Set(exceptionIds.map((id) => id.toLowerCase()));

/** The licence as SBOMs carry it: an SPDX expression, or text. */
export type LicenseInfo = { expression: string; ids: string[] } | { text: string };

function isLicenseId(token: string): boolean {
  const id = token.endsWith('+') ? token.slice(0, -1) : token;
  return LICENSES.has(id.toLowerCase()) || /^(DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$/.test(token);
}

/** Checks an SPDX license expression (SPDX 2.3 Annex D) with a small recursive parser. */
export function classifyLicense(raw: string): LicenseInfo {
  const text = raw.trim();
  const tokens = text.replace(/([()])/g, ' $1 ').split(/\s+/).filter((token) => token !== '');
  let at = 0;
  const ids: string[] = [];
  const simple = (): boolean => {
    const token = tokens[at];
    if (token === '(') {
      at += 1;
      if (!expression() || tokens[at] !== ')') return false;
      at += 1;
      return true;
    }
    if (token === undefined || !isLicenseId(token)) return false;
    ids.push(token);
    at += 1;
    if (tokens[at] === 'WITH') {
      at += 1;
      if (tokens[at] === undefined || !EXCEPTIONS.has(tokens[at].toLowerCase())) return false;
      at += 1;
    }
    return true;
  };
  const expression = (): boolean => {
    if (!simple()) return false;
    while (tokens[at] === 'AND' || tokens[at] === 'OR') {
      at += 1;
      if (!simple()) return false;
    }
    return true;
  };
  if (tokens.length > 0 && expression() && at === tokens.length) return { expression: text, ids };
  return { text };
}
