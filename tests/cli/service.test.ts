/**
 * `threadcast run` as an operator runs it: /healthz, /readyz and /metrics answer with values that follow
 * what the process does; SIGHUP reloads the config, and an invalid new config keeps the old one running.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, tempDir, writeFile } from '../support/cli.js';
import { startWebsite, type Website } from '../support/website.js';
import { until } from '../support/wait.js';

let site: Website;
beforeAll(async () => {
  site = await startWebsite([
    { slug: 'one', title: 'Ferry timetable changes', summary: 'The winter timetable starts on Monday.' },
    { slug: 'two', title: 'Harbour walk reopens', summary: 'The path along the harbour is open again.' },
  ]);
});
afterAll(() => site.close());

function configText(dir: string, feed: string, extra = ''): string {
  return `store: sqlite:${path.join(dir, 'state.sqlite')}
log: { level: info, format: json }
server: { port: 0, readyWithinMinutes: 0.1 }
publishEvery: "* * * * * *"
sources:
  - id: site
    feed: ${feed}
    backlog: all
    pollEvery: "* * * * * *"
${extra}channels:
  - id: bsky
    platform: bluesky
  - id: x
    platform: x
`;
}


/** Prometheus text → the value of one sample, e.g. sample(text, 'threadcast_deliveries', { channel: 'x', state: 'published' }). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const wanted = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (wanted) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('threadcast run as a service', { timeout: 90_000 }, () => {
  let child: ChildProcess;
  let stdout = '';
  let stderr = '';
  let base: string;
  let dir: string;
  let config: string;

  beforeAll(async () => {
    dir = tempDir('threadcast-service-');
    config = writeFile(dir, 'threadcast.yaml', configText(dir, site.feedUrl));
    child = startCli(['--config', config, 'run'], { cwd: dir });
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    base = await until('the web page line', async () => stdout.match(/^web page: (\S+)$/m)?.[1]);
  });
  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('answers /healthz, and /readyz once every source polled and every channel finished a round', async () => {
    const health = await (await fetch(new URL('/healthz', base))).json();
    expect(health).toMatchObject({ status: 'ok', leader: true });
    const ready = await until('readiness', async () => {
      const res = await fetch(new URL('/readyz', base));
      return res.status === 200 ? ((await res.json()) as { ready: boolean; checks: Array<{ name: string; ok: boolean }> }) : undefined;
    });
    expect(ready.checks.map((c) => [c.name, c.ok])).toEqual([
      ['store', true],
      ['source site', true],
      ['channel bsky', true],
      ['channel x', true],
    ]);
  });

  it('prints the sign-in URL of the one-time token it made up (no token is set) under the web page line', async () => {
    const signIn = stdout.match(/^sign in \(one-time token for this start\): (\S+)$/m)?.[1];
    expect(signIn, stdout).toBeDefined();
    const token = new URL(signIn!).searchParams.get('token')!;
    expect(signIn).toBe(`${base}?token=${token}`);
    // It is the token the API takes.
    expect((await fetch(new URL('/api/channels', base), { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await fetch(new URL('/api/channels', base), { headers: { authorization: 'Bearer not-the-token-0123456789' } })).status).toBe(401);
  });

  it('exposes metrics that follow what was seen, queued and published', async () => {
    const text = await until('both items published on both channels', async () => {
      const body = await (await fetch(new URL('/metrics', base))).text();
      return sample(body, 'threadcast_deliveries', { channel: 'x', state: 'published' }) === 2 && sample(body, 'threadcast_deliveries', { channel: 'bsky', state: 'published' }) === 2 ? body : undefined;
    });
    expect(sample(text, 'threadcast_items_seen_total', { source: 'site', channel: 'x' })).toBe(2);
    expect(sample(text, 'threadcast_publishes_total', { channel: 'bsky' })).toBe(2);
    expect(sample(text, 'threadcast_queue_depth', { channel: 'x' })).toBe(0);
    expect(sample(text, 'threadcast_publish_lag_seconds_count', { channel: 'x' })).toBe(2);
    expect(sample(text, 'threadcast_polls_total', { source: 'site', result: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'threadcast_spend_usd', { channel: 'x' })).toBe(0);
    expect(sample(text, 'threadcast_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('keeps the running config when the new one is invalid, and reloads a valid one on SIGHUP', async () => {
    writeFileSync(config, `${configText(dir, site.feedUrl)}bogus: true\n`);
    child.kill('SIGHUP');
    await until('the refusal in the log', async () => (stderr.includes('config reload refused') ? true : undefined));
    const refusal = stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; err?: string })
      .find((l) => l.msg.startsWith('config reload refused'))!;
    expect(refusal.err).toMatch(/threadcast\.yaml:15 +bogus: unknown key "bogus"/);
    expect((await fetch(new URL('/healthz', base))).status).toBe(200);

    // A second source whose feed cannot be had: after the reload it is polled and /readyz names it.
    writeFileSync(config, configText(dir, site.feedUrl, `  - id: broken\n    feed: http://127.0.0.1:9/feed.xml\n    pollEvery: "* * * * * *"\n    timeoutMs: 500\n`));
    child.kill('SIGHUP');
    await until('the reload in the log', async () => (stderr.includes('"msg":"config reloaded"') ? true : undefined));
    const notReady = await until('readiness to fail on the broken source', async () => {
      const res = await fetch(new URL('/readyz', base));
      return res.status === 503 ? ((await res.json()) as { checks: Array<{ name: string; ok: boolean; detail: string }> }) : undefined;
    });
    const broken = notReady.checks.find((c) => c.name === 'source broken')!;
    expect(broken.ok).toBe(false);
    expect(broken.detail).toMatch(/not polled successfully yet; last error/);
    expect(notReady.checks.find((c) => c.name === 'source site')!.ok).toBe(true);
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('"msg":"stopped"');
  });
});
