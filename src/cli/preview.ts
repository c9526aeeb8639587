import type { Writable } from 'node:stream';
import { existsSync } from 'node:fs';
import { defaultTemplate } from '../config/template-schema.js';
import type { ChannelConfig, Config } from '../config/schema.js';
import { estimateXCostUsd, type XPart } from '../compose/index.js';
import { defaultFetchLimits, fetchFeed } from '../sources/fetch-feed.js';
import { parseFeed } from '../sources/parse-feed.js';
import { composeForChannel } from '../platforms/compose-for-channel.js';
import { loadDotEnv, resolveConfigPath } from '../config/load.js';
import { terminalJson, terminalLine, terminalText } from '../core/terminal-text.js';
import { loadConfig, type GlobalOptions } from './context.js';

const PLATFORMS = ['x', 'bluesky'] as const;

/** The template each platform's preview uses: the first configured channel of that platform, else the default. */
function templatesFor(config: Config | undefined): Record<(typeof PLATFORMS)[number], Pick<ChannelConfig, 'platform' | 'template'>> {
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
    const x = composeForChannel(item, channels.x).parts as unknown as XPart[];
    const bluesky = composeForChannel(item, channels.bluesky).parts;
    return {
      id: item.id,
      url: item.url ?? null,
      title: item.title ?? null,
      publishedAt: item.publishedAt ?? null,
      attribution: item.attribution ?? null,
      threads: { x, bluesky },
      cost: { xUsd: round(estimateXCostUsd(x, xPrices)) },
    };
  });

  if (opts.json) {
    out.write(`${terminalJson({ feed: opts.feed, format: parsed.format, items, problems: parsed.problems })}\n`);
    return 0;
  }
  // Everything below but the counts comes from the feed: printed so that none of it can act on the terminal.
  for (const p of parsed.problems) process.stderr.write(`warning: ${terminalLine(p.where)}: ${terminalLine(p.message)}\n`);
  for (const item of items) {
    out.write(`\n═══ ${terminalLine(item.title ?? '(untitled)')}  ${terminalLine(item.url ?? '')}\n`);
    out.write(`  X — ${item.threads.x.length} part(s), about $${item.cost.xUsd.toFixed(3)}\n`);
    item.threads.x.forEach((p, i) => out.write(block(`${i + 1}`, p.text, `${p.weightedLength}/280`)));
    out.write(`  Bluesky — ${item.threads.bluesky.length} part(s)\n`);
    item.threads.bluesky.forEach((p, i) => {
      const part = p as { text: string; graphemes?: number; bytes?: number };
      out.write(block(`${i + 1}`, part.text, `${part.graphemes}/300 graphemes, ${part.bytes} bytes`));
    });
  }
  out.write(`\n${items.length} item(s) from ${terminalLine(opts.feed)} (${parsed.format})\n`);
  return 0;
}

function block(label: string, text: string, counts: string): string {
  const lines = text.split('\n').map((l) => `     │ ${terminalText(l)}`);
  return `   [${label}] ${counts}\n${lines.join('\n')}\n`;
}

function round(usd: number): number {
  return Math.round(usd * 1000) / 1000;
}
