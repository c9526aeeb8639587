import type { Writable } from 'node:stream';
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
import { newClaimOwner } from '../store/claim-owner.js';
import type { Store } from '../store/store.js';
import { pollSource } from './poll-source.js';

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
  error?: string;
}

export interface CycleReport {
  /** Present when `editor.folder` is configured. */
  editorFolder?: EditorFolderReport;
  sources: SourceReport[];
  channels: ChannelReport[];
}

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

  constructor(private readonly deps: AppDeps) {
    this.now = deps.now ?? Date.now;
    this.health = new HealthMarks(deps.store, this.now);
    this.outbox = new Outbox(deps.store, {
      owner: newClaimOwner(),
      retry: deps.config.retry,
      log: deps.log,
      now: this.now,
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
    const sources = [];
    for (const source of this.deps.config.sources) {
      if (signal?.aborted) break;
      sources.push(await this.pollOne(source));
    }
    return { ...(editorFolder ? { editorFolder } : {}), sources, channels: await this.publishAll(signal) };
  }

  /** Queues new Markdown announcements from `editor.folder`; a bad file is reported beside itself. */
  async pollEditorFolder(): Promise<EditorFolderReport | undefined> {
    const folder = this.deps.config.editor.folder;
    if (folder === undefined) return undefined;
    return scanEditorFolder(folder, this.editorQueue, this.deps.log.child({ source: 'editor-folder' }));
  }

  async pollOne(source: SourceConfig): Promise<SourceReport> {
    const log = this.deps.log.child({ source: source.id });
    try {
      const polled = await pollSource(source, this.deps.store, log, this.deps.config.web.allowPrivateHosts, new Set(this.deps.config.links.trackingParams));
      let queued = 0;
      for (const channelId of this.channelsOf(source)) {
        const result = await intakeItems(this.deps.store, this.outbox, source.id, channelId, polled.items, source.backlog, this.now, source.onUpdate, source.review, this.dedupOf(channelId));
        queued += result.queued;
        if (result.alsoIn > 0) log.info({ channel: channelId, alsoIn: result.alsoIn }, `${result.alsoIn} article(s) already brought by another source: noted as also in ${source.id}`);
        if (result.firstSight && result.skippedBacklog > 0) {
          log.info({ channel: channelId, skipped: result.skippedBacklog }, `first sight: ${result.skippedBacklog} older items left out by backlog ${source.backlog}`);
        }
      }
      log.info({ items: polled.items.length, queued, notModified: polled.notModified, problems: polled.problems.length }, 'polled');
      pollsTotal.inc({ source: source.id, result: polled.notModified ? 'not_modified' : 'ok' });
      await this.health.record('source', source.id, { ok: true });
      return { sourceId: source.id, ok: true, notModified: polled.notModified, items: polled.items.length, queued, problems: polled.problems.length };
    } catch (err) {
      log.error({ err: describeError(err) }, 'poll failed');
      pollsTotal.inc({ source: source.id, result: 'error' });
      await this.health.record('source', source.id, { ok: false, error: describeError(err) }).catch(() => undefined);
      return { sourceId: source.id, ok: false, error: describeError(err) };
    }
  }

  /** `signal`: stop starting new threads (shutdown); the one in flight finishes. */
  async publishAll(signal?: AbortSignal): Promise<ChannelReport[]> {
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
        reports.push({ channelId: publisher.channelId, ok: true, ...summary });
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

  async close(): Promise<void> {
    for (const publisher of this.publishers.values()) await publisher.close?.();
  }

  private channelsOf(source: SourceConfig): string[] {
    return source.channels ?? this.deps.config.channels.map((c) => c.id);
  }

  private dedupOf(channelId: string): DedupMode {
    return this.deps.config.channels.find((c) => c.id === channelId)?.dedup ?? 'article';
  }
}
