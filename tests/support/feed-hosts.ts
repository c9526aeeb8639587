import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Small RSS feeds served from several loopback hosts (127.0.0.1, 127.0.0.2, …), one server per host, so a poller's
 * per-host limit can be watched. Each answer waits `delayMs(feed)`; `Infinity` never answers (a hanging feed, until
 * its client gives up). The harness records what a poller cannot fake: requests in flight, per host and overall, and
 * the order in which answers went out.
 */
export interface FeedHosts {
  /** URL of feed `n`; feeds are spread over the hosts in turn (feed n on host n % hosts). */
  url(n: number): string;
  /** Most requests in flight at once, overall and per host (by host name). */
  maxInFlight(): { overall: number; perHost: Map<string, number> };
  /** Feed numbers in the order their answers were sent. */
  answered: number[];
  /** Feed numbers whose request is open right now (a hanging one until its client hangs up). */
  open(): number[];
  close(): Promise<void>;
}

export function feedItems(n: number, count: number): string {
  const items = Array.from({ length: count }, (_, i) => {
    const date = new Date(Date.UTC(2026, 5, 1, 12, 0, 0) - i * 3_600_000).toUTCString();
    return `<item><title>Feed ${n} story ${i}</title><link>https://news.example/${n}/${i}</link><guid>https://news.example/${n}/${i}</guid><pubDate>${date}</pubDate><description>Story ${i} of feed ${n}, told in a sentence.</description></item>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Feed ${n}</title><link>https://news.example/${n}</link><description>Feed ${n}</description>${items.join('')}</channel></rss>`;
}

export async function startFeedHosts(opts: { hosts: number; delayMs: (feed: number) => number; body?: (feed: number) => string }): Promise<FeedHosts> {
  const body = opts.body ?? ((n: number) => feedItems(n, 2));
  const ports: number[] = [];
  const servers: Server[] = [];
  const inFlight = new Map<string, number>();
  const maxPerHost = new Map<string, number>();
  const openFeeds = new Set<number>();
  const answered: number[] = [];
  let overall = 0;
  let maxOverall = 0;

  for (let h = 0; h < opts.hosts; h++) {
    const host = `127.0.0.${h + 1}`;
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const feed = Number(/^\/feeds\/(\d+)\.xml$/.exec(req.url ?? '')?.[1] ?? NaN);
      if (!Number.isInteger(feed)) return void res.writeHead(404).end();
      overall += 1;
      maxOverall = Math.max(maxOverall, overall);
      inFlight.set(host, (inFlight.get(host) ?? 0) + 1);
      maxPerHost.set(host, Math.max(maxPerHost.get(host) ?? 0, inFlight.get(host)!));
      openFeeds.add(feed);
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        overall -= 1;
        inFlight.set(host, inFlight.get(host)! - 1);
        openFeeds.delete(feed);
      };
      res.on('close', finish);
      const delay = opts.delayMs(feed);
      if (delay === Infinity) return;
      setTimeout(() => {
        answered.push(feed);
        finish();
        res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(body(feed));
      }, delay);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, resolve);
    });
    ports.push((server.address() as AddressInfo).port);
    servers.push(server);
  }

  return {
    url: (n) => `http://127.0.0.${(n % opts.hosts) + 1}:${ports[n % opts.hosts]}/feeds/${n}.xml`,
    maxInFlight: () => ({ overall: maxOverall, perHost: new Map(maxPerHost) }),
    answered,
    open: () => [...openFeeds],
    close: async () => {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections();
              s.close(() => resolve());
            }),
        ),
      );
    },
  };
}
