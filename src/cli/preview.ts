import type { Writable } from 'node:stream';
import { existsSync } from 'node:fs';
import { defaultTemplate } from '../config/template-schema.js';
import { DEFAULT_MAX_ITEMS, type ChannelConfig, type Config } from '../config/schema.js';
import type { Item } from '../core/item.js';
import { defaultFetchLimits, fetchFeed } from '../sources/fetch-feed.js';
import { parseFeed } from '../sources/parse-feed.js';
import { describeDropRule, type DropRule } from '../sources/item-filter.js';
import { applySourceRules } from '../sources/source-rules.js';
import { tryComposeForChannel, type ComposeFailure } from '../platforms/compose-for-channel.js';
import { KITS, type AnyKit, type ComposedPart } from '../platforms/index.js';
import { loadDotEnv, resolveConfigPath } from '../config/load.js';
import { terminalJson, terminalLine, terminalText } from '../core/terminal-text.js';
import { loadConfig, type GlobalOptions } from './context.js';

/** One platform's preview: its kit and the channel whose template (and UTM tags, and prices) it uses, if any. */
interface PreviewPlatform {
  kit: AnyKit;
  channel: ChannelConfig | undefined;
}

/** Every platform, in the registry's order, with the first configured channel of it (else the default template). */
function platformsFor(config: Config | undefined): PreviewPlatform[] {
  return KITS.map((kit) => ({ kit, channel: config?.channels.find((c) => c.platform === kit.name) }));
}

interface PlatformThread {
  parts: ComposedPart[] | null;
  costUsd: number | undefined;
  failure: ComposeFailure | undefined;
}

/** Each platform on its own: an item that cannot be composed for one is shown failed there, and the others still show. */
function composeFor(item: Item, { kit, channel }: PreviewPlatform): PlatformThread {
  const { thread, failure } = tryComposeForChannel(item, channel ?? { platform: kit.name, template: defaultTemplate });
  const parts = thread ? thread.parts : null;
  return { parts, costUsd: parts && kit.costUsd ? round(kit.costUsd(parts, channel)) : undefined, failure };
}

export async function previewCommand(opts: GlobalOptions & { feed: string; json?: boolean }, out: Writable): Promise<number> {
  // Preview reads the config for templates when there is one, but never opens the store.
  loadDotEnv();
  const explicit = Boolean(opts.config || process.env.THREADCAST_CONFIG);
  const config = explicit || existsSync(resolveConfigPath(opts.config)) ? loadConfig(opts).config : undefined;
  // The same redirect guard as polling: the operator's allow list, when there is a config.
  const fetched = await fetchFeed(opts.feed, {}, { ...defaultFetchLimits, allowPrivateHosts: config?.web.allowPrivateHosts ?? [] });
  if (fetched.kind !== 'fetched') throw new Error(`feed ${opts.feed}: answered 304 to an unconditional request`);
  // A feed that a configured source polls is previewed as that source takes it in: its rules drop, its template shapes.
  const source = config?.sources.find((s) => s.feed === opts.feed);
  const parsed = parseFeed(fetched.body, {
    sourceId: source?.id ?? 'preview',
    location: opts.feed,
    baseUrl: fetched.finalUrl,
    maxItems: source?.maxItems ?? DEFAULT_MAX_ITEMS,
    ...(source?.language ? { language: source.language } : {}),
  });
  const ruled = applySourceRules(source ?? {}, parsed.items, Date.now());
  const platforms = platformsFor(config);
  const rows = ruled.items.map((item) => {
    const dropped = ruled.dropRuleOf(item);
    return { item, dropped, threads: dropped ? [] : platforms.map((platform) => ({ kit: platform.kit, ...composeFor(item, platform) })) };
  });
  const droppedCount = rows.filter((row) => row.dropped).length;
  const failed = rows.filter((row) => row.threads.some((t) => t.failure));
  // Said last and on stderr, so the items that did compose are all there above it, and scripts see the exit code.
  const failedNote = () => {
    if (failed.length) process.stderr.write(`threadcast preview: ${failed.length} of ${rows.length} item(s) from ${terminalLine(opts.feed)} could not be composed\n`);
    return failed.length ? 1 : 0;
  };

  if (opts.json) {
    out.write(`${terminalJson({ feed: opts.feed, format: parsed.format, source: source?.id ?? null, items: rows.map(jsonItem), problems: parsed.problems })}\n`);
    return failedNote();
  }
  // Everything below but the counts comes from the feed: printed so that none of it can act on the terminal.
  for (const p of parsed.problems) process.stderr.write(`warning: ${terminalLine(p.where)}: ${terminalLine(p.message)}\n`);
  if (source) out.write(`Source ${source.id}: its rules and template apply, as when it is polled.\n`);
  for (const { item, dropped, threads } of rows) {
    out.write(`\n═══ ${terminalLine(item.title ?? '(untitled)')}  ${terminalLine(item.url ?? '')}\n`);
    if (dropped) out.write(`  DROPPED by ${terminalLine(describeDropRule(dropped))}: marked seen, never queued\n`);
    for (const { kit, parts, costUsd, failure } of threads) {
      if (parts) {
        out.write(`  ${kit.title} — ${parts.length} part(s)${costUsd === undefined ? '' : `, about $${costUsd.toFixed(3)}`}\n`);
        parts.forEach((p, i) => out.write(block(`${i + 1}`, p.text, kit.counters(p))));
      } else {
        out.write(`  ${kit.title} — failed\n`);
        out.write(`     FAILED: could not compose item ${terminalLine(item.id)} of ${terminalLine(opts.feed)}: ${terminalLine(failure?.reason ?? '')}\n`);
      }
    }
  }
  const droppedNote = source && droppedCount ? `, ${droppedCount} dropped by the rules of source ${source.id}` : '';
  out.write(`\n${rows.length} item(s) from ${terminalLine(opts.feed)} (${parsed.format})${droppedNote}${failed.length ? `, ${failed.length} could not be composed` : ''}\n`);
  return failedNote();
}

/**
 * One item as `preview --json` prints it: threads keyed by platform, costs keyed `<platform>Usd` where posts are billed
 * (`xUsd`); an item the source's rules drop has the rule and no threads.
 */
function jsonItem({ item, dropped, threads }: { item: Item; dropped: DropRule | undefined; threads: Array<PlatformThread & { kit: AnyKit }> }) {
  return {
    id: item.id,
    dropped: dropped ? { rule: dropped, reason: describeDropRule(dropped) } : null,
    url: item.url ?? null,
    title: item.title ?? null,
    publishedAt: item.publishedAt ?? null,
    attribution: item.attribution ?? null,
    threads: Object.fromEntries(threads.map((t) => [t.kit.name, t.parts])),
    cost: Object.fromEntries(threads.filter((t) => t.kit.costUsd).map((t) => [`${t.kit.name}Usd`, t.costUsd ?? null])),
    failures: threads.flatMap((t) => (t.failure ? [{ platform: t.failure.platform, reason: t.failure.reason }] : [])),
  };
}

function block(label: string, text: string, counts: string): string {
  const lines = text.split('\n').map((l) => `     │ ${terminalText(l)}`);
  return `   [${label}] ${counts}\n${lines.join('\n')}\n`;
}

function round(usd: number): number {
  return Math.round(usd * 1000) / 1000;
}
