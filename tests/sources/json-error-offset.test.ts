import { describe, expect, it } from 'vitest';
import { jsonErrorOffset } from '../../src/sources/json-error-offset.js';
import { prng } from '../support/prng.js';

/** V8's own offset, from its message: here, in a test, only to check ours against it. */
function v8Offset(text: string): number | undefined | 'valid' {
  try {
    JSON.parse(text);
    return 'valid';
  } catch (err) {
    const m = /at position (\d+)/.exec((err as Error).message);
    return m ? Number(m[1]) : undefined;
  }
}

describe('jsonErrorOffset', () => {
  it('finds nothing wrong in valid JSON, however nested', () => {
    for (const text of ['{}', ' [ ] ', '{"a": [1, -2.5e+3, "x\\u00e9\\n", true, false, null, {"b": {}}]}', '"\\/"', '0', `${'['.repeat(100_000)}${']'.repeat(100_000)}`]) {
      expect(jsonErrorOffset(text), text.slice(0, 40)).toBeUndefined();
    }
  });

  it('points at the first character that cannot continue the text', () => {
    expect(jsonErrorOffset('{\n  "items": [],\n}')).toBe(17);
    expect(jsonErrorOffset('{"items": [,]}')).toBe(11);
    expect(jsonErrorOffset('{"a": tru}')).toBe(9);
    expect(jsonErrorOffset('{"a": "b')).toBe(8);
    expect(jsonErrorOffset('[1] 2')).toBe(4);
    expect(jsonErrorOffset('{"a" 1}')).toBe(5);
    expect(jsonErrorOffset('["\\x"]')).toBe(3);
    expect(jsonErrorOffset('["a\tb"]')).toBe(3);
    expect(jsonErrorOffset('[01]')).toBe(2);
    expect(jsonErrorOffset('[-]')).toBe(2);
  });

  it('agrees with JSON.parse wherever it names a position, on random damage to a feed', () => {
    const feed = JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'T "q" \\ é', items: [{ id: '1', content_text: 'a\nb', n: -1.5e3, ok: true, x: null }] }, null, 1);
    const rand = prng(5);
    const junk = ['', ',', '}', ']', '{', '[', '"', ':', 'x', '\\', '\u0001', '1', '-', ' ', 'tru', 'nul'];
    let compared = 0;
    for (let n = 0; n < 3000; n++) {
      const at = Math.floor(rand() * feed.length);
      const cut = Math.floor(rand() * 3);
      const text = feed.slice(0, at) + junk[Math.floor(rand() * junk.length)] + feed.slice(at + cut);
      const expected = v8Offset(text);
      if (expected === 'valid') expect(jsonErrorOffset(text), text).toBeUndefined();
      else if (expected !== undefined) {
        expect(jsonErrorOffset(text), text).toBe(expected);
        compared++;
      } else expect(jsonErrorOffset(text), text).toBeDefined();
    }
    expect(compared).toBeGreaterThan(500);
  });
});
