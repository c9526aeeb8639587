import type { Writable } from 'node:stream';
import { existsSync } from 'node:fs';
import { defaultTemplate } from '../config/template-schema.js';
import type { Config } from '../config/schema.js';
import { BLUESKY_MAX_GRAPHEMES, estimateXCostUsd, X_MAX_WEIGHTED_LENGTH, type BlueskyPart, type XPart } from '../compose/index.js';
import { defaultFetchLimits, fetchFeed } from '../sources/fetch-feed.js';
import { parseFeed } from '../sources/parse-feed.js';
import { tryComposeForChannel, type ComposeChannel } from '../platforms/compose-for-channel.js';
import { loadDotEnv, resolveConfigPath } from '../config/load.js';
import { terminalJson, terminalLine, terminalText } from '../core/terminal-text.js';
import { loadConfig, type GlobalOptions } from './context.js';

const PLATFORMS = ['x', 'bluesky'] as const;

/** The template (and UTM tags) each platform's preview uses: the first configured channel of that platform, else the default. */
function templatesFor(config: Config | undefined): Record<(typeof PLATFORMS)[number], ComposeChannel> {
  const pick = (platform: 'x' | 'bluesky') =>
    config?.channels.find((c) => c.platform === platform) ?? ({ platform, template: defaultTemplate } as const);
  return { x: pick('x'), bluesky: pick('bluesky') };
}

export async function previewCommand(opts: GlobalOptions & { feed: string; json?: boolean }, out: Writable): Promise<number> {
  // Preview reads the config for templates when there is one, but never opens the store.
  loadDotEnv();
  const explicit = Boolean(opts.config || process.env.THREADCAST_CONFIG);
  const config = explicit || existsSync(resolveConfigPath(opts.config)) ? loadConfig(opts).config : undefined;
  // The same redirect guard as polling: the operator's allow list, when there is a config.
  const fetched = await fetchFeed(opts.feed, {}, { ...defaultFetchLimits, allowPrivateHosts: config?.web.allowPrivateHosts ?? [] });
  if (fetched.kind !== 'fetched') throw new Error(`feed ${opts.feed}: answered 304 to an unconditional request`);
  const parsed = parseFeed(fetched.body, { sourceId: 'preview', location: opts.feed, baseUrl: fetched.finalUrl });
  const channels = templatesFor(config);
  const xChannel = config?.channels.find((c) => c.platform === 'x');
  const xPrices = xChannel?.platform === 'x' ? xChannel.prices : undefined;

  const items = parsed.items.map((item) => {
    // Each platform on its own: an item that cannot be composed for one is shown failed there, and
    // neither its other platform nor the rest of the feed is lost with it.
    const x = tryComposeForChannel(item, channels.x);
    const bluesky = tryComposeForChannel(item, channels.bluesky);
    const xParts = x.thread ? (x.thread.parts as unknown as XPart[]) : null;
    return {
      id: item.id,
      url: item.url ?? null,
      title: item.title ?? null,
      publishedAt: item.publishedAt ?? null,
      attribution: item.attribution ?? null,
      threads: { x: xParts, bluesky: bluesky.thread ? (bluesky.thread.parts as unknown as BlueskyPart[]) : null },
      cost: { xUsd: xParts ? round(estimateXCostUsd(xParts, xPrices)) : null },
      failures: [x.failure, bluesky.failure].flatMap((f) => (f ? [{ platform: f.platform, reason: f.reason }] : [])),
    };
  });
  const failed = items.filter((item) => item.failures.length > 0);
  // Said last and on stderr, so the items that did compose are all there above it, and scripts see the exit code.
  const failedNote = () => {
    if (failed.length) process.stderr.write(`threadcast preview: ${failed.length} of ${items.length} item(s) from ${terminalLine(opts.feed)} could not be composed\n`);
    return failed.length ? 1 : 0;
  };

  if (opts.json) {
    out.write(`${terminalJson({ feed: opts.feed, format: parsed.format, items, problems: parsed.problems })}\n`);
    return failedNote();
  }
  // Everything below but the counts comes from the feed: printed so that none of it can act on the terminal.
  for (const p of parsed.problems) process.stderr.write(`warning: ${terminalLine(p.where)}: ${terminalLine(p.message)}\n`);
  const failure = (platform: 'x' | 'bluesky', item: (typeof items)[number]) => {
    const reason = item.failures.find((f) => f.platform === platform)?.reason ?? '';
    return `     FAILED: could not compose item ${terminalLine(item.id)} of ${terminalLine(opts.feed)}: ${terminalLine(reason)}\n`;
  };
  for (const item of items) {
    out.write(`\n═══ ${terminalLine(item.title ?? '(untitled)')}  ${terminalLine(item.url ?? '')}\n`);
    const { x, bluesky } = item.threads;
    if (x) {
      out.write(`  X — ${x.length} part(s), about $${item.cost.xUsd!.toFixed(3)}\n`);
      x.forEach((p, i) => out.write(block(`${i + 1}`, p.text, `${p.weightedLength}/${X_MAX_WEIGHTED_LENGTH}`)));
    } else out.write(`  X — failed\n${failure('x', item)}`);
    if (bluesky) {
      out.write(`  Bluesky — ${bluesky.length} part(s)\n`);
      bluesky.forEach((p, i) => out.write(block(`${i + 1}`, p.text, `${p.graphemes}/${BLUESKY_MAX_GRAPHEMES} graphemes, ${p.bytes} bytes`)));
    } else out.write(`  Bluesky — failed\n${failure('bluesky', item)}`);
  }
  out.write(`\n${items.length} item(s) from ${terminalLine(opts.feed)} (${parsed.format})${failed.length ? `, ${failed.length} could not be composed` : ''}\n`);
  return failedNote();
}

function block(label: string, text: string, counts: string): string {
  const lines = text.split('\n').map((l) => `     │ ${terminalText(l)}`);
  return `   [${label}] ${counts}\n${lines.join('\n')}\n`;
}

function round(usd: number): number {
  return Math.round(usd * 1000) / 1000;
}
