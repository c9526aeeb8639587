import type { Writable } from 'node:stream';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Config, SourceConfig } from '../config/schema.js';
import { describeError } from '../core/errors.js';
import { pollsTotal } from '../core/metrics.js';
import { intakeItems } from '../outbox/intake.js';
import type { DedupMode } from '../outbox/seen-marks.js';
import { EditorQueue } from '../outbox/editor-queue.js';
import { Outbox, type PublishSummary } from '../outbox/outbox.js';
import { createPublisher, credentialsFingerprint } from '../platforms/create-publisher.js';
import type { Publisher } from '../platforms/publisher.js';
import { ChannelPacer } from '../schedule/channel-pacer.js';
import { HealthMarks } from '../server/health.js';
import { scanEditorFolder, type EditorFolderReport } from '../sources/editor-folder.js';
import type { FetchResult } from '../sources/fetch-feed.js';
import { describeDropRule } from '../sources/item-filter.js';
import { applySourceRules } from '../sources/source-rules.js';
import { newClaimOwner } from '../store/claim-owner.js';
import type { Store } from '../store/store.js';
import { Alerts } from './alerts.js';
import { feedHost, HostPool } from './host-pool.js';
import { fetchSource, keepFetchState, readerKey, readSource, type PollResult } from './poll-source.js';

export interface SourceReport {
  sourceId: string;
  ok: boolean;
  error?: string;
  notModified?: boolean;
  items?: number;
  queued?: number;
  problems?: number;
}

export interface ChannelReport extends Partial<PublishSummary> {
  channelId: string;
  ok: boolean;
  /** The channel records threads without posting them: what it "published" went nowhere. */
  dryRun?: boolean;
  error?: string;
}

export interface CycleReport {
  /** Present when `editor.folder` is configured. */
  editorFolder?: EditorFolderReport;
  sources: SourceReport[];
  channels: ChannelReport[];
}

export interface PollRoundOptions {
  /** Stop starting fetches (shutdown, reload); those in flight finish and are queued. */
  signal?: AbortSignal;
  /** Each fetch first waits a random time up to this long, holding no slot (scheduled polls in `run`). */
  jitterMs?: number;
}

/** One source's fetch: what it brought, or why it failed (queued, or reported, in the round's order). */
type Fetched = { polled: PollResult } | { error: unknown };

export interface AppDeps {
  config: Config;
  store: Store;
  log: Logger;
  /** Where dry-run threads are printed. */
  out: Writable;
  now?: () => number;
}

/**
 * The flow wired together (README, "How it works"): sources → dedup → outbox → publishers. Every source and
 * channel is handled on its own, so one broken feed or account never stops the others.
 */
export class App {
  readonly outbox: Outbox;
  /** What editors do (CLI, files, web page) goes through here, on this app's outbox. */
  readonly editorQueue: EditorQueue;
  readonly publishers = new Map<string, Publisher>();
  readonly pacers = new Map<string, ChannelPacer>();
  /** Per channel, the fingerprint of its credentials: a refused channel rests until it changes. */
  private readonly credentials = new Map<string, string>();
  private readonly health: HealthMarks;
  private readonly now: () => number;
  private readonly pool: HostPool;
  /** Fetched bodies being parsed or waiting to be (see fetchOne). */
  private readonly parsing: HostPool;
  private readonly trackingParams: ReadonlySet<string>;
  private readonly readerKeys = new WeakMap<SourceConfig, string>();
  private lane: Promise<unknown> = Promise.resolve();
  readonly alerts: Alerts;

  constructor(private readonly deps: AppDeps) {
    this.now = deps.now ?? Date.now;
    this.health = new HealthMarks(deps.store, this.now);
    this.pool = new HostPool(deps.config.polling.concurrency, deps.config.polling.perHost);
    this.parsing = new HostPool(deps.config.polling.concurrency, deps.config.polling.concurrency);
    this.trackingParams = new Set(deps.config.links.trackingParams);
    this.alerts = new Alerts({ alerts: deps.config.alerts, web: deps.config.web, kv: deps.store.kv, log: deps.log, now: this.now });
    this.outbox = new Outbox(deps.store, {
      owner: newClaimOwner(),
      retry: deps.config.retry,
      log: deps.log,
      now: this.now,
      onTrouble: (d) => this.alerts.deliveryTrouble(d),
    });
    this.editorQueue = new EditorQueue(deps.config, deps.store, this.outbox);
    for (const channel of deps.config.channels) {
      const { publisher, dryRunReason } = createPublisher(channel, deps);
      this.publishers.set(channel.id, publisher);
      this.pacers.set(channel.id, new ChannelPacer(deps.store.kv, channel.id, channel.schedule, this.now));
      this.credentials.set(channel.id, credentialsFingerprint(channel));
      if (dryRunReason) deps.log.warn({ channel: channel.id }, `DRY-RUN: channel ${channel.id} will not post anything (${dryRunReason})`);
    }
  }

