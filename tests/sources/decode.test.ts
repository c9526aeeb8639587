import { describe, expect, it } from 'vitest';
import { ThreadcastError } from '../../src/core/errors.js';
import { decodeBody, sniffCharset } from '../../src/sources/decode-body.js';
import { parseFeed } from '../../src/sources/parse-feed.js';

const utf8 = (s: string) => Buffer.from(new TextEncoder().encode(s));
const ascii = (s: string) => Buffer.from(s, 'latin1');
const bytes = (...parts: (string | number[] | Uint8Array)[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? ascii(p) : Buffer.from(p))));
const rss = (title: string) => `<rss version="2.0"><channel><title>${title}</title><item><title>${title}</title><guid>1</guid></item></channel></rss>`;
const parse = (body: Uint8Array, contentType?: string) => parseFeed(decodeBody(body, contentType), { sourceId: 't', location: 'tests/inline.xml' });
const parseError = (body: string): ThreadcastError => {
  try {
    parseFeed(body, { sourceId: 't', location: 'tests/inline.xml' });
  } catch (err) {
    expect(err).toBeInstanceOf(ThreadcastError);
    return err as ThreadcastError;
  }
  throw new Error('expected parseFeed to throw');
};

// "Привет" in windows-1251.
const PRIVET_1251 = [0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2];

describe('before the XML declaration', () => {
  it('accepts a blank line, spaces and tabs before <?xml', () => {
    for (const lead of ['\n', '\r\n', '\n\n  \t', '   ']) {
      const feed = parse(utf8(`${lead}<?xml version="1.0" encoding="UTF-8"?>\n${rss('Café')}`));
      expect(feed.title).toBe('Café');
      expect(feed.items).toHaveLength(1);
    }
  });

  it('accepts a UTF-8 byte-order mark followed by whitespace', () => {
    const feed = parse(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8(`\n<?xml version="1.0"?>${rss('Zoë')}`)]));
    expect(feed.title).toBe('Zoë');
  });

  it('counts the removed lines and columns in error positions', () => {
    const err = parseError(`\n\n  <?xml version="1.0"?>\n<rss><channel>\n<title>x</titel></channel></rss>`);
    expect(err.where).toBe('feed tests/inline.xml line 5, column 9');
  });
});

describe('labels that contradict the bytes', () => {
  it('reads a UTF-8 feed whose XML declaration says utf-16 as UTF-8', () => {
    const body = utf8(`<?xml version="1.0" encoding="utf-16"?>${rss('Señales – “ok”')}`);
    expect(sniffCharset(body)).toBe('utf-8');
    expect(parse(body).title).toBe('Señales – “ok”');
  });

  it('reads a UTF-8 feed served as charset=utf-16 as UTF-8', () => {
    const body = utf8(`<?xml version="1.0"?>${rss('Čeština')}`);
    expect(parse(body, 'application/rss+xml; charset=UTF-16').title).toBe('Čeština');
  });

  it('reads UTF-16 without a byte-order mark, little- or big-endian, by its NUL bytes', () => {
    const le = Buffer.from(`<?xml version="1.0" encoding="utf-16"?>\n${rss('日本語')}`, 'utf16le');
    const be = Buffer.from(le).swap16();
    expect(parse(le).title).toBe('日本語');
    expect(parse(be).title).toBe('日本語');
    // The bytes win over a header naming an ASCII-compatible charset, which cannot describe them.
    expect(parse(le, 'text/xml; charset=utf-8').title).toBe('日本語');
  });

  it('uses the declared legacy encoding when the server says utf-8 but the bytes are not UTF-8', () => {
    const body = bytes('<?xml version="1.0" encoding="windows-1251"?><rss><channel><title>', PRIVET_1251, '</title></channel></rss>');
    expect(decodeBody(body, 'application/rss+xml; charset=utf-8')).toContain('<title>Привет</title>');
  });

  it('reads UTF-8 bytes declared as iso-8859-1 or windows-1251 as UTF-8, not as "CafÃ©"', () => {
    for (const label of ['ISO-8859-1', 'windows-1251']) {
      const body = utf8(`<?xml version="1.0" encoding="${label}"?>${rss('Café Привет')}`);
      expect(parse(body).title).toBe('Café Привет');
    }
    expect(parse(utf8(rss('Café')), 'text/xml; charset=iso-8859-1').title).toBe('Café');
  });

  it('reads unlabelled bytes that are not UTF-8 as windows-1252', () => {
    const body = bytes('<rss><channel><title>', [0x43, 0x61, 0x66, 0xe9, 0x20, 0x93, 0x71, 0x94, 0x20, 0x80], '</title></channel></rss>');
    expect(decodeBody(body)).toContain('<title>Café “q” €</title>');
  });

  it('keeps UTF-8 with one broken byte as UTF-8 (one U+FFFD), not as windows-1252 mojibake', () => {
    const body = bytes(utf8('<t>é è ü ö — '), [0xe2, 0x80], '</t>');
    expect(sniffCharset(body)).toBe('utf-8');
    expect(decodeBody(body)).toBe('<t>é è ü ö — \uFFFD</t>');
  });

  it('keeps a 7-bit iso-2022-jp feed in its declared encoding', () => {
    const body = bytes('<?xml version="1.0" encoding="ISO-2022-JP"?><t>', [0x1b, 0x24, 0x42, 0x46, 0x7c, 0x4b, 0x5c, 0x1b, 0x28, 0x42], '</t>');
    expect(decodeBody(body)).toContain('<t>日本</t>');
  });
});

