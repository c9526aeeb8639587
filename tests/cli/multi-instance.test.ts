/**
 * Several instances on one real Redis: the leader lease lets one of them poll and publish; killing it hands
 * over to the other within the lease time; 500 deliveries go out with no duplicate and no loss.
 */
import type { ChildProcess } from 'node:child_process';
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, tempDir, writeFile } from '../support/cli.js';
import { REDIS_SERVER, startRedis, type RedisServer } from '../support/redis.js';
import { startWebsite, type Website } from '../support/website.js';
import { until } from '../support/wait.js';
import { startXEmulator, type XEmulator } from '../support/x-emulator/index.js';
import { xOAuth1Env } from '../support/credentials-env.js';

const ITEMS = 500;
const LEASE_SECONDS = 3;

let redis: RedisServer;
let x: XEmulator;
let site: Website;
beforeAll(async () => {
  redis = await startRedis();
  x = await startXEmulator({ postWindow: { limit: 100_000, windowMs: 60_000 } });
  site = await startWebsite(
    Array.from({ length: ITEMS }, (_, i) => ({ slug: `n${i}`, title: `Notice ${i}`, summary: `Short notice number ${i} for the shared-store test.` })),
  );
});
afterAll(async () => {
  await site?.close();
  await x?.stop();
  await redis?.stop();
});

interface Instance {
  name: string;
  child: ChildProcess;
  stderr: () => string;
  base: Promise<string>;
  exited: Promise<number | null>;
}


describe.skipIf(!REDIS_SERVER)('two instances on one Redis', { timeout: 240_000 }, () => {
  it('publish 500 deliveries with no duplicate, and the standby takes over within the lease when the leader is killed', async () => {
    const user = x.addOAuth1User({ username: 'shared' });
    const dir = tempDir('threadcast-redis-');
    const config = writeFile(
      dir,
      'threadcast.yaml',
      `store: ${redis.url}/3
log: { level: info, format: json }
server: { port: 0 }
leaderLeaseSeconds: ${LEASE_SECONDS}
publishEvery: "* * * * * *"
sources:
  - id: site
    feed: ${site.feedUrl}
    backlog: all
    maxBytes: 10000000
channels:
  - id: x
    platform: x
    apiBase: ${x.url}
    readAccess: true
    appKey: \${X_API_KEY}
    appSecret: \${X_API_SECRET}
    accessToken: \${X_ACCESS_TOKEN}
    accessSecret: \${X_ACCESS_SECRET}
    limits: { postsPer15Minutes: 100000, postsPer24Hours: 100000 }
`,
    );
    const env = xOAuth1Env(user);

    const start = (name: string): Instance => {
      const child = startCli(['--config', config, 'run'], { cwd: dir, env });
      let out = '';
      let err = '';
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (err += d));
      return {
        name,
        child,
        stderr: () => err,
        base: until(`${name}'s web page`, async () => out.match(/^web page: (\S+)$/m)?.[1]),
        exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
      };
    };
    const isLeader = async (i: Instance) => ((await (await fetch(new URL('/healthz', await i.base))).json()) as { leader: boolean }).leader;

    const a = start('a');
    await until('a to lead', async () => ((await isLeader(a)) ? true : undefined));
    const b = start('b');
    await b.base;
    expect(await isLeader(b)).toBe(false);

    // Let the leader get part of the way, then kill it without warning.
    await until('a third of the posts', async () => (x.posts(user.userId).length >= ITEMS / 3 ? true : undefined), 120_000);
    a.child.kill('SIGKILL');
    const killedAt = Date.now();
    expect(await a.exited).toBeNull();
    const postsAtKill = x.posts(user.userId).length;
    await until('b to take over', async () => ((await isLeader(b)) ? true : undefined), (LEASE_SECONDS + 5) * 1000, 50);
    const handoverMs = Date.now() - killedAt;
    // The lease, plus one renewal tick (a tenth of it), plus a little for the health request.
    expect(handoverMs).toBeLessThanOrEqual(LEASE_SECONDS * 1100 + 500);
    await until('b to publish', async () => (x.posts(user.userId).length > postsAtKill ? true : undefined), 30_000);

    await until('every delivery published', async () => (x.posts(user.userId).length >= ITEMS ? true : undefined), 150_000, 250);
    const status = JSON.parse((await runCli(['--config', config, 'status', '--json'], { cwd: dir, env })).stdout) as { channels: Array<{ counts: Record<string, number> }> };
    const counts = status.channels[0]!.counts;
    expect(counts.published).toBe(ITEMS);
    expect(['uncertain', 'failed', 'dead', 'queued', 'publishing'].map((state) => [state, counts[state]])).toEqual([['uncertain', 0], ['failed', 0], ['dead', 0], ['queued', 0], ['publishing', 0]]);

    const texts = x.posts(user.userId).map((p) => p.text.split('\n')[0]!);
    expect(texts).toHaveLength(ITEMS);
    expect(new Set(texts).size).toBe(ITEMS);
    expect(b.stderr()).toContain('leader: this instance polls and publishes');

    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);

    // Everything is in Redis, under one prefix, and no credential is among the stored values.
    const admin = createClient({ url: `${redis.url}/3` });
    await admin.connect();
    try {
      const keys = await admin.keys('*');
      expect(keys.length).toBeGreaterThan(ITEMS);
      expect(keys.filter((k) => !k.startsWith('threadcast:'))).toEqual([]);
      const secrets = [user.appSecret, user.accessToken, user.accessSecret];
      for (const key of keys) {
        const type = await admin.type(key);
        const value =
          type === 'string' ? await admin.get(key) : type === 'hash' ? JSON.stringify(await admin.hGetAll(key)) : type === 'zset' ? JSON.stringify(await admin.zRange(key, 0, -1)) : type === 'set' ? JSON.stringify(await admin.sMembers(key)) : '';
        for (const secret of secrets) expect(value ?? '', key).not.toContain(secret);
      }
    } finally {
      await admin.quit();
    }
  });
});