  async cycle(signal?: AbortSignal): Promise<CycleReport> {
    const editorFolder = await this.pollEditorFolder();
    const sources = await this.pollRound(this.deps.config.sources, signal ? { signal } : {});
    return { ...(editorFolder ? { editorFolder } : {}), sources, channels: await this.publishAll(signal) };
  }

  /** Queues new Markdown announcements from `editor.folder`; a bad file is reported beside itself. */
  async pollEditorFolder(): Promise<EditorFolderReport | undefined> {
    const folder = this.deps.config.editor.folder;
    if (folder === undefined) return undefined;
    const channels = this.deps.config.channels.map((c) => c.id);
    return scanEditorFolder(folder, this.editorQueue, this.deps.log.child({ source: 'editor-folder' }), { channels });
  }

  /**
   * Fetches `sources` at once, as far as the pool lets it, and queues what each brought strictly in the order given,
   * each as soon as it and every source before it are fetched: the order of the queue, and which source brings an
   * article first, never depend on which server answered first. A slow or hanging feed holds one slot until its
   * `timeoutMs` and delays only the queueing of the sources after it, never their fetching. Sources not yet started
   * when `signal` aborts are left out of the report.
   */
  async pollRound(sources: readonly SourceConfig[], opts: PollRoundOptions = {}): Promise<SourceReport[]> {
    const fetches = sources.map((source) => this.fetchOne(source, opts));
    const reports: SourceReport[] = [];
    for (const [i, source] of sources.entries()) {
      const fetched = await fetches[i]!;
      if (fetched !== undefined) reports.push(await this.inLane(() => this.intakeOne(source, fetched)));
    }
    return reports;
  }

  private async fetchOne(source: SourceConfig, { signal, jitterMs = 0 }: PollRoundOptions): Promise<Fetched | undefined> {
    // The wait holds no slot: it spreads the requests out, it does not slow the round's fetching down.
    if (jitterMs > 0) await sleep(Math.random() * jitterMs, undefined, signal ? { signal } : {}).catch(() => undefined);
    if (signal?.aborted) return undefined;
    const log = this.deps.log.child({ source: source.id });
    let body: { fetched: FetchResult; release: () => void } | undefined;
    try {
      body = await this.pool.run(feedHost(source.feed), async () => {
        if (signal?.aborted) return undefined;
        const fetched = await fetchSource(source, this.deps.store, this.readerKeyOf(source), {
          allowPrivateHosts: this.deps.config.web.allowPrivateHosts,
          ...(signal ? { signal } : {}),
        });
        // The network slot goes before the parse, so the next fetch can start while this body is parsed; a body
        // waits for a parse slot holding its network slot, so no more than twice the pool's bodies are fetched or
        // waiting for their parse at once.
        return { fetched, release: await this.parsing.acquire(undefined) };
      });
    } catch (err) {
      // Called off (the service stopping, or reloading): the feed did not fail, and the next round polls it.
      if (signal?.aborted) return undefined;
      return { error: err };
    }
    if (body === undefined) return undefined;
    try {
      // One turn of the event loop first: the fetch that took the network slot gets going (at least as far as its
      // first wait on I/O) before this parse holds the CPU.
      await nextTurn();
      return { polled: readSource(source, body.fetched, log, this.trackingParams) };
    } catch (err) {
      return { error: err };
    } finally {
      body.release();
    }
  }