describe('precedence: byte-order mark, then Content-Type, then the XML declaration, then detection', () => {
  it('a byte-order mark beats the Content-Type charset and the declaration', () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8('<?xml version="1.0" encoding="windows-1251"?><t>Привет</t>')]);
    expect(decodeBody(body, 'text/xml; charset=windows-1251')).toContain('<t>Привет</t>');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<?xml version="1.0" encoding="utf-8"?><t>Ω</t>', 'utf16le')]);
    expect(decodeBody(utf16, 'text/xml; charset=utf-8')).toBe('<?xml version="1.0" encoding="utf-8"?><t>Ω</t>');
  });

  it('the Content-Type charset beats the declaration (RFC 7303)', () => {
    // koi8-r bytes for "Привет", declared windows-1251 in the document but served as koi8-r.
    const body = bytes('<?xml version="1.0" encoding="windows-1251"?><t>', [0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4], '</t>');
    expect(decodeBody(body, 'text/xml; charset="KOI8-R"')).toContain('<t>Привет</t>');
  });

  it('an HTML page is decoded by its <meta charset> when the header names none', () => {
    const body = bytes('<!DOCTYPE html><html><head><meta charset="windows-1251"><title>', PRIVET_1251, '</title></head></html>');
    expect(decodeBody(body, 'text/html')).toContain('<title>Привет</title>');
  });

  it('an unknown label is ignored and the next source decides', () => {
    const body = bytes('<?xml version="1.0" encoding="x-no-such-charset"?><t>', PRIVET_1251, '</t>');
    expect(decodeBody(body, 'text/xml; charset=windows-1251')).toContain('<t>Привет</t>');
    expect(decodeBody(utf8('<?xml version="1.0" encoding="x-no-such"?><t>é</t>'))).toContain('<t>é</t>');
  });
});

describe('legacy encodings declared only in the XML declaration', () => {
  // Hand-made bytes: each is the given text in the given encoding.
  const cases: [label: string, encoded: number[], text: string][] = [
    ['windows-1251', PRIVET_1251, 'Привет'],
    ['koi8-r', [0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4], 'Привет'],
    ['iso-8859-5', [0xbf, 0xe0, 0xd8, 0xd2, 0xd5, 0xe2], 'Привет'],
    ['iso-8859-7', [0xc5, 0xeb, 0xeb, 0xdc, 0xe4, 0xe1], 'Ελλάδα'],
    ['iso-8859-2', [0xa3, 0xf3, 0x64, 0xbc], 'Łódź'],
    ['iso-8859-15', [0xa4, 0x20, 0xbd], '€ œ'],
    ['iso-8859-1', [0x43, 0x61, 0x66, 0xe9], 'Café'],
    ['windows-1252', [0x93, 0x71, 0x94, 0x20, 0x80], '“q” €'],
    ['gb2312', [0xd6, 0xd0, 0xce, 0xc4], '中文'],
    ['gbk', [0xd6, 0xd0, 0xce, 0xc4], '中文'],
    ['big5', [0xa4, 0xa4, 0xa4, 0xe5], '中文'],
    ['shift_jis', [0x93, 0xfa, 0x96, 0x7b], '日本'],
    ['euc-jp', [0xc6, 0xfc, 0xcb, 0xdc], '日本'],
    ['euc-kr', [0xc7, 0xd1, 0xb1, 0xb9], '한국'],
  ];

  const feed = (label: string, encoded: number[]) =>
    bytes(`<?xml version="1.0" encoding="${label}"?>\n<rss version="2.0"><channel><title>`, encoded, '</title></channel></rss>');

  it.each(cases)('%s', (label, encoded, text) => {
    expect(parse(feed(label, encoded)).title).toBe(text);
  });

  // Servers that add "charset=utf-8" to every response (a common nginx or framework default) used to turn these
  // into U+FFFD: the bytes are not UTF-8, so the declaration decides.
  it.each(cases)('%s, served with charset=utf-8', (label, encoded, text) => {
    expect(parse(feed(label, encoded), 'application/rss+xml; charset=utf-8').title).toBe(text);
  });
});
