import { afterEach, describe, expect, it } from 'vitest';
import { harness, oauth2Client, responseError, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.emu.stop();
  h = undefined;
});

const tweetRequests = (hh: Harness) => hh.emu.requests().filter((r) => r.method === 'POST' && r.path === '/2/tweets');

describe('per-user rate window on POST /2/tweets', () => {
  it('answers 429 with X headers after `limit` posts, and flags only requests sent after the client saw remaining 0', async () => {
    h = await harness({ postWindow: { limit: 3, windowMs: 15 * 60_000 }, userDayLimit: { limit: 50 } });
    const creds = h.emu.addOAuth2User();
    const { client } = await oauth2Client(h.emu, creds);

    const remaining: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const res = await client.v2.post('tweets', { text: `post ${i}` }, { fullResponse: true });
      expect(res.headers['x-rate-limit-limit']).toBe('3');
      expect(res.headers['x-user-limit-24hour-limit']).toBe('50');
      expect(res.headers['x-user-limit-24hour-remaining']).toBe(String(50 - i));
      expect(Number(res.headers['x-rate-limit-reset'])).toBeGreaterThan(Date.now() / 1000);
      expect(Number(res.headers['x-user-limit-24hour-reset'])).toBeGreaterThan(Date.now() / 1000 + 23 * 3600);
      remaining.push(String(res.headers['x-rate-limit-remaining']));
    }
    expect(remaining).toEqual(['2', '1', '0']);
    expect(tweetRequests(h).map((r) => r.whileWindowKnownSpent)).toEqual([false, false, false]);

    const err = await responseError(client.v2.tweet('post 4'));
    expect(err.code).toBe(429);
    expect(err.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(err.data).toEqual({ title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 });
    expect(err.headers['x-rate-limit-remaining']).toBe('0');
    expect(err.headers['x-rate-limit-limit']).toBe('3');
    expect(err.rateLimit?.remaining).toBe(0);
    const reset = Number(err.headers['x-rate-limit-reset']);
    expect(err.rateLimit?.reset).toBe(reset);
    expect(h.emu.posts(creds.userId)).toHaveLength(3);
    // The 4th request came after remaining 0 had been announced: flagged.
    expect(tweetRequests(h).map((r) => r.whileWindowKnownSpent)).toEqual([false, false, false, true]);

    // Other routes are not affected by the tweets window.
    await client.v2.me();
    expect(h.emu.requests().at(-1)?.whileWindowKnownSpent).toBe(false);

    // Once the announced reset has passed, posting is allowed again and not flagged.
    h.clock.offsetMs = reset * 1000 - Date.now();
    const after = await client.v2.post('tweets', { text: 'post 5' }, { fullResponse: true });
    expect(after.headers['x-rate-limit-remaining']).toBe('2');
    expect(tweetRequests(h).at(-1)).toMatchObject({ status: 201, whileWindowKnownSpent: false });
  });

  it('tracks what the user was told across all of that user\'s clients (the window is per user)', async () => {
    h = await harness({ postWindow: { limit: 2, windowMs: 60_000 } });
    const creds = h.emu.addOAuth2User();
    const { client } = await oauth2Client(h.emu, creds);
    await client.v2.tweet('a');
    // Another client of the same user spends the last slot; our client never saw remaining 0 ...
    const other = await oauth2Client(h.emu, { ...creds, refreshToken: h.emu.oauth2State(creds.userId).validRefreshTokens[0]! });
    await other.client.v2.tweet('b');
    // ... but the emulator tracks what *the user* was told, as X's window is per user: the next request is flagged.
    await responseError(client.v2.tweet('c'));
    expect(tweetRequests(h).map((r) => [r.status, r.whileWindowKnownSpent])).toEqual([
      [201, false],
      [201, false],
      [429, true],
    ]);
  });

  it('enforces the per-user 24 h limit (x-user-limit-24hour-*) independently of the 15-minute window', async () => {
    h = await harness({ postWindow: { limit: 100, windowMs: 15 * 60_000 }, userDayLimit: { limit: 2 } });
    const creds = h.emu.addOAuth2User();
    const { client } = await oauth2Client(h.emu, creds);
    await client.v2.tweet('one');
    const second = await client.v2.post('tweets', { text: 'two' }, { fullResponse: true });
    expect(second.headers['x-user-limit-24hour-remaining']).toBe('0');
    expect(second.headers['x-rate-limit-remaining']).toBe('98');
    const err = await responseError(client.v2.tweet('three'));
    expect(err.code).toBe(429);
    expect(err.headers['x-user-limit-24hour-remaining']).toBe('0');
    expect(tweetRequests(h).at(-1)?.whileWindowKnownSpent).toBe(true);
    // A later 15-minute window does not help; the day window does.
    h.clock.offsetMs = 16 * 60_000;
    expect((await responseError(client.v2.tweet('four'))).code).toBe(429);
    const dayReset = Number(err.headers['x-user-limit-24hour-reset']);
    h.clock.offsetMs = dayReset * 1000 - Date.now();
    // The OAuth 2 access token (2 h) has expired by now: refresh with the current refresh token.
    const fresh = await oauth2Client(h.emu, { ...creds, refreshToken: h.emu.oauth2State(creds.userId).validRefreshTokens[0]! });
    await fresh.client.v2.tweet('five');
  });
});
