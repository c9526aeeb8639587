import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { ChannelConfig } from '../../src/config/schema.js';
import { defaultTemplate } from '../../src/config/template-schema.js';
import { terminalJson, terminalLine, terminalText } from '../../src/core/terminal-text.js';
import { composeForChannel } from '../../src/platforms/compose-for-channel.js';
import { Outbox } from '../../src/outbox/outbox.js';
import { parseFeed } from '../../src/sources/parse-feed.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { runCli, tempDir, writeFile } from '../support/cli.js';

// Issue #13: terminal escapes and bidi overrides in outside text. ESC [2J clears the screen, ESC [31m turns the
// rest of the session red, U+202E reverses what follows it, U+009B is the one-byte CSI.
const ESC_SEQUENCES = '\u001b[2J\u001b[31m';
const RLO = '\u202e';
const HOSTILE_TITLE = `Council meeting${ESC_SEQUENCES} moved ${RLO}txt.exe`;
// Anything a terminal would act on, or that reorders text: C0 but tab and line feed, DEL, C1, bidi controls.
// eslint-disable-next-line no-control-regex
const ACTIVE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** An RSS feed carrying the controls raw in its title, description and category. */
function hostileRss(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>Town news${ESC_SEQUENCES}</title>
    <link>https://example.org/</link>
    <item>
      <title>${HOSTILE_TITLE}</title>
      <link>https://example.org/meeting</link>
      <guid>https://example.org/meeting</guid>
      <category>Council\u0007\u009b2J</category>
      <description><![CDATA[<p>Line one \u2066isolated\u2069 and \u202aembedded\u202c.</p><p>Family day 👩‍👩‍👧 ❤️ and שלום\u200f (hello).</p>]]></description>
    </item>
  </channel>
</rss>
`;
}

const channels: Array<Pick<ChannelConfig, 'platform' | 'template'>> = [
  { platform: 'x', template: defaultTemplate } as Pick<ChannelConfig, 'platform' | 'template'>,
  { platform: 'bluesky', template: defaultTemplate } as Pick<ChannelConfig, 'platform' | 'template'>,
];

describe('control characters and bidi overrides in feed text', () => {
  const feed = parseFeed(hostileRss(), { sourceId: 'town', location: 'tests/hostile.xml' });
  const item = feed.items[0]!;

  it('are stripped at intake: title, summary, tags and feed title keep their words and lose the controls', () => {
    expect(item.title).toBe('Council meeting moved txt.exe');
    expect(feed.title).toBe('Town news');
    expect(item.tags).toEqual(['Council']);
    expect(item.summary).toBe('Line one isolated and embedded.\n\nFamily day 👩‍👩‍👧 ❤️ and שלום\u200f (hello).');
    for (const text of [item.title!, item.summary, ...item.tags, feed.title!]) expect(text).not.toMatch(ACTIVE);
  });

  it('keeps ZWJ, variation selectors, RLM and paragraph breaks', () => {
    expect(item.summary).toContain('👩\u200d👩\u200d👧');
    expect(item.summary).toContain('❤\ufe0f');
    expect(item.summary).toContain('\u200f');
    expect(item.summary).toContain('\n\n');
  });

  it('never reach a composed post on either platform', () => {
    for (const channel of channels) {
      const parts = composeForChannel(item, channel).parts;
      const text = parts.map((p) => p.text).join('\n');
      expect(text).toContain('Council meeting moved txt.exe');
      expect(text).not.toContain('\u001b');
      expect(text).not.toContain(RLO);
      expect(text).not.toMatch(ACTIVE);
    }
  });

  it('are stripped from a JSON Feed too, where JSON escapes make them easy to send', () => {
    const json = JSON.stringify({
      version: 'https://jsonfeed.org/version/1.1',
      title: 'Town',
      items: [{ id: '1', url: 'https://example.org/1', title: HOSTILE_TITLE, content_text: `Hello${ESC_SEQUENCES}\r\nworld${RLO}\u0085` }],
    });
    const [jsonItem] = parseFeed(json, { sourceId: 'town', location: 'tests/hostile.json' }).items;
    expect(jsonItem!.title).toBe('Council meeting moved txt.exe');
    expect(jsonItem!.summary).toBe('Hello world');
  });
});

describe('terminal-safe text', () => {
  it('shows every control that would act on a terminal as a visible escape, and keeps the rest', () => {
    expect(terminalText(`a\u001b[2Jb\rc\u009bd${RLO}e\u2066f\u007fg`)).toBe('a\\x1b[2Jb\\rc\\x9bd\\u202ee\\u2066f\\x7fg');
    expect(terminalText('two\nlines\twith tab, 👩‍👩‍👧 ❤️ שלום\u200f')).toBe('two\nlines\twith tab, 👩‍👩‍👧 ❤️ שלום\u200f');
    expect(terminalLine('two\nlines\tand\u001b')).toBe('two\\nlines\\tand\\x1b');
  });

  it('writes JSON that parses back to the same value with nothing a terminal acts on left raw', () => {
    const value = { title: `x${ESC_SEQUENCES}${RLO}\u009b\u0085y`, emoji: '👩‍👩‍👧 ❤️' };
    const json = terminalJson(value);
    expect(json).not.toMatch(ACTIVE);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('threadcast preview prints a hostile feed without a raw control', () => {
  it('escapes what reaches the terminal, in human and JSON output', async () => {
    const dir = tempDir();
    const file = writeFile(dir, 'hostile.xml', hostileRss());
    const human = await runCli(['preview', '--feed', file], { cwd: dir });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('Council meeting moved txt.exe');
    for (const output of [human.stdout, human.stderr]) {
      expect(output).not.toContain('\u001b');
      expect(output).not.toContain(RLO);
      expect(output).not.toMatch(ACTIVE);
    }
    const json = await runCli(['preview', '--feed', file, '--json'], { cwd: dir });
    expect(json.code).toBe(0);
    expect(json.stdout).not.toMatch(ACTIVE);
  });
});

describe('an announcement with terminal escapes', { timeout: 120_000 }, () => {
  it('is printed escaped by queue add, list, show and the dry-run of once', async () => {
    const dir = tempDir();
    const config = writeFile(
      dir,
      'threadcast.yaml',
      `store: sqlite:${path.join(dir, 'state.sqlite')}
sources: []
channels:
  - id: x
    platform: x
`,
    );
    const run = (...args: string[]) => runCli(['--config', config, ...args], { cwd: dir });
    const text = `Closed today${ESC_SEQUENCES} ${RLO}enep won\u009b2J`;
    const added = await run('queue', 'add', '--text', text);
    expect(added.code, added.stdout).toBe(0);
    const id = /announcement (a-\S+) queued/.exec(added.stdout)![1]!;
    const list = await run('queue', 'list');
    const listJson = await run('queue', 'list', '--json');
    const show = await run('queue', 'show', id);
    const once = await run('once');
    for (const result of [added, list, show, once]) {
      expect(result.stdout).toContain('Closed today');
      expect(result.stdout).not.toContain('\u001b');
      expect(result.stdout).not.toContain(RLO);
      expect(result.stdout).not.toMatch(ACTIVE);
    }
    // Where the text is shown as stored, the controls are visible as escapes rather than gone.
    expect(list.stdout).toContain('Closed today\\x1b[2J\\x1b[31m \\u202eenep won\\x9b2J');
    expect(listJson.stdout).not.toMatch(ACTIVE);
    expect(JSON.parse(listJson.stdout).deliveries[0].text).toBe(text);
  });
});

describe('a store written before intake stripped controls', { timeout: 120_000 }, () => {
  it('is shown escaped by status, in text and JSON', async () => {
    const dir = tempDir();
    const storePath = path.join(dir, 'state.sqlite');
    const config = writeFile(dir, 'threadcast.yaml', `store: sqlite:${storePath}\nsources: []\nchannels:\n  - id: x\n    platform: x\n`);
    // An older release queued this title as it came; the outbox stores items as given.
    const store = new SqliteStore(storePath);
    const outbox = new Outbox(store, { owner: 'test', retry: { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 2_000 }, log: pino({ level: 'silent' }) });
    const title = `Old title${ESC_SEQUENCES} ${RLO}txt.exe`;
    await outbox.enqueue({ id: 'old-1', sourceId: 'news', title, summary: 'Text.', tags: [], images: [], contentHash: 'h' }, 'x');
    await store.close();
    for (const args of [['status'], ['status', '--json']]) {
      const result = await runCli(['--config', config, ...args], { cwd: dir });
      expect(result.stdout, result.stdout).toContain('Old title');
      expect(result.stdout).not.toMatch(ACTIVE);
    }
  });
});
