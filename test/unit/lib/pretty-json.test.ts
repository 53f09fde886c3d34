import { describe, expect, it } from 'vitest';
import { prettyJsonLines, storedLines } from '../../../src/lib/pretty-json';

describe('prettyJsonLines', () => {
  it('re-indents compact JSON', () => {
    expect(prettyJsonLines('{"a":[1,{"b":"c"}]}')).toEqual([
      '{',
      '  "a": [',
      '    1,',
      '    {',
      '      "b": "c"',
      '    }',
      '  ]',
      '}',
    ]);
  });
  it('keeps broken JSON and markup exactly as stored', () => {
    expect(prettyJsonLines('{"a":<img src=x onerror=alert(1)>\r\nnext')).toEqual([
      '{"a":<img src=x onerror=alert(1)>',
      'next',
    ]);
  });
});

describe('storedLines', () => {
  it('keeps duplicate keys that JSON.parse would drop', () => {
    const text = '{"mediaType":"a",\n"mediaType":"b"}';
    expect(storedLines(text)).toEqual(['{"mediaType":"a",', '"mediaType":"b"}']);
    expect(prettyJsonLines(text).join('\n')).not.toContain('"a"');
  });
});
