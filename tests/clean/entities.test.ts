import { describe, expect, it } from 'vitest';
import { decodeEntitiesOnce, looksDoubleEscaped } from '../../src/clean/entities.js';

describe('double-escaped entities', () => {
  it('decodes once what a feed escaped twice (windows-1251 ibash.org.ru, Greek liberal.gr, Reddit)', () => {
    expect(decodeEntitiesOnce('Лаба&#769;зник (лат. Filip&#233;ndula)')).toBe('Лаба\u0301зник (лат. Filipéndula)');
    expect(decodeEntitiesOnce('&laquo;Πορτραίτα&raquo;&nbsp;&rsquo;x&quot;')).toBe('«Πορτραίτα»\u00a0’x"');
    expect(decodeEntitiesOnce('It&#39;s &amp;amp; more')).toBe("It's &amp; more");
  });

  it('takes only real entities other than &lt; &gt; &amp; as evidence of double escaping', () => {
    expect(looksDoubleEscaped('Use &lt;b&gt; for bold &amp; more')).toBe(false);
    expect(looksDoubleEscaped('AT&T; R&D; &nosuch;')).toBe(false);
    expect(looksDoubleEscaped('Lаба&#769;зник')).toBe(true);
    expect(looksDoubleEscaped('&quot;Klasse&quot;')).toBe(true);
  });

  it('drops an entity that decodes to a control character, so terminal escapes cannot come back', () => {
    expect(decodeEntitiesOnce('a&#27;[2Jb&#x202E;c&#9;d&#0;e')).toBe('a[2Jbc de');
  });
});
