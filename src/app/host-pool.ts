/**
 * Runs at most `concurrency` jobs at a time, and at most `perHost` of them against one host. Waiting jobs start in
 * the order they came, except that a job whose host is full lets later jobs for other hosts go first, so one big
 * site never holds up the rest. A job for no host (a local file) counts against the global limit only.
 */
export class HostPool {
  private running = 0;
  private readonly runningPerHost = new Map<string, number>();
  private readonly waiting: Array<{ host: string | undefined; start: () => void }> = [];

  constructor(
    readonly concurrency: number,
    readonly perHost: number,
  ) {}

  run<T>(host: string | undefined, job: () => Promise<T>): Promise<T> {
    return this.acquire(host).then(async (release) => {
      try {
        return await job();
      } finally {
        release();
      }
    });
  }

  /** A slot, once one is free: for work that ends somewhere else than where it began. Call the release once. */
  acquire(host: string | undefined): Promise<() => void> {
    return new Promise((resolve) => {
      this.waiting.push({ host, start: () => resolve(once(() => this.finish(host))) });
      this.startWhatFits();
    });
  }

  private startWhatFits(): void {
    for (let i = 0; i < this.waiting.length && this.running < this.concurrency; ) {
      const next = this.waiting[i]!;
      if (next.host !== undefined && (this.runningPerHost.get(next.host) ?? 0) >= this.perHost) {
        i += 1;
        continue;
      }
      this.waiting.splice(i, 1);
      this.running += 1;
      if (next.host !== undefined) this.runningPerHost.set(next.host, (this.runningPerHost.get(next.host) ?? 0) + 1);
      next.start();
    }
  }

  private finish(host: string | undefined): void {
    this.running -= 1;
    if (host !== undefined) {
      const left = (this.runningPerHost.get(host) ?? 1) - 1;
      if (left === 0) this.runningPerHost.delete(host);
      else this.runningPerHost.set(host, left);
    }
    this.startWhatFits();
  }
}

function once(f: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    f();
  };
}

/** The host a feed is fetched from, port included (`example.org:8080`); undefined for a local file. */
export function feedHost(feed: string): string | undefined {
  if (!/^https?:\/\//i.test(feed)) return undefined;
  try {
    return new URL(feed).host;
  } catch {
    return undefined;
  }
}
