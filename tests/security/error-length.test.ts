import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeError } from '../../src/core/errors.js';
import { HealthMarks } from '../../src/server/health.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { feedRefusal } from '../support/feed-refusal.js';

/**
 * A feed decides what its parser complains about: a message that quotes the document must not carry megabytes of
 * it into the log (on every poll), the store's health marks, /readyz and alerts.
 */
const refusal = (body: string) => feedRefusal(body, 'https://example.org/feed.xml', 'long');

describe('an error message made from a feed', () => {
  it("keeps the XML parser's complaint short when it quotes half a megabyte of the document", () => {
    const head = '<rss version="2.0"><channel><title>x</title><item><title>t</title><link>https://e.org/1</link><description>';
    const err = refusal(`${head}${'<a'.repeat(250_000)}</description></item></channel></rss>`);
    expect(err.message).toMatch(/^feed https:\/\/example\.org\/feed\.xml line 1, column \d+: malformed XML: /);
    expect(err.message.length).toBeLessThan(400);
  });

  it('keeps a root element name of 100,000 letters short', () => {
    const name = 'r'.repeat(100_000);
    const err = refusal(`<?xml version="1.0"?><${name}><x>1</x></${name}>`);
    expect(err.message).toContain('well-formed XML (root element <rrrr');
    expect(err.message.length).toBeLessThan(400);
  });

  it('is kept in a health mark at 1,000 characters at most, whatever its source', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'threadcast-error-length-'));
    const store = new SqliteStore(path.join(dir, 'state.sqlite'));
    try {
      const marks = new HealthMarks(store);
      await marks.record('source', 'long', { ok: false, error: describeError(new Error(`refused: ${'x'.repeat(1_000_000)}`)) });
      const kept = (await marks.get('source', 'long')).lastError!;
      expect(kept.length).toBe(1_000);
      expect(kept.startsWith('refused: xxx')).toBe(true);
      expect(kept.endsWith('…')).toBe(true);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
