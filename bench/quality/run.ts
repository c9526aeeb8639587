/**
 * `npm run quality`: previews every feed of the real-feed corpus (tests/fixtures/corpus, see its SOURCES.md) and
 * our digest fixture, and writes bench/QUALITY.md — how many items the judge of bench/quality/flags.ts flags, by
 * kind, against the goal of issue #14 (at most 2 % of items flagged), with examples, and the crashes, refused parts
 * and lost entries that tests/corpus/corpus-preview.test.ts fails on. `--stdout` prints the document instead;
 * `--show <part of a path>` prints the matching feeds' items, X threads and flags, to see what a flag means.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { FLAG_KINDS, isCounted, type FlagKind } from './flags.js';
import { corpusFiles, previewFile, REPO, type FeedReport } from './preview-corpus.js';

/** Issue #14: at most this share of items may carry any flag. */
const GOAL_PERCENT = 2;
const EXAMPLES_PER_KIND = 8;

const args = process.argv.slice(2);
const show = args.includes('--show') ? args[args.indexOf('--show') + 1] ?? '' : undefined;
if (show !== undefined) {
  for (const file of corpusFiles().filter((f) => f.includes(show))) {
    const r = await previewFile(file);
    process.stdout.write(`\n## ${file}: ${r.entries} entries, ${r.items.length} items${r.crash ? `, failed: ${r.crash}` : ''}\n`);
    for (const p of r.problems) process.stdout.write(`  problem: ${p.where}: ${p.message}\n`);
    for (const i of r.items) {
      process.stdout.write(`\n  ${i.item.title ?? '(untitled)'}\n`);
      for (const f of i.flags) process.stdout.write(`    ! ${f.kind}: ${f.evidence}\n`);
      i.item.threads.x.forEach((p, n) => process.stdout.write(`    [x ${n + 1}] ${p.text.replace(/\n/g, '⏎')}\n`));
    }
  }
  process.exit(0);
}
const started = new Date();
const reports: FeedReport[] = [];
for (const file of corpusFiles()) reports.push(await previewFile(file));

const items = reports.flatMap((r) => r.items.map((i) => ({ feed: r.file, ...i })));
const total = items.length;
const pct = (n: number): string => (total === 0 ? '–' : `${((100 * n) / total).toFixed(1)} %`);
const byKind = new Map<FlagKind, typeof items>(FLAG_KINDS.map(({ kind }) => [kind, []]));
for (const i of items) for (const f of i.flags) byKind.get(f.kind)!.push(i);
const flagged = items.filter((i) => i.flags.some((f) => isCounted(f.kind))).length;
const entries = reports.reduce((n, r) => n + r.entries, 0);
const crashes = reports.filter((r) => r.crash);
const itemCrashes = reports.flatMap((r) => r.itemCrashes.map((c) => ({ feed: r.file, ...c })));
const invalid = reports.flatMap((r) => r.invalidParts.map((p) => ({ feed: r.file, ...p })));
const lost = reports.filter((r) => r.lost > 0);
const lostTotal = lost.reduce((n, r) => n + r.lost, 0);

const cell = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ').replace(/</g, '&lt;');
const clip = (s: string, n = 160): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const title = (t: string | null): string => (t ? clip(t, 70) : '(untitled)');

