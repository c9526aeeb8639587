import { describe, expect, it } from 'vitest';
import { normaliseSpace } from '../../src/clean/whitespace.js';

const norm = (...texts: string[]) => normaliseSpace(texts.map((text) => ({ text }))).map((r) => r.text);

describe('normaliseSpace', () => {
  it('removes invisible characters and collapses every kind of space, across runs too', () => {
    expect(norm('Har\u00adbour\u200b \u00a0 Herald\ufeff\u2060 ', '  news\u3000 ')).toEqual(['Harbour Herald news']);
  });

  it('removes direction marks from text with no right-to-left script, and keeps one where there is some', () => {
    expect(norm('\u200eHarbour\u200f Herald\u200e')).toEqual(['Harbour Herald']);
    expect(norm('שלום\u200f\u200f\u200f (hello)')).toEqual(['שלום\u200f (hello)']);
  });

  it('keeps ZWJ and ZWNJ, which emoji and Persian spelling need', () => {
    expect(norm('👩\u200d👩\u200d👧 می\u200cدهد')).toEqual(['👩\u200d👩\u200d👧 می\u200cدهد']);
  });

  it('keeps line breaks between list items', () => {
    expect(norm('• one\n• two')).toEqual(['• one\n• two']);
  });
});
