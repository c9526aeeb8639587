import { jsonToLex } from '@atproto/lex-json';
import { cidForLex } from '@atproto/lex-cbor';
import { describe, expect, it } from 'vitest';
import { buildThreadRecords } from '../../../src/platforms/bluesky/thread-records.js';

const did = 'did:plc:abcdefghijklmnopqrstuvwx';
const parts = [
  { text: 'First part https://example.org', facets: [{ index: { byteStart: 11, byteEnd: 30 }, features: [{ $type: 'app.bsky.richtext.facet#link' as const, uri: 'https://example.org' }] }], graphemes: 30, bytes: 30 },
  { text: 'Second part', facets: [], graphemes: 11, bytes: 11 },
  { text: 'Third part', facets: [], graphemes: 10, bytes: 10 },
];
const intent = { rkeys: ['3lbbbbbbbbbb2', '3lbbbbbbbbbc2', '3lbbbbbbbbbd2'], createdAt: '2026-11-25T10:00:00.000Z' };

describe('buildThreadRecords', () => {
  it('chains every reply to the first record as root and the previous one as parent, by uri and cid only', async () => {
    const records = await buildThreadRecords({ did, parts, intent });
    expect(records.map((r) => r.uri)).toEqual(intent.rkeys.map((k) => `at://${did}/app.bsky.feed.post/${k}`));
    expect(records[0]!.record.reply).toBeUndefined();
    expect(records[1]!.record.reply).toEqual({ root: { uri: records[0]!.uri, cid: records[0]!.cid }, parent: { uri: records[0]!.uri, cid: records[0]!.cid } });
    expect(records[2]!.record.reply).toEqual({ root: { uri: records[0]!.uri, cid: records[0]!.cid }, parent: { uri: records[1]!.uri, cid: records[1]!.cid } });
  });

  it('computes each CID from exactly the JSON that is sent', async () => {
    const records = await buildThreadRecords({ did, parts, intent, langs: ['en'] });
    for (const r of records) expect(r.cid).toBe((await cidForLex(jsonToLex(JSON.parse(JSON.stringify(r.record))))).toString());
  });

  it('is deterministic for the same intent, so a retry rebuilds identical records', async () => {
    const a = await buildThreadRecords({ did, parts, intent });
    const b = await buildThreadRecords({ did, parts, intent });
    expect(b).toEqual(a);
    const other = await buildThreadRecords({ did, parts, intent: { ...intent, createdAt: '2026-11-25T10:00:01.000Z' } });
    expect(other[0]!.cid).not.toBe(a[0]!.cid);
  });

  it('keeps createdAt in thread order and puts embeds and langs where asked', async () => {
    const embed = { $type: 'app.bsky.embed.external' as const, external: { uri: 'https://example.org', title: 'T', description: 'D' } };
    const records = await buildThreadRecords({ did, parts, intent, langs: ['fa'], embeds: new Map([[0, embed]]) });
    expect(records.map((r) => r.record.createdAt)).toEqual(['2026-11-25T10:00:00.000Z', '2026-11-25T10:00:00.001Z', '2026-11-25T10:00:00.002Z']);
    expect(records[0]!.record.embed).toEqual(embed);
    expect(records[1]!.record.embed).toBeUndefined();
    expect(records.every((r) => r.record.langs?.[0] === 'fa')).toBe(true);
  });
});
