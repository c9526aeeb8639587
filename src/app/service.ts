import type { Writable } from 'node:stream';
import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Config, SourceConfig } from '../config/schema.js';
import { describeError } from '../core/errors.js';
import type { RunningServer } from '../server/server.js';
import { isDeadLocalOwner, newClaimOwner } from '../store/claim-owner.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { App } from './app.js';

const LEADER_LEASE = 'leader';

export interface ServiceOptions {
  config: Config;
  /** The store `config.store` names, opened by the caller (see openStore; opening loads its driver). */
  store: Store;
  /** Loads the config again for a reload; throws (with readable problems) when the new one is invalid. */
  loadConfig: () => Config;
  log: Logger;
  out: Writable;
  env?: NodeJS.ProcessEnv;
}

/** When abandoned uploads are swept: once a day, at a quiet minute. */
const UPLOADS_SWEEP = '17 4 * * *';

/**
 * `threadcast run` as a long-lived service: the HTTP server, each source on its cron, a publish tick, and a
 * leader lease so that of several instances on one store only one polls and publishes at a time (the others
 * serve the page and take over when the leader stops renewing). Polling and publishing run beside each other: feeds
 * are fetched in rounds through the app's pool while publish rounds follow one another, and the app lets queueing
 * and publishing take turns on the store; claims in the store guard against other processes. SIGHUP-style reloads
 * swap the config without a restart.
 */
