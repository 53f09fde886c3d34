import { describe, expect, it } from 'vitest';
import { en } from '../../../src/lib/i18n/messages-en';
import { LANGUAGES, catalogueOf, language, matchLanguage, t, tn } from '../../../src/lib/i18n/translate.svelte';

const placeholders = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe('catalogues', () => {
  for (const { code } of LANGUAGES) {
    it(`${code} has every key of the English catalogue, and no other`, () => {
      const catalogue = catalogueOf(code);
      expect(Object.keys(catalogue).sort()).toEqual(Object.keys(en).sort());
    });

    it(`${code} keeps each message's placeholders and leaves none empty`, () => {
      const catalogue = catalogueOf(code);
      for (const [key, english] of Object.entries(en)) {
        const text = catalogue[key as keyof typeof en];
        expect(text.trim(), key).not.toBe('');
        expect(placeholders(text), key).toEqual(placeholders(english));
      }
    });
  }

  it('has both variants of every plural key', () => {
    for (const key of Object.keys(en)) {
      if (key.endsWith('.one')) expect(Object.keys(en)).toContain(`${key.slice(0, -4)}.other`);
    }
  });
});

describe('translate', () => {
  it('matches browser language tags', () => {
    expect(matchLanguage('zh')).toBe('zh-CN');
    expect(matchLanguage('zh-Hans-CN')).toBe('zh-CN');
    expect(matchLanguage('zh-TW')).toBeNull();
    expect(matchLanguage('en-GB')).toBe('en');
    expect(matchLanguage('fr')).toBeNull();
  });

  it('fills placeholders and picks plural forms in the current language', () => {
    language.code = 'en';
    expect(tn('count.files', 1)).toBe('1 file');
    expect(tn('count.files', 1234)).toBe('1,234 files');
    language.code = 'zh-CN';
    expect(t('view.merged')).toBe('合并视图');
    expect(tn('count.files', 2)).toBe('2 个文件');
    language.code = 'en';
  });
});
