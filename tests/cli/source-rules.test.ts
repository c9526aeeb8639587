/**
 * Per-source rules end to end (issue #18, point 6): a real feed from the corpus through `once` and `preview` with
 * include, exclude and maxAge rules and a source template.
 */
import { copyFileSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir, writeFile } from '../support/cli.js';

// Martin Fowler's bliki: ten entries, 2008-11-04 to 2009-01-07, each with one category (design, dsl, writing, agile).
const BLIKI = path.join(REPO, 'tests/fixtures/corpus/feedjira/MartinFowlersBliki.xml');

/** A whole number of days that reaches back from now to between 2008-12-11 and 2008-12-12 (UTC). */
const DAY = 86_400_000;
const maxAgeDays = () => Math.ceil((Date.now() - Date.parse('2008-12-12T00:00:00Z')) / DAY);

const RULES = `    include:
      categories: [Design, DSL]
    exclude:
      keywords: [Rules Engine]
      regex: ['post-?doc']
    maxAge: ${maxAgeDays()}d
    template:
      text: "Bliki: {title} {tags}\\n\\n{summary}"
`;

function configFor(dir: string, rules: string, feed = BLIKI): string {
  return writeFile(
    dir,
    'threadcast.yaml',
    `store: sqlite:${path.join(dir, 'state.sqlite')}
log: { level: info, format: json }
sources:
  - id: bliki
    feed: ${feed}
    backlog: all
${rules}channels:
  - id: x-main
    platform: x
    appKey: \${X_API_KEY}
    template:
      text: "Channel: {title}"
`,
  );
}

const published = (stdout: string) => Array.from(stdout.matchAll(/^── x-main \(x, dry-run\) ── bliki: (.*)$/gm), (m) => m[1]);

interface LogLine {
  msg: string;
  source?: string;
  channel?: string;
  item?: string;
  rule?: { list: string; by?: string; value?: string };
}
const filteredLogs = (stderr: string): LogLine[] =>
  stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine)
    .filter((l) => l.msg.startsWith('filtered: '));

describe('source rules', () => {
  it('queue only what the rules take, log why each other item was dropped, and never bring the dropped ones back', async () => {
    const dir = tempDir();
    // A copy, so the second round can make it look changed: an unchanged file is answered "not modified", unread.
    const feed = path.join(dir, 'bliki.xml');
    copyFileSync(BLIKI, feed);
    const config = configFor(dir, RULES, feed);
    const first = await runCli(['--config', config, 'once'], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    // Oldest first; the source's text wins over the channel's.
    expect(published(first.stdout)).toEqual(['BusinessReadableDSL', 'DslExceptionalism']);
    expect(first.stdout).toContain('Bliki: DslExceptionalism #dsl\n');
    expect(first.stdout).not.toContain('Channel: ');

    const logs = filteredLogs(first.stderr);
    const byItem = Object.fromEntries(logs.map((l) => [l.item!.replace(/^.*\/bliki\/|\.html$/g, ''), l.rule]));
    expect(byItem).toEqual({
      RulesEngine: { list: 'exclude', by: 'keyword', value: 'Rules Engine' },
      AcademicRotation: { list: 'exclude', by: 'regex', value: 'post-?doc' },
      UpcomingTalks: { list: 'include', by: 'none' },
      EstimatedInterest: expect.objectContaining({ list: 'maxAge', maxAge: `${maxAgeDays()}d` }),
      HumaneRegistry: expect.objectContaining({ list: 'maxAge' }),
      DatabaseThaw: expect.objectContaining({ list: 'maxAge' }),
      ServiceCustodian: expect.objectContaining({ list: 'maxAge' }),
      EarlyPain: expect.objectContaining({ list: 'maxAge' }),
    });
    expect(logs.every((l) => l.source === 'bliki' && l.channel === 'x-main')).toBe(true);
    expect(logs.find((l) => l.rule?.by === 'keyword')?.msg).toBe('filtered: exclude keyword "Rules Engine"');

    // Dropped items were marked seen: with every rule gone, none of them is queued, and nothing is logged again.
    configFor(dir, '', feed);
    utimesSync(feed, new Date(), new Date(Date.now() + 60_000));
    const second = await runCli(['--config', config, 'once'], { cwd: dir });
    expect(second.code, second.stderr).toBe(0);
    expect(published(second.stdout)).toEqual([]);
    expect(second.stdout).toContain('source bliki: 10 item(s), 0 new');
    expect(filteredLogs(second.stderr)).toEqual([]);
  });

  it('preview shows which items the rules drop and why, and the kept ones in the source template', async () => {
    const dir = tempDir();
    const config = configFor(dir, RULES);
    const json = await runCli(['--config', config, 'preview', '--feed', BLIKI, '--json'], { cwd: dir });
    expect(json.code, json.stderr).toBe(0);
    const out = JSON.parse(json.stdout) as {
      source: string;
      items: Array<{ title: string; dropped: { reason: string } | null; threads: Record<string, Array<{ text: string }> | null> }>;
    };
    expect(out.source).toBe('bliki');
    const kept = out.items.filter((i) => !i.dropped);
    expect(kept.map((i) => i.title)).toEqual(['DslExceptionalism', 'BusinessReadableDSL']);
    expect(kept.map((i) => i.threads.x![0]!.text.split('\n')[0])).toEqual(['Bliki: DslExceptionalism #dsl', 'Bliki: BusinessReadableDSL #dsl']);
    const reasons = Object.fromEntries(out.items.filter((i) => i.dropped).map((i) => [i.title, i.dropped!.reason]));
    expect(reasons).toMatchObject({
      RulesEngine: 'exclude keyword "Rules Engine"',
      AcademicRotation: 'exclude regex "post-?doc"',
      UpcomingTalks: 'include: matches none of the include rules',
      EarlyPain: `maxAge ${maxAgeDays()}d (published 2008-11-04T22:26:00.000Z)`,
    });
    expect(Object.keys(reasons)).toHaveLength(8);
    expect(out.items.filter((i) => i.dropped).every((i) => Object.keys(i.threads).length === 0)).toBe(true);

    const text = await runCli(['--config', config, 'preview', '--feed', BLIKI], { cwd: dir });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('═══ RulesEngine  http://martinfowler.com/bliki/RulesEngine.html\n  DROPPED by exclude keyword "Rules Engine": marked seen, never queued\n');
    expect(text.stdout).toMatch(/10 item\(s\) from .*MartinFowlersBliki\.xml \(rss\), 8 dropped by the rules of source bliki\n$/);
  });
});
