/**
 * The page's language and its translations. The language comes from the
 * link (`lang=`), else the person's last choice, else the browser's
 * languages; `t()` reads it reactively, so every string re-renders when the
 * Language control changes it. Files Tarsier writes (report.json,
 * files.json, compare.json) never go through here: their keys and codes stay
 * English in every language.
 */
import { en, type Catalogue, type MessageKey } from './messages-en';
import { zhCN } from './messages-zh-CN';

/** The languages the page speaks, by BCP 47 tag, with their own names for the Language control. */
export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'zh-CN', name: '简体中文' },
] as const;

/** One of LANGUAGES' codes. */
export type LanguageCode = (typeof LANGUAGES)[number]['code'];

const CATALOGUES: Record<LanguageCode, Catalogue> = { en, 'zh-CN': zhCN };

const STORAGE_KEY = 'tarsier.language';

/** The supported language a BCP 47 tag asks for (`zh`, `zh-Hans`, `zh-CN`, `zh-SG` → zh-CN), or null. */
export function matchLanguage(tag: string | null | undefined): LanguageCode | null {
  if (!tag) return null;
  const lower = tag.toLowerCase();
  if (lower === 'en' || lower.startsWith('en-')) return 'en';
  // Traditional Chinese (zh-TW, zh-HK, zh-Hant) is not offered: English is a better default than the wrong script.
  if (lower === 'zh' || lower === 'zh-cn' || lower === 'zh-sg' || lower.startsWith('zh-hans')) return 'zh-CN';
  return null;
}

function storedLanguage(): LanguageCode | null {
  try {
    return matchLanguage(globalThis.localStorage?.getItem(STORAGE_KEY));
  } catch {
    // Storage can be disabled (privacy mode): the browser's languages decide.
    return null;
  }
}

function browserLanguage(): LanguageCode {
  for (const tag of globalThis.navigator?.languages ?? []) {
    const match = matchLanguage(tag);
    if (match) return match;
  }
  return 'en';
}

/** The current language (one per page). */
class PageLanguage {
  #code = $state<LanguageCode>(storedLanguage() ?? browserLanguage());

  get code(): LanguageCode {
    return this.#code;
  }

  /** Switches the page's language (remembered for the next visit; `<html lang>` follows). */
  set code(value: LanguageCode) {
    this.#code = value;
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, value);
    } catch {
      // Not remembered; it still applies to this page.
    }
    if (globalThis.document) globalThis.document.documentElement.lang = value;
  }
}

/** The page's language. */
export const language = new PageLanguage();

/** Values for a message's `{placeholders}`. */
export type MessageParams = Record<string, string | number>;

function fill(text: string, params: MessageParams | undefined): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'number' ? formatNumber(value) : value;
  });
}

/** Keys with `.one`/`.other` variants, named without the suffix. */
type PluralKey = MessageKey extends infer K ? (K extends `${infer Base}.other` ? Base : never) : never;

/** The message `key` in the current language, its `{placeholders}` filled (numbers grouped for the language). */
export function t(key: MessageKey, params?: MessageParams): string {
  return fill(CATALOGUES[language.code][key], params);
}

/** The `.one` or `.other` variant of `key` for `count` (also available as `{count}`). */
export function tn(key: PluralKey, count: number, params?: MessageParams): string {
  const rule = new Intl.PluralRules(language.code).select(count) === 'one' ? 'one' : 'other';
  return t(`${key}.${rule}` as MessageKey, { count, ...params });
}

/** A number with the language's digit grouping (`1,234,567`). */
export function formatNumber(value: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(language.code, options).format(value);
}

/** The catalogue of a language (for tests and the missing-key check). */
export function catalogueOf(code: LanguageCode): Catalogue {
  return CATALOGUES[code];
}