function git(...a: string[]): string {
  try {
    return execFileSync('git', a, { cwd: REPO, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}
const commit = git('rev-parse', '--short=12', 'HEAD') || 'unknown';
const dirty = git('status', '--porcelain', '--', 'src', 'bench/quality', 'tests/fixtures') ? ' (with uncommitted changes)' : '';

const lines: string[] = [
  '# Post quality on the real-feed corpus',
  '',
  `- Command: \`npm run quality\``,
  `- Date: ${started.toISOString()}`,
  `- Commit: ${commit}${dirty}`,
  `- Feeds: ${reports.length} (tests/fixtures/corpus, listed in its SOURCES.md, and ${path.basename(corpusFiles().at(-1) ?? '')}); entries counted independently: ${entries}; previewed items: ${total}`,
  '',
  'Every item is previewed as `threadcast preview` shows it (default template, X and Bluesky) and judged by',
  '`bench/quality/flags.ts`, whose comments define each kind. An item counts once in the total however many flags',
  'it has. A thread that stops mid-sentence exactly where the feed entry’s own text stops — checked against every',
  'body field of the entry, none of which has more — was not cut by us: it is listed in full in its own row below',
  'the total and not counted in it.',
  '',
  '| kind | items | % of items |',
  '| --- | ---: | ---: |',
  ...FLAG_KINDS.filter(({ kind }) => isCounted(kind)).map(({ kind, label }) => `| ${label} | ${byKind.get(kind)!.length} | ${pct(byKind.get(kind)!.length)} |`),
  `| **flagged items (any kind)** | **${flagged}** | **${pct(flagged)}** |`,
  ...FLAG_KINDS.filter(({ kind }) => !isCounted(kind)).map(({ kind, label }) => `| ${label} | ${byKind.get(kind)!.length} | ${pct(byKind.get(kind)!.length)} |`),
  '',
  `Goal (issue #14): at most ${GOAL_PERCENT} % of items flagged — ${total > 0 && (100 * flagged) / total <= GOAL_PERCENT ? '**met**' : '**not met**'}.`,
  '',
  '## Crashes, refused parts, lost entries',
  '',
  `- Feeds that failed to preview: ${crashes.length}`,
  ...crashes.map((r) => `  - \`${r.file}\`: ${cell(clip(r.crash!, 300))}`),
  `- Items whose compose threw: ${itemCrashes.length}`,
  ...itemCrashes.map((c) => `  - \`${c.feed}\` — ${cell(title(c.title))}: ${cell(clip(c.message, 200))}`),
  `- Parts a platform would refuse: ${invalid.length}`,
  ...invalid.map((p) => `  - \`${p.feed}\` — ${cell(title(p.title))}: ${p.platform} part ${p.part}: ${cell(p.reason)}`),
  `- Entries that yield no item: ${lostTotal}${crashes.length ? ' (those of the feeds that failed included)' : ''}`,
  ...lost.map(
    (r) =>
      `  - \`${r.file}\`: ${r.entries} entries, ${r.items.length + r.itemCrashes.length} items${r.crash ? ' (the feed failed)' : ''}${
        r.problems.length ? `; parser said: ${r.problems.map((p) => cell(clip(`${p.where}: ${p.message}`, 200))).join('; ')}` : ''
      }`,
  ),
  ...reports.filter((r) => r.countMismatch).map((r) => `- Count in doubt: \`${r.file}\`: ${r.countMismatch}`),
  '',
  '## Examples by kind',
  '',
  `Up to ${EXAMPLES_PER_KIND} per kind, from as many feeds as possible; every item of a kind not counted.`,
];
for (const { kind, label } of FLAG_KINDS) {
  const hits = byKind.get(kind)!;
  lines.push('', `### ${label} (${hits.length})`, '');
  if (hits.length === 0) {
    lines.push('None.');
    continue;
  }
  lines.push('| feed | item | evidence |', '| --- | --- | --- |');
  for (const i of isCounted(kind) ? spread(hits, EXAMPLES_PER_KIND) : hits) {
    const flag = i.flags.find((f) => f.kind === kind)!;
    lines.push(`| \`${i.feed.replace(/^tests\/fixtures\/(?:corpus\/)?/, '')}\` | ${cell(title(i.item.title))} | ${cell(clip(flag.evidence, 220))} |`);
  }
}
lines.push(
  '',
  '## By feed',
  '',
  '| feed | format | entries | items | flagged | kinds |',
  '| --- | --- | ---: | ---: | ---: | --- |',
  ...reports.map((r) => {
    const kinds = new Map<string, number>();
    for (const i of r.items) for (const f of i.flags) kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + 1);
    const flaggedHere = r.items.filter((i) => i.flags.some((f) => isCounted(f.kind))).length;
    const kindList = [...kinds].map(([k, n]) => `${k} ${n}`).join(', ');
    return `| \`${r.file.replace(/^tests\/fixtures\/(?:corpus\/)?/, '')}\` | ${r.crash ? 'crash' : r.format ?? ''} | ${r.entries} | ${r.items.length} | ${flaggedHere} | ${kindList} |`;
  }),
  '',
);

/** Examples from different feeds first, so one feed's twenty identical flags do not fill the table. */
function spread<T extends { feed: string }>(hits: readonly T[], n: number): T[] {
  const out: T[] = [];
  const seen = new Set<string>();
  for (const h of hits) if (out.length < n && !seen.has(h.feed)) (seen.add(h.feed), out.push(h));
  for (const h of hits) if (out.length < n && !out.includes(h)) out.push(h);
  return out;
}

const document = lines.join('\n');
if (args.includes('--stdout')) process.stdout.write(document);
else {
  writeFileSync(path.join(REPO, 'bench/QUALITY.md'), document);
  process.stdout.write(
    `${flagged}/${total} items flagged (${pct(flagged)}; goal ≤ ${GOAL_PERCENT} %); crashes ${crashes.length + itemCrashes.length}, refused parts ${invalid.length}, lost entries ${lostTotal} → bench/QUALITY.md\n`,
  );
}