export class Service {
  private config: Config;
  private store: Store;
  private app: App;
  private server: RunningServer | undefined;
  private tasks: Cron[] = [];
  /** Publishing, one round after another. */
  private chain: Promise<unknown> = Promise.resolve();
  /** The uploads sweep running or last run (sweepSoon). */
  private sweeping: Promise<void> = Promise.resolve();
  private publishWaiting = false;
  /** Poll rounds in flight, and the ids of the sources they fetch. */
  private readonly rounds = new Set<Promise<unknown>>();
  private readonly polling = new Set<string>();
  /** Sources whose cron fired in this turn of the event loop: they start one round together. */
  private readonly due = new Set<SourceConfig>();
  /** Aborted when the schedule stops (stop, reload): the rounds in flight start no new fetch. */
  private roundsStop = new AbortController();
  private readonly stopping = new AbortController();
  private readonly owner = newClaimOwner();
  private leader = false;
  private leaseTimer: NodeJS.Timeout | undefined;
  private followerLogged = false;
  private lifecycle: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: ServiceOptions) {
    this.config = opts.config;
    this.store = opts.store;
    this.app = this.newApp();
  }

  /** Listens, then takes part in the leader election; the leader's first cycle starts at once. */
  async start(): Promise<void> {
    if (this.config.server.enabled) {
      try {
        this.server = await this.startServer();
      } catch (err) {
        await this.app.close();
        await this.store.close();
        throw new Error(`cannot listen on ${this.config.server.host}:${this.config.server.port}: ${describeError(err)} (set server.port, or server.enabled: false)`);
      }
      this.opts.out.write(webPageLines(this.server));
    }
    this.schedule();
    await this.tickLease();
    // Once at start too: a service restarted every night before the daily sweep would otherwise never sweep.
    this.sweepSoon();
    this.opts.log.info({ sources: this.config.sources.length, channels: this.config.channels.length }, 'running; send SIGTERM or press Ctrl-C to stop, SIGHUP to reload the config');
  }

  /** Reads the config again. An invalid one is refused and the running one stays; the log says why. */
  reload(): Promise<boolean> {
    const job = this.lifecycle.then(() => this.reloadNow());
    this.lifecycle = job.catch(() => undefined);
    return job;
  }

  /** Finishes the thread in flight, starts nothing new, hands the leader lease over, closes everything. */
  stop(): Promise<void> {
    const job = this.lifecycle.then(async () => {
      this.stopping.abort();
      clearInterval(this.leaseTimer);
      await this.unschedule();
      await this.server?.close();
      await this.settle();
      if (this.leader) await this.store.releaseLease(LEADER_LEASE, this.owner).catch(() => undefined);
      await this.app.close({ callOffAlerts: true });
      await this.store.close();
    });
    this.lifecycle = job.catch(() => undefined);
    return job;
  }

  private async reloadNow(): Promise<boolean> {
    if (this.stopping.signal.aborted) return false;
    const log = this.opts.log;
    let next: Config;
    try {
      next = this.opts.loadConfig();
    } catch (err) {
      log.error({ err: describeError(err) }, 'config reload refused: the new config is invalid; the running config stays');
      return false;
    }
    await this.unschedule();
    await this.settle();
    const previous = { config: this.config, store: this.store, app: this.app };
    try {
      if (next.store !== previous.config.store) this.store = await openStore(next.store, { log });
      this.config = next;
      this.app = this.newApp();
    } catch (err) {
      Object.assign(this, previous);
      this.schedule();
      log.error({ err: describeError(err) }, 'config reload failed; the running config stays');
      return false;
    }
    await previous.app.close({ callOffAlerts: true });
    if (this.store !== previous.store) {
      if (this.leader) await previous.store.releaseLease(LEADER_LEASE, this.owner).catch(() => undefined);
      this.leader = false;
      await previous.store.close();
    }
    log.level = next.log.level;
    const { server: was } = previous.config;
    const now = next.server;
    if (was.enabled !== now.enabled || was.host !== now.host || was.port !== now.port) {
      await this.server?.close();
      this.server = undefined;
      if (now.enabled) {
        this.server = await this.startServer().catch((err) => {
          log.error({ err: describeError(err) }, `cannot listen on ${now.host}:${now.port}; the web page is off until the next reload`);
          return undefined;
        });
        if (this.server) this.opts.out.write(webPageLines(this.server));
      }
    }
    this.schedule();
    log.info({ sources: next.sources.length, channels: next.channels.length }, 'config reloaded');
    if (this.leader) this.firstRound();
    else await this.tickLease();
    return true;
  }

  private newApp(): App {
    return new App({ config: this.config, store: this.store, log: this.opts.log, out: this.opts.out });
  }

  /** The server (and fastify with it) is loaded only when `server.enabled`: a headless worker never pays for it. */
  private async startServer(): Promise<RunningServer> {
    const { startServer } = await import('../server/server.js');
    return startServer({
      config: () => this.config,
      store: () => this.store,
      queue: () => this.app.editorQueue,
      log: this.opts.log,
      ...(this.opts.env ? { env: this.opts.env } : {}),
      describe: () => ({ leader: this.leader, instance: this.owner }),
    });
  }

  private schedule(): void {
    const { config } = this;
    this.roundsStop = new AbortController();
    // One cron task per schedule, not per source: a thousand feeds on "*/5 * * * *" are one timer and one round.
    const bySchedule = new Map<string, SourceConfig[]>();
    for (const source of config.sources) bySchedule.set(source.pollEvery, [...(bySchedule.get(source.pollEvery) ?? []), source]);
    for (const [expression, sources] of bySchedule) {
      this.tasks.push(new Cron(expression, () => this.pollSoon(sources)));
    }
    this.tasks.push(new Cron(config.publishEvery, { protect: true }, () => this.publishSoon()));
    // Every instance, for the uploads folder it holds; what deliveries name is read from the shared store.
    this.tasks.push(new Cron(UPLOADS_SWEEP, () => this.sweepSoon()));
    const leaseMs = config.leaderLeaseSeconds * 1000;
    clearInterval(this.leaseTimer);
    // A tenth of the lease: the leader renews long before it lapses, and a follower notices a lapse quickly.
    this.leaseTimer = setInterval(() => void this.tickLease(), Math.max(250, leaseMs / 10));
  }

  /** One sweep after another, and awaited by a stop or reload (settle) before the store closes. */
  private sweepSoon(): void {
    this.sweeping = this.sweeping.then(() => this.sweepUploads());
  }

  /** Abandoned uploads go (outbox/editor-queue.ts); a failure is logged and tried again at the next sweep. */
  private async sweepUploads(): Promise<void> {
    // A stop that came while the service was starting has closed the store already.
    if (this.stopping.signal.aborted) return;
    try {
      const removed = await this.app.editorQueue.removeAbandonedUploads();
      if (removed.length > 0) this.opts.log.info({ removed: removed.length }, 'removed uploads no delivery names, a week old or more');
    } catch (err) {
      this.opts.log.warn({ err: describeError(err) }, 'could not sweep the uploads folder');
    }
  }

  private async unschedule(): Promise<void> {
    clearInterval(this.leaseTimer);
    for (const task of this.tasks) task.stop();
    this.tasks = [];
    this.due.clear();
    // Fetches not started yet are dropped, jitter waits included; the round after the reload polls every source.
    this.roundsStop.abort();
  }

  /**
   * Polls `sources` (due now) in a round of their own, beside publishing rather than before it. Schedules that fall
   * due at the same moment join one round, so their items are queued in config order; a source still being fetched
   * by an earlier round is left to it.
   */
  private pollSoon(sources: readonly SourceConfig[]): void {
    if (this.due.size === 0) {
      setImmediate(() => {
        const due = [...this.due];
        this.due.clear();
        this.startRound(due, this.config.polling.jitterSeconds * 1000);
      });
    }
    for (const source of sources) this.due.add(source);
  }

  /** The first round after a start or reload: every source, no jitter, and publishing right after. */
  private firstRound(): void {
    this.startRound(this.config.sources, 0);
    this.publishSoon();
  }

  private startRound(due: readonly SourceConfig[], jitterMs: number): void {
    if (this.stopping.signal.aborted || !this.leader) return;
    const order = new Map(this.config.sources.map((s, i) => [s, i]));
    const sources = due.filter((s) => !this.polling.has(s.id) && order.has(s)).sort((a, b) => order.get(a)! - order.get(b)!);
    if (sources.length === 0) return;
    for (const s of sources) this.polling.add(s.id);
    const round = this.app
      .pollRound(sources, { signal: this.roundsStop.signal, jitterMs })
      .then((reports) => {
        // New items go out now rather than at the next publish tick.
        if (reports.some((r) => (r.queued ?? 0) > 0)) this.publishSoon();
      })
      .catch((err) => this.opts.log.error({ err: describeError(err) }, 'poll round failed'))
      .finally(() => {
        for (const s of sources) this.polling.delete(s.id);
        this.rounds.delete(round);
      });
    this.rounds.add(round);
  }

  /**
   * Publishes what is due after the publishing before it, only on the leader. Requests while one waits are that one:
   * publish ticks never pile up behind a slow round, and a poll round never waits for them, nor they for it.
   */
  private publishSoon(): void {
    if (this.publishWaiting) return;
    this.publishWaiting = true;
    this.chain = this.chain
      .then(async () => {
        this.publishWaiting = false;
        if (this.stopping.signal.aborted || !this.leader) return;
        await this.app.pollEditorFolder();
        await this.app.publishAll(this.stopping.signal);
      })
      .catch((err) => this.opts.log.error({ err: describeError(err) }, 'publishing failed'));
  }

  /** Waits for the poll rounds and the publishing in flight (after unschedule: nothing new starts). */
  private async settle(): Promise<void> {
    await Promise.all([...this.rounds]);
    await this.chain;
    await this.sweeping;
  }

  private async tickLease(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    const store = this.store;
    const now = Date.now();
    let held = false;
    try {
      // A holder that was a process on this machine and is gone (a crash) is not waited for.
      const holder = await store.leaseHolder(LEADER_LEASE, now);
      if (holder && holder !== this.owner && isDeadLocalOwner(holder)) await store.releaseLease(LEADER_LEASE, holder);
      held = await store.acquireLease(LEADER_LEASE, this.owner, this.config.leaderLeaseSeconds * 1000, now);
    } catch (err) {
      this.opts.log.warn({ err: describeError(err) }, 'leader lease: the store did not answer; acting as follower');
    }
    if (store !== this.store || this.stopping.signal.aborted) return;
    if (held && !this.leader) {
      this.leader = true;
      this.opts.log.info('leader: this instance polls and publishes');
      this.firstRound();
    } else if (!held && this.leader) {
      this.leader = false;
      this.opts.log.warn('leader lease lost: another instance polls and publishes now');
    } else if (!held && this.tasks.length > 0 && !this.followerLogged) {
      this.followerLogged = true;
      this.opts.log.info('follower: another instance is the leader; serving the page and standing by');
    }
  }
}

/**
 * What the terminal is told once the server listens: the page, and, when the server made up a one-time token
 * for this start, the address that signs in with it (the person who started it is the one to open the page).
 */
function webPageLines(server: RunningServer): string {
  const signIn = server.signInUrl === undefined ? '' : `sign in (one-time token for this start): ${server.signInUrl}\n`;
  return `web page: ${server.url}\n${signIn}`;
}