  private async intakeOne(source: SourceConfig, fetched: Fetched): Promise<SourceReport> {
    const log = this.deps.log.child({ source: source.id });
    try {
      if ('error' in fetched) throw fetched.error;
      const { polled } = fetched;
      const { items, dropRuleOf } = applySourceRules(source, polled.items, this.now());
      let queued = 0;
      for (const channelId of this.channelsOf(source)) {
        const result = await intakeItems(this.deps.store, this.outbox, source.id, channelId, items, source.backlog, this.now, source.onUpdate, source.review, this.dedupOf(channelId), dropRuleOf);
        queued += result.queued;
        for (const { item, rule } of result.filtered) log.info({ channel: channelId, item: item.id, rule }, `filtered: ${describeDropRule(rule)}`);
        if (result.alsoIn > 0) log.info({ channel: channelId, alsoIn: result.alsoIn }, `${result.alsoIn} article(s) already brought by another source: noted as also in ${source.id}`);
        if (result.firstSight && result.skippedBacklog > 0) {
          log.info({ channel: channelId, skipped: result.skippedBacklog }, `first sight: ${result.skippedBacklog} older items left out by backlog ${source.backlog}`);
        }
      }
      if (polled.keep) await keepFetchState(this.deps.store, source.id, polled.keep, this.readerKeyOf(source));
      log.info({ items: polled.items.length, queued, notModified: polled.notModified, problems: polled.problems.length }, 'polled');
      pollsTotal.inc({ source: source.id, result: polled.notModified ? 'not_modified' : 'ok' });
      await this.health.record('source', source.id, { ok: true });
      await this.alerts.sourceSucceeded(source.id);
      return { sourceId: source.id, ok: true, notModified: polled.notModified, items: polled.items.length, queued, problems: polled.problems.length };
    } catch (err) {
      log.error({ err: describeError(err) }, 'poll failed');
      pollsTotal.inc({ source: source.id, result: 'error' });
      await this.health.record('source', source.id, { ok: false, error: describeError(err) }).catch(() => undefined);
      await this.alerts.sourceFailed(source.id, describeError(err)).catch(() => undefined);
      return { sourceId: source.id, ok: false, error: describeError(err) };
    }
  }

  /**
   * Queueing and publishing take turns. Both write deliveries under this app's one claim owner, and a claim does not
   * keep its own owner out, so a queued item's update must not land in the middle of that delivery's publishing.
   */
  private inLane<T>(job: () => Promise<T>): Promise<T> {
    const turn = this.lane.then(job);
    this.lane = turn.catch(() => undefined);
    return turn;
  }

  /** `signal`: stop starting new threads (shutdown); the one in flight finishes. */
  publishAll(signal?: AbortSignal): Promise<ChannelReport[]> {
    return this.inLane(() => this.publishEach(signal));
  }

  private async publishEach(signal?: AbortSignal): Promise<ChannelReport[]> {
    const reports: ChannelReport[] = [];
    for (const publisher of this.publishers.values()) {
      if (signal?.aborted) break;
      try {
        const pacer = this.pacers.get(publisher.channelId);
        const credentials = this.credentials.get(publisher.channelId);
        const summary = await this.outbox.publishDue(publisher, { ...(pacer ? { pacer } : {}), ...(signal ? { signal } : {}), ...(credentials ? { credentials } : {}) });
        const refused = summary.credentialsRefused;
        if (refused) {
          // Not a success however little was tried: the channel cannot publish until an operator acts.
          const error = `credentials refused since ${refused.since}; not tried again before ${refused.until} unless they change: ${refused.detail}`;
          reports.push({ channelId: publisher.channelId, ok: false, error, ...summary });
          await this.health.record('channel', publisher.channelId, { ok: false, error });
          continue;
        }
        reports.push({ channelId: publisher.channelId, ok: true, dryRun: publisher.dryRun, ...summary });
        const failures = summary.failed + summary.dead + summary.uncertain;
        await this.health.record('channel', publisher.channelId, failures === 0 ? { ok: true } : { ok: false, error: `${failures} delivery(ies) failed, died or became uncertain in the last round` });
      } catch (err) {
        this.deps.log.error({ channel: publisher.channelId, err: describeError(err) }, 'publishing failed');
        await this.health.record('channel', publisher.channelId, { ok: false, error: describeError(err) }).catch(() => undefined);
        reports.push({ channelId: publisher.channelId, ok: false, error: describeError(err) });
      }
    }
    return reports;
  }

  /**
   * `callOffAlerts`: the service stopping or reloading, which must not wait for a webhook receiver that asks for
   * minutes; `once` (cron) leaves it unset, so its alerts are still delivered (or given up on) before it exits.
   */
  async close(opts: { callOffAlerts?: boolean } = {}): Promise<void> {
    for (const publisher of this.publishers.values()) await publisher.close?.();
    if (opts.callOffAlerts) this.alerts.callOff();
    await this.alerts.idle();
  }

  private channelsOf(source: SourceConfig): string[] {
    return source.channels ?? this.deps.config.channels.map((c) => c.id);
  }

  private readerKeyOf(source: SourceConfig): string {
    let key = this.readerKeys.get(source);
    if (key === undefined) {
      key = readerKey({ source, channels: this.channelsOf(source).map((id) => [id, this.dedupOf(id)] as const), trackingParams: this.trackingParams });
      this.readerKeys.set(source, key);
    }
    return key;
  }

  private dedupOf(channelId: string): DedupMode {
    return this.deps.config.channels.find((c) => c.id === channelId)?.dedup ?? 'article';
  }
}
