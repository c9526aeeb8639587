import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertNullable, openApiVersion, validateAgainst } from '../support/x-emulator/openapi.js';
import { harness, oauth1Client, type Harness } from './helpers.js';

describe('OpenAPI document handling', () => {
  it('validates against X\'s own document (v2.167)', () => {
    expect(openApiVersion()).toBe('2.167');
    expect(validateAgainst('CreatePostsRequest', { text: 'hi', reply: { in_reply_to_tweet_id: '123' } })).toEqual([]);
    const problems = validateAgainst('CreatePostsRequest', { text: 'hi', reply: { in_reply_to_tweet_id: 5 } });
    expect(problems[0]?.message).toMatch(/in_reply_to_tweet_id/);
  });

  it('rewrites OpenAPI 3.0 nullable into JSON Schema', () => {
    expect(convertNullable({ type: 'string', nullable: true })).toEqual({ type: ['string', 'null'] });
    expect(convertNullable({ type: 'string', enum: ['a'], nullable: true })).toEqual({ type: ['string', 'null'], enum: ['a', null] });
    expect(convertNullable({ $ref: '#/x', nullable: true })).toEqual({ anyOf: [{ $ref: '#/x' }, { type: 'null' }] });
    expect(convertNullable({ type: 'object', properties: { nullable: { type: 'boolean' } } })).toEqual({
      type: 'object',
      properties: { nullable: { type: 'boolean' } },
    });
  });
});

describe('request body cap', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ maxBodyBytes: 1024 * 1024 });
  });
  afterAll(async () => {
    await h.emu.stop();
  });

  it('answers 413 above the cap and stores nothing', async () => {
    const creds = h.emu.addOAuth1User();
    const res = await fetch(`${h.emu.url}/2/tweets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x'.repeat(1024 * 1024 + 10) }),
    });
    expect(res.status).toBe(413);
    expect(h.emu.posts(creds.userId)).toEqual([]);
    // The server is still fine afterwards.
    await oauth1Client(h.emu, creds).v2.me();
  });
});
