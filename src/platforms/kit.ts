import type { Logger } from 'pino';
import type { z } from 'zod';
import type { ChannelConfig, Config } from '../config/schema.js';
import type { Template } from '../config/template-schema.js';
import type { PostRef } from '../core/delivery.js';
import type { Item } from '../core/item.js';
import type { Store } from '../store/store.js';
import type { Publisher } from './publisher.js';

/**
 * A platform kit: everything Threadcast knows about one network, exported by `src/platforms/<name>/kit.ts`
 * and listed once in `src/platforms/index.ts`. Config, compose, preview, doctor, status and the server ask
 * the kit of a channel (`kitOf`) and never name a network; the outbox sees only the Publisher a kit builds.
 *
 * `C` is the kit's channel config (its schema's output), `P` one part of a thread it composes. The methods
 * are declared as methods on purpose: the registry holds kits as `AnyKit` and hands each only its own
 * channels and parts, which the config's discriminated union on `platform` guarantees, so no caller casts.
 *
 * Errors: the kit's publisher maps every platform failure to one PlatformError (src/core/errors.ts: kind,
 * retryAfter, httpStatus, the platform's own code) in the kit's errors.ts, which only the publisher loads.
 */
export interface PlatformKit<C extends ChannelConfig, P extends ComposedPart> {
  /** The `platform:` value of its channels; also the key of its thread in `preview --json`. */
  readonly name: C['platform'];
  /** How people name the network ("X", "Bluesky"): preview headings. */
  readonly title: string;

  /** Strict zod schema of a channel: `...channelFields`, `platform: z.literal(name)`, then the kit's own fields. */
  readonly channelSchema: ChannelSchemaOf<C>;

  /**
   * Compose rules: the item (UTM tags already on its link) as parts that fit. Pure; throws when it cannot.
   * `channel` is absent when none is configured (the preview of a bare template); kits whose limits a channel
   * can set read them here, so the preview and the publisher compose from the same numbers.
   */
  compose(item: Item, template: Template, channel: C | undefined): P[];
  /**
   * Whether an `@name` written in a post's text notifies that account (X, Mastodon). A feed item's text then has its
   * mentions quieted before composing (compose/mentions.ts); an editor's announcement keeps them.
   */
  readonly textMentionsNotify: boolean;
  /** Preview's counters: one part in the platform's own unit, against its limit. */
  measure(part: P): PartMeasure;
  /** The counters `threadcast preview` prints beside a part, e.g. "212/280". */
  counters(part: P): string;
  /** What the thread costs to post, for networks that bill per post; `channel` is absent when none is configured. */
  costUsd?(parts: P[], channel: C | undefined): number;
  /** Whether the first post shows a link card built from the item's page (the preview then fetches it). */
  showsLinkCard(item: Item, parts: P[], channel: C): boolean;
  /** The largest card thumb the platform takes, when it uploads the thumb itself (else the preview's default). */
  readonly cardThumbMaxBytes?: number;

  readonly credentials: KitCredentials<C>;
  /** Where the channel's API lives: doctor's reachability and clock checks, and what errors may name (redacted). */
  serviceUrl(channel: C): string;
  /** How doctor names the service in "… could not be reached" ("X", "the PDS"). */
  serviceName(channel: C): string;

  /**
   * Builds the channel's publisher. Called only for a channel that may post (credentials present, no dry-run);
   * the same factory serves `run`, `once` and `doctor`. Kits import their publisher module here, dynamically,
   * so that a dry-run or a preview never loads the network's client library.
   */
  createPublisher(channel: C, deps: KitDeps): Promise<Publisher>;
  /**
   * Why doctor must not try the channel's login without the configured store, when it must not (a refresh
   * that rotates a token the scratch store would lose); undefined when a scratch store will do.
   */
  needsStore?(channel: C): string | undefined;
  /** Extra gauges at /metrics scrape time (e.g. X's spend this month); never sends anything. */
  scrapeMetrics?(channel: C, store: Store, now: number): Promise<void>;
  /**
   * Deleting a published thread (`threadcast retract`). Absent when the network offers no way to: a retract on
   * its channels is then refused, saying so.
   */
  readonly retract?: KitRetract<C>;
}

export interface KitRetract<C> {
  /**
   * Why these posts cannot be deleted, asked before anything is: a part whose id was never learned (X's
   * duplicate-refusal proof, a record without a URI). Undefined when every post can be named to the network.
   */
  refusal(posts: readonly PostRef[]): string | undefined;
  /**
   * Deletes every post of the thread with the channel's credentials, replies before what they answer. A post the
   * network no longer has counts as deleted: a retract cut short by a crash or an error is simply run again.
   * Throws a PlatformError (src/core/errors.ts) when the network refuses or cannot be reached. Like
   * createPublisher, it loads the network's client library only when called.
   */
  deletePosts(channel: C, posts: readonly PostRef[], deps: KitDeps): Promise<RetractReport>;
}

/**
 * KitRetract.refusal for a network whose post ids have one shape: names the first part whose recorded id does not,
 * as `part N has no <what> (<id>); delete the thread <where>`.
 */
export function refuseUnnamedParts(isPostId: RegExp, what: string, where: string): KitRetract<unknown>['refusal'] {
  return (posts) => {
    const unnamed = posts.findIndex((p) => !isPostId.test(p.id));
    return unnamed < 0 ? undefined : `part ${unnamed + 1} has no ${what} (${posts[unnamed]!.id}); delete the thread ${where}`;
  };
}

/** What a retract did: posts it deleted, and posts the network no longer had (deleted before, by us or by hand). */
export interface RetractReport {
  deleted: number;
  alreadyGone: number;
}

/** One part of a composed thread: its text and whatever the platform counts or attaches (stored as it is). */
export type ComposedPart = { text: string; [key: string]: unknown };

/** A part measured in its platform's unit: X's weighted length, Bluesky's graphemes. */
export interface PartMeasure {
  length: number;
  limit: number;
  /** Any unit a kit counts in ("weighted characters", "graphemes", "characters"): shown as it is. */
  unit: string;
  valid: boolean;
}

export interface KitCredentials<C> {
  /** Fields a channel must have to post; a channel missing any runs in dry-run. */
  required(channel: C): string[];
  /** Every field holding a credential of this channel, in the order doctor names their environment variables. */
  fields(channel: C): string[];
  /** Values no output may show (doctor scrubs them from everything it prints). */
  secrets(channel: C): Array<string | undefined>;
  /** Everything that decides whether the platform accepts the login (where, who, with what): fingerprinted, never kept. */
  identity(channel: C): Array<string | undefined>;
  /** What an operator does when the platform refuses them (said by /readyz, status and doctor). */
  fix(channel: C): string;
  /** Per credential field, the environment variable the shipped config and .env.example read it from. */
  readonly envNames: Readonly<Record<string, string>>;
}

/** What a kit's publisher is built with. */
export interface KitDeps {
  web: Config['web'];
  secretKey?: string;
  store: Store;
  log: Logger;
  /** Timeout of each API request; `threadcast doctor` passes its own, shorter one. */
  requestTimeoutMs?: number;
}

/** A kit's channel schema: a strict zod object (so it can join the union on `platform`) whose output is `C`. */
export type ChannelSchemaOf<C extends ChannelConfig> = z.ZodType<C> & z.core.$ZodTypeDiscriminable;

/** Any kit, as the registry holds it. */
export type AnyKit = PlatformKit<ChannelConfig, ComposedPart>;

