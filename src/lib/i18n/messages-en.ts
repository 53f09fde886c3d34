/**
 * The English catalogue: every string the page shows, by key. The other
 * languages' catalogues must have exactly these keys (a type error, and
 * test/unit/lib/i18n.test.ts checks keys and placeholders). A placeholder is
 * `{name}`; a key with `.one`/`.other` variants is picked by count with
 * Intl.PluralRules (see translate.svelte.ts).
 *
 * Keys are grouped by the part of the page that shows them (`open.`,
 * `source.`, `view.`…), so a new feature adds its own block.
 */
export const en = {
  'language.label': 'Language',
  'app.skipToContent': 'Skip to content',
  'app.keyboardShortcuts': 'Keyboard shortcuts',
  'view.overview': 'Overview',
  'view.changes': 'Changes',
  'view.merged': 'Merged',
  'view.history': 'History',
  'view.config': 'Config',
  'view.tablist': 'View',
  'count.files.one': '{count} file',
  'count.files.other': '{count} files',
} as const;

/** A key of the catalogue. */
export type MessageKey = keyof typeof en;

/** A catalogue of another language: the same keys, its own words. */
export type Catalogue = Record<MessageKey, string>;
