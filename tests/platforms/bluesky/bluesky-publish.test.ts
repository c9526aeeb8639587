/**
 * Issue 3's acceptance, end to end: the real CLI publishes a local site's feed to a real PDS, and the
 * records are read back from the PDS to check threads, facets, cards, images and exactly-once.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pdsClient, type PdsRecord, type TestAccount } from '../../support/pds/client.js';
import { runCli, startCli, tempDir, writeFile } from '../../support/cli.js';
import { startWebsite, type Article, type Website } from '../../support/website.js';
import { blueskyEnv } from '../../support/credentials-env.js';

const POST = 'app.bsky.feed.post';
const pds = pdsClient(inject('pdsUrl'));

interface Facet {
  index: { byteStart: number; byteEnd: number };
  features: Array<{ $type: string; uri?: string; tag?: string }>;
}
interface PostValue {
  text: string;
  createdAt: string;
  langs?: string[];
  facets?: Facet[];
  reply?: { root: { uri: string; cid: string }; parent: { uri: string; cid: string } };
  embed?: {
    $type: string;
    external?: { uri: string; title: string; description: string; thumb?: { ref: { $link: string }; mimeType: string; size: number } };
    images?: Array<{ alt: string; image: { ref: { $link: string }; mimeType: string; size: number }; aspectRatio?: { width: number; height: number } }>;
  };
}

const sentence = (n: number) => `Sentence ${n} of the article explains one more detail about the neighbourhood plan.`;
const longText = Array.from({ length: 9 }, (_, i) => sentence(i + 1)).join(' ');

function article(slug: string, extra: Partial<Article> = {}): Article {
  return { slug, title: `Article ${slug}`, summary: `A short note about ${slug}.`, ...extra };
}

interface Setup {
  dir: string;
  config: string;
  env: NodeJS.ProcessEnv;
}

function setupFor(account: TestAccount, site: Website, channelExtra = ''): Setup {
  const dir = tempDir('threadcast-bsky-');
  const config = writeFile(
    dir,
    'threadcast.yaml',
    `store: sqlite:${path.join(dir, 'state.sqlite')}
log: { level: info, format: json }
server: { port: 0 }
web:
  allowPrivateHosts: ['127.0.0.1']
retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000 }
sources:
  - id: site
    feed: ${site.feedUrl}
    backlog: all
channels:
  - id: bsky
    platform: bluesky
    service: ${pds.url}
    identifier: \${BLUESKY_IDENTIFIER}
    password: \${BLUESKY_APP_PASSWORD}
${channelExtra}`,
  );
  return { dir, config, env: blueskyEnv(account) };
}

const once = (s: Setup) => runCli(['--config', s.config, 'once'], { cwd: s.dir, env: s.env, timeoutMs: 120_000 });

async function posts(did: string): Promise<Array<PdsRecord<PostValue>>> {
  return pds.listRecords<PostValue>(did, POST);
}

const roots = (records: Array<PdsRecord<PostValue>>) => records.filter((r) => !r.value.reply);

let site: Website;
beforeAll(async () => {
  site = await startWebsite([]);
});
afterAll(() => site.close());

describe('publishing to a real PDS', () => {
  let alice: TestAccount;
  let setup: Setup;
  let first: Awaited<ReturnType<typeof once>>;

  beforeAll(async () => {
    alice = await pds.createAccount('alice');
    site.setArticles([
      // The hashtag is in the lede: a thread shortened to maxParts keeps its first sentences.
      article('plan', { title: 'Neighbourhood plan published', summary: `The #Planning office published it today. ${longText}`, tags: ['Planning'] }),
      article('mural', { title: 'New mural on Dock Street', summary: 'Painters finished the mural this week.', imageAlt: 'A green mural on a brick wall' }),
      article('market', { title: 'Winter market dates', summary: 'The winter market opens on Saturdays in December.', ogImage: true }),
    ]);
    setup = setupFor(alice, site);
    first = await once(setup);
  });

  it('publishes every queued item as one thread each', async () => {
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('channel bsky: 3 published');
    const records = await posts(alice.did);
    expect(roots(records).map((r) => r.value.text.split('\n')[0]).sort()).toEqual(['Neighbourhood plan published', 'New mural on Dock Street', 'Winter market dates']);
    expect(records.length).toBeGreaterThan(3); // the plan article needs several parts
  });

  it('chains replies with valid refs: every root and parent uri+cid is a stored record', async () => {
    const records = await posts(alice.did);
    const byUri = new Map(records.map((r) => [r.uri, r]));
    const replies = records.filter((r) => r.value.reply);
    expect(replies.length).toBeGreaterThan(0);
    for (const r of replies) {
      const { root, parent } = r.value.reply!;
      expect(byUri.get(root.uri)?.cid, `root of ${r.uri}`).toBe(root.cid);
      expect(byUri.get(parent.uri)?.cid, `parent of ${r.uri}`).toBe(parent.cid);
      expect(byUri.get(root.uri)!.value.reply).toBeUndefined();
      expect(Object.keys(root).sort()).toEqual(['cid', 'uri']);
      expect(Date.parse(byUri.get(parent.uri)!.value.createdAt)).toBeLessThan(Date.parse(r.value.createdAt));
    }
  });

  it('has facets whose byte ranges cover exactly the link or tag text', async () => {
    const records = await posts(alice.did);
    let links = 0;
    let tags = 0;
    for (const r of records) {
      const bytes = Buffer.from(r.value.text);
      for (const facet of r.value.facets ?? []) {
        const covered = bytes.subarray(facet.index.byteStart, facet.index.byteEnd).toString();
        const feature = facet.features[0]!;
        if (feature.$type === 'app.bsky.richtext.facet#tag') {
          tags += 1;
          expect(covered).toBe(`#${feature.tag}`);
        } else {
          links += 1;
          expect(feature.$type).toBe('app.bsky.richtext.facet#link');
          const shown = covered.replace(/…$/, '');
          expect(covered === feature.uri || feature.uri!.replace(/^https?:\/\//, '').startsWith(shown), covered).toBe(true);
        }
      }
    }
    expect(links).toBeGreaterThanOrEqual(3);
    expect(tags).toBeGreaterThanOrEqual(1);
  });

  it('attaches a link card with the page title and a thumb under 1,000,000 bytes', async () => {
    const root = roots(await posts(alice.did)).find((r) => r.value.text.startsWith('Winter market dates'))!;
    const external = root.value.embed?.external;
    expect(root.value.embed?.$type).toBe('app.bsky.embed.external');
    expect(external).toMatchObject({ uri: `${site.url}/articles/market/`, title: 'Winter market dates' });
    expect(external!.thumb!.size).toBeLessThan(1_000_000);
    const blob = await pds.getBlob(alice.did, external!.thumb!.ref.$link);
    expect(blob!.bytes.length).toBe(external!.thumb!.size);
    const noImage = roots(await posts(alice.did)).find((r) => r.value.text.startsWith('Neighbourhood plan'))!;
    expect(noImage.value.embed?.external?.title).toBe('Neighbourhood plan published');
    expect(noImage.value.embed?.external?.thumb).toBeUndefined();
  });

  it("attaches the item's image with its alt text and aspect ratio instead of a card", async () => {
    const root = roots(await posts(alice.did)).find((r) => r.value.text.startsWith('New mural'))!;
    expect(root.value.embed?.$type).toBe('app.bsky.embed.images');
    const [image] = root.value.embed!.images!;
    expect(image!.alt).toBe('A green mural on a brick wall');
    expect(image!.aspectRatio).toEqual({ width: 1600, height: 900 });
    expect(image!.image.size).toBeLessThan(2_000_000);
    expect((await pds.getBlob(alice.did, image!.image.ref.$link))!.bytes.length).toBe(image!.image.size);
  });

  it('publishes nothing new on a second run (a restart) and resumes the session instead of logging in', async () => {
    const before = (await posts(alice.did)).length;
    const second = await once(setup);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('channel bsky: 0 published');
    expect((await posts(alice.did)).length).toBe(before);
    expect(await pds.count('com.atproto.server.createSession', { did: alice.did })).toBe(1);
  });
});

describe('a channel with UTM tags', () => {
  it('links the text and the card to the tagged URL, and fetches the page for the card untagged', async () => {
    const ivy = await pds.createAccount('ivy');
    site.setArticles([article('regatta', { title: 'Harbour regatta on Sunday', summary: 'Boats race from the north quay at ten.', ogImage: true })]);
    const setup = setupFor(ivy, site, '    utm: { source: "{channel}", medium: social, campaign: "{source}" }\n');
    const result = await once(setup);
    expect(result.code, result.stderr).toBe(0);

    const page = `${site.url}/articles/regatta/`;
    const tagged = `${page}?utm_source=bsky&utm_medium=social&utm_campaign=site`;
    const [root] = roots(await posts(ivy.did));
    expect(root!.value.embed?.external).toMatchObject({ uri: tagged, title: 'Harbour regatta on Sunday' });
    expect(root!.value.facets?.flatMap((f) => f.features.map((feat) => feat.uri))).toEqual([tagged]);
    expect(site.requests).toContain('/articles/regatta/');
    expect(site.requests.filter((r) => r.includes('utm_'))).toEqual([]);
  });
});

describe('exactly once and sessions', () => {
  it('a process killed after the write and before the state update leaves no duplicate after restart', async () => {
    const bob = await pds.createAccount('bob');
    site.setArticles([article('kill', { summary: `${longText}` })]);
    const setup = setupFor(bob, site, '    cards: false\n');
    // The PDS commits the thread, but its answer is held: the client never learns it landed.
    await pds.fault({ method: 'com.atproto.repo.applyWrites', mode: 'hold', did: bob.did, delayMs: 60_000 });
    const child = startCli(['--config', setup.config, 'once'], { cwd: setup.dir, env: setup.env });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const deadline = Date.now() + 60_000;
    while ((await posts(bob.did)).length === 0) {
      if (Date.now() > deadline) throw new Error('the thread never reached the PDS');
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    await exited;
    await pds.clearFaults({ did: bob.did });
    await pds.release();
    const landed = (await posts(bob.did)).length;
    expect(landed).toBeGreaterThan(1);

    const restart = await once(setup);
    expect(restart.code, restart.stderr).toBe(0);
    const after = await posts(bob.did);
    expect(after.length).toBe(landed);
    expect(roots(after)).toHaveLength(1);
    // Only the killed attempt ever wrote: the restart read the stored record keys back instead.
    expect(await pds.requests('com.atproto.repo.applyWrites', { did: bob.did })).toHaveLength(1);
    const status = await runCli(['--config', setup.config, 'status', '--json'], { cwd: setup.dir, env: setup.env });
    expect(JSON.parse(status.stdout).channels[0].counts.published).toBe(1);
  });

  it('SIGTERM during a publish lets that thread finish, starts nothing new, and exits within 10 seconds', async () => {
    const hal = await pds.createAccount('hal');
    site.setArticles([article('t1'), article('t2'), article('t3')]);
    const setup = setupFor(hal, site, '    cards: false\n');
    // The PDS commits the first thread but answers only 3 seconds later: the publish is in flight.
    await pds.fault({ method: 'com.atproto.repo.applyWrites', mode: 'hold', did: hal.did, delayMs: 3000 });
    const child = startCli(['--config', setup.config, 'run'], { cwd: setup.dir, env: setup.env });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    while ((await posts(hal.did)).length === 0) await new Promise((r) => setTimeout(r, 50));
    const stoppedAt = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    const status = JSON.parse((await runCli(['--config', setup.config, 'status', '--json'], { cwd: setup.dir, env: setup.env })).stdout);
    expect(status.channels[0].counts).toMatchObject({ published: 1, queued: 2, publishing: 0 });
    expect(roots(await posts(hal.did))).toHaveLength(1);
  });

  it('fifty publishes, in one process and across a restart, log in once', async () => {
    const carol = await pds.createAccount('carol');
    const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => article(`n${from + i}`, { title: `Notice ${from + i}` }));
    site.setArticles(batch(0, 40));
    const setup = setupFor(carol, site, '    cards: false\n');
    const first = await once(setup);
    expect(first.stdout).toContain('channel bsky: 40 published');
    site.setArticles([...batch(40, 10), ...batch(0, 40)]);
    const second = await once(setup);
    expect(second.stdout).toContain('channel bsky: 10 published');
    expect(roots(await posts(carol.did))).toHaveLength(50);
    expect(await pds.count('com.atproto.server.createSession', { did: carol.did })).toBe(1);
  });

  it('recovers from a 500 after a committed write without posting twice', async () => {
    const dan = await pds.createAccount('dan');
    site.setArticles([article('after500', { summary: longText })]);
    const setup = setupFor(dan, site, '    cards: false\n');
    await pds.fault({ method: 'com.atproto.repo.applyWrites', mode: 'after', status: 500, did: dan.did });
    const result = await once(setup);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('channel bsky: 1 published');
    expect(roots(await posts(dan.did))).toHaveLength(1);
  });

  it('waits for ratelimit-reset on a 429, then publishes', async () => {
    const erin = await pds.createAccount('erin');
    site.setArticles([article('limited')]);
    const setup = setupFor(erin, site, '    cards: false\n');
    const reset = Math.floor(Date.now() / 1000) + 3600;
    await pds.fault({ method: 'com.atproto.repo.applyWrites', mode: 'before', status: 429, did: erin.did, headers: { 'ratelimit-reset': String(reset) }, body: { error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' } });
    const result = await once(setup);
    expect(result.stdout).toContain('channel bsky: 0 published, 1 waiting');
    const status = JSON.parse((await runCli(['--config', setup.config, 'status', '--json'], { cwd: setup.dir, env: setup.env })).stdout);
    expect(status.channels[0].attention[0]).toMatchObject({ state: 'queued', retryAt: new Date(reset * 1000).toISOString() });
    expect(status.channels[0].attention[0].reason).toContain('rate limited');
    // Read from the delivery's structured wait, not parsed out of the reason's words.
    expect(status.channels[0].waiting).toMatchObject({ reason: 'rate', until: new Date(reset * 1000).toISOString() });
    expect(result.stdout).toContain('1 still queued (1 waiting for a rate limit, cap or budget)');
    expect(await posts(erin.did)).toHaveLength(0);
  });

  it('keeps the PDS message on a validation error and does not retry', async () => {
    const fay = await pds.createAccount('fay');
    site.setArticles([article('badlang')]);
    const setup = setupFor(fay, site, "    cards: false\n    langs: ['not a language!']\n");
    const result = await once(setup);
    expect(result.stdout).toContain('1 dead');
    const status = JSON.parse((await runCli(['--config', setup.config, 'status', '--json'], { cwd: setup.dir, env: setup.env })).stdout);
    expect(status.channels[0].attention[0].state).toBe('dead');
    expect(status.channels[0].attention[0].reason).toMatch(/the PDS refused the post \(400: InvalidRequest: .+/);
    // A refused post says nothing about the session: the next run must not log in again.
    site.setArticles([article('badlang'), article('badlang2')]);
    await once(setup);
    expect(await pds.count('com.atproto.server.createSession', { did: fay.did })).toBe(1);
  });

  it('answers a changed item under its published thread when onUpdate is reply', async () => {
    const gil = await pds.createAccount('gil');
    site.setArticles([article('changing', { summary: 'The pool opens at 8:00.' })]);
    const dir = setupFor(gil, site, '    cards: false\n');
    writeFileSync(dir.config, readFileSync(dir.config, 'utf8').replace('    backlog: all\n', '    backlog: all\n    onUpdate: reply\n'));
    expect((await once(dir)).stdout).toContain('channel bsky: 1 published');
    site.setArticles([article('changing', { summary: 'Correction: the pool opens at 9:00.' })]);
    expect((await once(dir)).stdout).toContain('channel bsky: 1 published');
    const records = await posts(gil.did);
    const root = roots(records)[0]!;
    expect(roots(records)).toHaveLength(1);
    const note = records.find((r) => r.value.text.startsWith('Update: Article changing'))!;
    expect(note.value.text).toContain('Correction: the pool opens at 9:00.');
    expect(note.value.reply!.root).toEqual({ uri: root.uri, cid: root.cid });
  });
});
