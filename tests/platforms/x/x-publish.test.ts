/**
 * Issue 4's acceptance through the real CLI: `threadcast once` against the strict X emulator publishes
 * every queued item as a correctly chained thread, exactly once, with media and alt text, within budget.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startXEmulator, type EmulatedPost, type XEmulator } from '../../support/x-emulator/index.js';
import { runCli, tempDir, writeFile } from '../../support/cli.js';
import { startWebsite, type Article, type Website } from '../../support/website.js';
import { xOAuth1Env } from '../../support/credentials-env.js';

// X refuses the same text twice from one account, so each item's sentences are its own.
const longText = (n: number) => Array.from({ length: 8 }, (_, i) => `Sentence ${i + 1} of item ${n} explains one more detail of the schedule for the coming season.`).join(' ');

let x: XEmulator;
let site: Website;
beforeAll(async () => {
  x = await startXEmulator();
  site = await startWebsite([]);
});
afterAll(async () => {
  await x.stop();
  await site.close();
});

function setup(channelYaml: string, env: NodeJS.ProcessEnv) {
  const dir = tempDir('threadcast-x-');
  const config = writeFile(
    dir,
    'threadcast.yaml',
    `store: sqlite:${path.join(dir, 'state.sqlite')}
log: { level: info, format: json }
web:
  allowPrivateHosts: ['127.0.0.1']
sources:
  - id: site
    feed: ${site.feedUrl}
    backlog: all
channels:
  - id: x
    platform: x
    apiBase: ${x.url}
${channelYaml}`,
  );
  return { dir, config, env, run: (...args: string[]) => runCli(['--config', config, ...args], { cwd: dir, env, timeoutMs: 120_000 }) };
}

/** Groups a user's posts into threads and checks each is a chain: root, then each part replying to the one before. */
function threadsOf(posts: EmulatedPost[]): EmulatedPost[][] {
  const byId = new Map(posts.map((p) => [p.id, p]));
  const threads = new Map<string, EmulatedPost[]>();
  for (const p of posts) {
    if (p.inReplyTo) expect(byId.has(p.inReplyTo), `orphan reply ${p.id}`).toBe(true);
    threads.set(p.conversationId, [...(threads.get(p.conversationId) ?? []), p]);
  }
  for (const thread of threads.values()) {
    thread.forEach((p, i) => expect(p.inReplyTo).toBe(i === 0 ? undefined : thread[i - 1]!.id));
  }
  return [...threads.values()];
}

const articles = (n: number, extra: Partial<Article> = {}): Article[] =>
  Array.from({ length: n }, (_, i) => ({ slug: `s${i}`, title: `Schedule update ${i}`, summary: i % 2 ? longText(i) : `Short note ${i}.`, ...extra }));

describe('X via OAuth 1.0a', () => {
  it('publishes every queued item as a chained thread, with the link once, and nothing on a second run', async () => {
    const user = x.addOAuth1User({ username: 'riverside' });
    site.setArticles([...articles(4), { slug: 'photo', title: 'Photo of the new bridge', summary: 'The bridge opened today.', imageAlt: 'A white footbridge over a river' }]);
    const s = setup(
      `    appKey: \${X_API_KEY}\n    appSecret: \${X_API_SECRET}\n    accessToken: \${X_ACCESS_TOKEN}\n    accessSecret: \${X_ACCESS_SECRET}\n`,
      xOAuth1Env(user),
    );
    const first = await s.run('once');
    expect(first.stdout, first.stderr).toContain('channel x: 5 published');
    expect(first.code).toBe(0);
    const threads = threadsOf(x.posts(user.userId));
    expect(threads).toHaveLength(5);
    expect(threads.some((t) => t.length > 1)).toBe(true);
    for (const thread of threads) {
      // The link (which makes a post cost $0.20) is in the first part only.
      expect(thread[0]!.text).toContain(site.url);
      for (const later of thread.slice(1)) expect(later.text).not.toContain(site.url);
    }
    const photo = threads.find((t) => t[0]!.text.startsWith('Photo of the new bridge'))!;
    expect(photo[0]!.mediaIds).toHaveLength(1);
    expect(x.media().find((m) => m.id === photo[0]!.mediaIds[0])).toMatchObject({ altText: 'A white footbridge over a river', state: 'finalized' });

    const before = x.posts(user.userId).length;
    const second = await s.run('once');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('channel x: 0 published');
    expect(x.posts(user.userId)).toHaveLength(before);
  });

  it('never lets spend cross monthlyBudgetUsd: the rest waits with the reason "budget"', async () => {
    const user = x.addOAuth1User({ username: 'thrifty' });
    site.setArticles(articles(6).map((a) => ({ ...a, summary: 'Short note.' })));
    // Every post priced at $0.20 (the local site's IP links are not URLs to twitter-text); $0.50 pays for two.
    const s = setup(
      `    appKey: \${X_API_KEY}\n    appSecret: \${X_API_SECRET}\n    accessToken: \${X_ACCESS_TOKEN}\n    accessSecret: \${X_ACCESS_SECRET}\n    monthlyBudgetUsd: 0.5\n    prices: { postUsd: 0.2, postWithUrlUsd: 0.2 }\n`,
      xOAuth1Env(user),
    );
    const first = await s.run('once');
    expect(first.stdout).toContain('channel x: 2 published, 4 waiting');
    await s.run('once');
    expect(x.posts(user.userId)).toHaveLength(2);
    const status = JSON.parse((await s.run('status', '--json')).stdout);
    expect(status.channels[0].counts.queued).toBe(4);
    expect(status.channels[0].attention[0].reason).toMatch(/^waiting \(budget\): channel x .*: this needs \$0\.200 but \$0\.400 of the \$0\.50 monthly budget is spent/);
  });
});

describe('X via OAuth 2.0', () => {
  it('rotates the refresh token, keeps the new one, and keeps working after a restart', async () => {
    const user = x.addOAuth2User({ username: 'rotating', confidential: true });
    site.setArticles(articles(2));
    const s = setup(`    auth: oauth2\n    clientId: \${X_OAUTH2_CLIENT_ID}\n    clientSecret: \${X_OAUTH2_CLIENT_SECRET}\n    refreshToken: \${X_OAUTH2_REFRESH_TOKEN}\n`, {
      X_OAUTH2_CLIENT_ID: user.clientId,
      X_OAUTH2_CLIENT_SECRET: user.clientSecret!,
      X_OAUTH2_REFRESH_TOKEN: user.refreshToken,
    });
    const first = await s.run('once');
    expect(first.stdout, first.stderr).toContain('channel x: 2 published');
    // The environment's token is spent now: only the stored, rotated one can work.
    expect(x.oauth2State(user.userId).revokedRefreshTokens).toContain(user.refreshToken);
    site.setArticles([...articles(3)]);
    const second = await s.run('once');
    expect(second.stdout, second.stderr).toContain('channel x: 1 published');
    expect(threadsOf(x.posts(user.userId))).toHaveLength(3);
  });
});
