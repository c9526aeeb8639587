import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, oauth1Client, responseError, type Harness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h.emu.stop();
});

function newUser() {
  const creds = h.emu.addOAuth1User();
  return { creds, client: oauth1Client(h.emu, creds) };
}

describe('POST /2/tweets', () => {
  it('stores a post and a reply chain; conversation id is the root id; ids increase', async () => {
    const { creds, client } = newUser();
    const root = await client.v2.tweet('Part 1 of a thread');
    expect(root.data).toMatchObject({ text: 'Part 1 of a thread' });
    expect(root.data.id).toMatch(/^[0-9]{1,19}$/);
    const second = await client.v2.reply('Part 2', root.data.id);
    const third = await client.v2.tweet({ text: 'Part 3', reply: { in_reply_to_tweet_id: second.data.id } });
    expect(BigInt(second.data.id) > BigInt(root.data.id)).toBe(true);
    expect(BigInt(third.data.id) > BigInt(second.data.id)).toBe(true);

    const stored = h.emu.posts(creds.userId);
    expect(stored.map((p) => p.text)).toEqual(['Part 1 of a thread', 'Part 2', 'Part 3']);
    expect(stored.map((p) => p.conversationId)).toEqual([root.data.id, root.data.id, root.data.id]);
    expect(stored[1]?.inReplyTo).toBe(root.data.id);
    expect(stored[2]?.inReplyTo).toBe(second.data.id);
    expect(stored[0]?.inReplyTo).toBeUndefined();
  });

  it('refuses duplicate text of the same user with X\'s exact 403 problem', async () => {
    const { creds, client } = newUser();
    await client.v2.tweet('Same words twice');
    const err = await responseError(client.v2.tweet('Same words twice'));
    expect(err.code).toBe(403);
    expect(err.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(err.data).toEqual({
      detail: 'You are not allowed to create a Tweet with duplicate content.',
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
    });
    expect(h.emu.posts(creds.userId)).toHaveLength(1);
    // Another user may say the same thing.
    await newUser().client.v2.tweet('Same words twice');
  });

  it('refuses a reply to a post that does not exist (403, deleted or not visible) and stores nothing', async () => {
    const { creds, client } = newUser();
    const err = await responseError(client.v2.reply('orphan', '1234567890123456789'));
    expect(err.code).toBe(403);
    expect(err.data).toMatchObject({
      title: 'Forbidden',
      detail: 'You attempted to reply to a Tweet that is deleted or not visible to you.',
    });
    expect(h.emu.posts(creds.userId)).toEqual([]);
  });

  describe('weighted length (twitter-text)', () => {
    it('accepts 280 weighted characters and refuses 281 with 400 invalid-request', async () => {
      const { client } = newUser();
      await client.v2.tweet('a'.repeat(280));
      const err = await responseError(client.v2.tweet('b'.repeat(281)));
      expect(err.code).toBe(400);
      expect(err.data).toMatchObject({ title: 'Invalid Request', type: 'https://api.x.com/2/problems/invalid-request' });
      expect(JSON.stringify(err.data)).toMatch(/too long/);
    });

    it('counts CJK as 2: 140 CJK characters pass, 141 are refused', async () => {
      const { client } = newUser();
      await client.v2.tweet('漢'.repeat(140));
      const err = await responseError(client.v2.tweet('字'.repeat(141)));
      expect(err.code).toBe(400);
    });

    it('counts a long URL as 23, so 257 characters plus a 200-character URL are accepted', async () => {
      const { client } = newUser();
      const url = 'https://example.com/' + 'p'.repeat(180);
      expect(url.length).toBe(200);
      const text = 'x'.repeat(256) + ' ' + url; // 256 + 1 + 23 = 280 weighted
      const res = await client.v2.tweet(text);
      expect(res.data.text).toBe(text);
      await responseError(client.v2.tweet('y'.repeat(257) + ' ' + url)); // 281
    });
  });

  describe('OpenAPI requestBody validation (CreatePostsRequest)', () => {
    it('refuses an unknown field with 400', async () => {
      const { creds, client } = newUser();
      const err = await responseError(client.v2.post('tweets', { text: 'hello', colour: 'blue' }));
      expect(err.code).toBe(400);
      expect(JSON.stringify(err.data)).toMatch(/colour/);
      expect(h.emu.posts(creds.userId)).toEqual([]);
    });

    it('refuses a wrong type (reply.in_reply_to_tweet_id as a number) with 400', async () => {
      const { client } = newUser();
      const root = await client.v2.tweet('root for a typed reply');
      const err = await responseError(client.v2.post('tweets', { text: 'typed', reply: { in_reply_to_tweet_id: Number(root.data.id.slice(0, 10)) } }));
      expect(err.code).toBe(400);
      expect(err.data).toMatchObject({ title: 'Invalid Request' });
      expect(JSON.stringify(err.data)).toMatch(/in_reply_to_tweet_id/);
    });

    it('refuses more than 4 media ids and media combined with a quote', async () => {
      const { client } = newUser();
      const five = await responseError(client.v2.tweet({ text: 'x', media: { media_ids: ['1', '2', '3', '4', '5'] as never } }));
      expect(five.code).toBe(400);
      const q = await client.v2.tweet('to be quoted');
      const mix = await responseError(client.v2.tweet({ text: 'y', quote_tweet_id: q.data.id, media: { media_ids: ['1'] } }));
      expect(mix.code).toBe(400);
    });

    it('refuses a body that is not JSON', async () => {
      const { client } = newUser();
      const err = await responseError(client.v2.post('tweets', { text: 'form body' }, { forceBodyMode: 'url' }));
      expect(err.code).toBe(400);
    });
  });
});

describe('users', () => {
  it('GET /2/users/me answers id, name, username', async () => {
    const creds = h.emu.addOAuth1User({ username: 'threadcast_bot' });
    const client = oauth1Client(h.emu, creds);
    const me = await client.v2.me();
    expect(me.data).toEqual({ id: creds.userId, name: 'threadcast_bot', username: 'threadcast_bot' });
  });

  it("GET /2/users/{id}/tweets lists the user's posts newest first with referenced_tweets, paginated", async () => {
    const { creds, client } = newUser();
    const root = await client.v2.tweet('t1');
    let parent = root.data.id;
    const ids = [root.data.id];
    for (let i = 2; i <= 7; i++) {
      const r = await client.v2.reply(`t${i}`, parent);
      parent = r.data.id;
      ids.push(r.data.id);
    }
    const page1 = await client.v2.get('users/:id/tweets', {
      max_results: 5,
      'tweet.fields': 'conversation_id,referenced_tweets,created_at,in_reply_to_user_id',
    }, { params: { id: creds.userId } });
    expect(page1.meta).toMatchObject({ result_count: 5, newest_id: ids[6], oldest_id: ids[2] });
    expect(page1.meta.next_token).toBeTypeOf('string');
    const newest = page1.data[0];
    expect(newest).toMatchObject({
      id: ids[6],
      text: 't7',
      conversation_id: root.data.id,
      in_reply_to_user_id: creds.userId,
      referenced_tweets: [{ type: 'replied_to', id: ids[5] }],
    });
    expect(new Date(newest.created_at).toISOString()).toBe(newest.created_at);

    const page2 = await client.v2.get('users/:id/tweets', {
      max_results: 5,
      pagination_token: page1.meta.next_token,
      'tweet.fields': 'referenced_tweets',
    }, { params: { id: creds.userId } });
    expect(page2.data.map((t: { id: string }) => t.id)).toEqual([ids[1], ids[0]]);
    expect(page2.data[1].referenced_tweets).toBeUndefined();
    expect(page2.meta.next_token).toBeUndefined();

    // twitter-api-v2's own paginator works too.
    const timeline = await client.v2.userTimeline(creds.userId, { max_results: 5, 'tweet.fields': ['referenced_tweets'] });
    await timeline.fetchLast(10);
    expect(timeline.tweets.map((t) => t.id)).toEqual([...ids].reverse());
  });

  it('refuses max_results outside 5..100 and unknown tweet.fields', async () => {
    const { creds, client } = newUser();
    const small = await responseError(client.v2.get('users/:id/tweets', { max_results: 4 }, { params: { id: creds.userId } }));
    expect(small.code).toBe(400);
    const unknown = await responseError(client.v2.get('users/:id/tweets', { 'tweet.fields': 'colour' }, { params: { id: creds.userId } }));
    expect(unknown.code).toBe(400);
  });
});

describe('routing', () => {
  it('answers 404 in X\'s shape for unknown routes', async () => {
    const { client } = newUser();
    const err = await responseError(client.v2.get('tweets/search/recent', { query: 'x' }));
    expect(err.code).toBe(404);
    expect(err.data).toEqual({ title: 'Not Found', type: 'about:blank', status: 404, detail: 'Not Found' });
  });
});
