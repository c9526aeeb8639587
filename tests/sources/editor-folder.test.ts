import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/platforms/config-schema.js';
import { EditorQueue } from '../../src/outbox/editor-queue.js';
import { Outbox } from '../../src/outbox/outbox.js';
import { scanEditorFolder, type ScanOptions } from '../../src/sources/editor-folder.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { tempDir, writeFile } from '../support/cli.js';
import { solidPng } from '../media/helpers.js';

/**
 * The editor folder: Markdown files become announcements exactly once (renamed `.md.queued` after
 * queueing, deduplicated by a content id if marking did not happen), and a bad file is explained beside
 * it in `.md.error` without holding up the other files. Real store, outbox and editor queue throughout.
 */

const stores: Store[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

async function setup() {
  const logs: Array<{ level: number; msg: string; file?: string; line?: number; field?: string }> = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  // A store file of its own: copies of images named in drop files are kept in the uploads folder beside it.
  const stateDir = tempDir('threadcast-editor-folder-state-');
  const config = ConfigSchema.parse({
    store: `sqlite:${path.join(stateDir, 'state.sqlite')}`,
    dryRun: true,
    channels: [
      { id: 'bsky', platform: 'bluesky' },
      { id: 'x', platform: 'x' },
    ],
  });
  const store = await openStore(config.store);
  stores.push(store);
  // A clock that moves on each read, so deliveries' creation order is the order the files were queued.
  let clock = Date.parse('2026-11-01T00:00:00Z');
  const outbox = new Outbox(store, { owner: 'test', retry: config.retry, log, now: () => (clock += 1000) });
  const queue = new EditorQueue(config, store, outbox);
  const dir = tempDir('threadcast-editor-folder-');
  return {
    dir,
    store,
    logs,
    // Files here are written just before each scan: a short settle keeps the scan's wait for them short.
    scan: (folder = dir, channels?: string[]) => scanEditorFolder(folder, queue, log, { settleMs: 20, ...(channels ? { channels } : {}) }),
    scanWith: (opts: ScanOptions) => scanEditorFolder(dir, queue, log, { settleMs: 20, ...opts }),
    write: (name: string, text: string) => writeFile(dir, name, text),
    /** How the scan names a file: relative to the working directory. */
    rel: (name: string) => path.relative(process.cwd(), path.join(dir, name)),
    deliveries: () => store.listDeliveries(),
    uploads: path.join(stateDir, 'uploads'),
  };
}

const idFor = (name: string, text: string) => `f-${createHash('sha256').update(`${name}\0${text}`).digest('hex').slice(0, 16)}`;

/** Makes the file look saved after its .error was written (file times can be too coarse to tell apart). */
function saveLater(file: string): void {
  const later = new Date(statSync(`${file}.error`).mtimeMs + 2000);
  utimesSync(file, later, later);
}

describe('scanEditorFolder', () => {
  it('queues a file with front matter on the named channel, with its link, publish-at time and image', async () => {
    const s = await setup();
    mkdirSync(path.join(s.dir, 'img'));
    const photo = await solidPng(4, 3);
    writeFileSync(path.join(s.dir, 'img/hall.png'), photo);
    // `at` is unquoted on purpose: YAML 1.1 would turn it into a Date, which the schema would refuse.
    const text = [
      '---',
      'at: 2026-12-01T09:00:00+01:00',
      'channels: x',
      'url: https://example.org/closure',
      'image: img/hall.png',
      'alt: The town hall, doors closed',
      '---',
      '',
      'The town hall is closed on Friday.',
      '',
      'Services resume on Monday.',
      '',
    ].join('\n');
    s.write('closure.md', text);

    const report = await s.scan();

    const [delivery, ...others] = await s.deliveries();
    expect(others).toEqual([]);
    expect(delivery).toMatchObject({
      channelId: 'x',
      itemId: idFor('closure.md', text),
      notBefore: '2026-12-01T08:00:00.000Z',
      item: {
        summary: 'The town hall is closed on Friday.\n\nServices resume on Monday.',
        url: 'https://example.org/closure',
        images: [{ alt: 'The town hall, doors closed' }],
      },
    });
    // What goes out is a copy taken when the file was queued, kept where editors cannot change it.
    const kept = delivery!.item.images[0]!.url;
    expect(path.dirname(kept)).toBe(s.uploads);
    expect(path.basename(kept)).toMatch(/^[0-9a-f]{32}\.png$/);
    expect(readFileSync(kept).equals(photo)).toBe(true);
    expect(report).toEqual({
      folder: s.dir,
      queued: [{ file: s.rel('closure.md'), announcementId: idFor('closure.md', text), deliveryIds: [delivery!.id] }],
      skipped: [],
      failed: [],
      problems: [],
    });
  });

  it('queues a file without front matter on every channel, and accepts channels as a YAML list or with CRLF lines', async () => {
    const s = await setup();
    s.write('a.md', '  Bring your own mug to the café.  \n');
    s.write('b.md', '---\r\nchannels:\r\n  - bsky\r\n  - x\r\n---\r\nQuiz night on Thursday.\r\n');

    const report = await s.scan();

    expect(report.failed).toEqual([]);
    const byText = (t: string) => (d: { item: { summary: string } }) => d.item.summary === t;
    const all = await s.deliveries();
    expect(all.filter(byText('Bring your own mug to the café.')).map((d) => d.channelId).sort()).toEqual(['bsky', 'x']);
    expect(all.filter(byText('Quiz night on Thursday.')).map((d) => d.channelId).sort()).toEqual(['bsky', 'x']);
  });

  it('marks a queued file .md.queued, so the next scan queues nothing', async () => {
    const s = await setup();
    const file = s.write('news.md', 'Library quiz night on Thursday.');

    expect((await s.scan()).queued).toHaveLength(1);
    expect(existsSync(file)).toBe(false);
    expect(readFileSync(`${file}.queued`, 'utf8')).toBe('Library quiz night on Thursday.');

    const again = await s.scan();
    expect(again).toMatchObject({ queued: [], skipped: [], failed: [] });
    expect(await s.deliveries()).toHaveLength(2);
  });

  it('after a crash between queueing and marking, the next scan creates no new delivery and marks the file', async () => {
    const s = await setup();
    const text = 'The pool reopens on Saturday.';
    const file = s.write('pool.md', text);
    await s.scan();
    const before = await s.deliveries();
    // As if the process died right after queue.add: the file still has its .md name.
    renameSync(`${file}.queued`, file);

    const report = await s.scan();

    expect(report.queued).toEqual([]);
    expect(report.skipped).toEqual([{ file: s.rel('pool.md'), reason: 'already-queued', announcementId: idFor('pool.md', text) }]);
    expect(await s.deliveries()).toEqual(before);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.queued`)).toBe(true);
  });

  const badFiles: Array<{ name: string; text: string; line: number; field: string; message: RegExp }> = [
    { name: 'unknown channel', text: '---\nurl: https://example.org\nchannels: [x, mastodon]\n---\nHello', line: 3, field: 'channels', message: /no channel "mastodon"/ },
    { name: 'bad url', text: '---\nurl: ftp://example.org/file\n---\nHello', line: 2, field: 'url', message: /give an http\(s\) URL/ },
    { name: 'YAML syntax error', text: '---\nat: 2026-12-01T09:00:00+01:00\nchannels: [x, bsky\nurl: https://example.org\n---\nHello', line: 4, field: 'front matter', message: /YAML: / },
    { name: 'image without alt', text: '---\nchannels: x\nimage: photo.png\n---\nHello', line: 3, field: 'alt', message: /an image needs alt text/ },
    { name: 'missing image', text: '---\nimage: nowhere.png\nalt: A photo\n---\nHello', line: 2, field: 'image', message: /no such file nowhere\.png/ },
    { name: 'empty body', text: '---\nchannels: x\n---\n\n   \n', line: 4, field: 'text', message: /the announcement text is empty/ },
    { name: 'unknown key', text: '---\nchannels: x\ntitle: Closed\n---\nHello', line: 3, field: 'title', message: /unknown field "title"/ },
    { name: 'time without offset', text: '---\nat: 2026-12-01T09:00:00\n---\nHello', line: 2, field: 'at', message: /with its offset/ },
    { name: 'unclosed front matter', text: '---\nchannels: x\nHello', line: 1, field: 'front matter', message: /no later line is ---/ },
  ];

  it.each(badFiles)('explains a bad file ($name) in .md.error with file, line and field, and still queues the next file', async ({ text, line, field, message }) => {
    const s = await setup();
    writeFile(s.dir, 'photo.png', 'pixels');
    const bad = s.write('01-bad.md', text);
    s.write('02-good.md', 'Good news travels.');

    const report = await s.scan();

    const prefix = `${s.rel('01-bad.md')}:${line}: ${field}: `;
    const [first, hint] = readFileSync(`${bad}.error`, 'utf8').split('\n');
    expect(first!.startsWith(prefix), first).toBe(true);
    expect(first!.slice(prefix.length)).toMatch(message);
    expect(hint).toMatch(/edit .*01-bad\.md.* save it: the next scan retries it/);
    expect(report.failed).toEqual([{ file: s.rel('01-bad.md'), message: first, errorFile: `${bad}.error` }]);
    expect(existsSync(bad)).toBe(true);
    expect(s.logs.some((l) => l.level === 40 && l.file === s.rel('01-bad.md') && l.line === line && l.field === field)).toBe(true);
    // The good file behind it is not held up.
    expect(report.queued.map((q) => q.file)).toEqual([s.rel('02-good.md')]);
    expect((await s.deliveries()).map((d) => d.item.summary)).toEqual(['Good news travels.', 'Good news travels.']);
  });

  it('lists every problem of a bad file in its .md.error at once, in line order', async () => {
    const s = await setup();
    const bad = s.write(
      'many.md',
      ['---', 'url: ftp://example.org/file', 'at: 2026-12-01T09:00:00', 'image: nowhere.png', 'title: Closed', 'text: Hello', 'flavour: vanilla', '---', 'The body.'].join('\n'),
    );

    const report = await s.scan();

    const where = s.rel('many.md');
    const expected = [
      `${where}:2: url: give an http(s) URL`,
      `${where}:3: at: give an ISO 8601 time with its offset, e.g. 2026-12-01T09:00:00+01:00`,
      `${where}:4: alt: an image needs alt text, so everyone can follow the post`,
      `${where}:4: image: no such file nowhere.png`,
      `${where}:5: title: unknown field "title"`,
      `${where}:6: text: the text is the body below the front matter, not a front matter key`,
      `${where}:7: flavour: unknown field "flavour"`,
    ];
    const lines = readFileSync(`${bad}.error`, 'utf8').trimEnd().split('\n');
    expect(lines.slice(0, -1)).toEqual(expected);
    expect(lines.at(-1)).toMatch(/^To fix these 7 problems, edit .*many\.md/);
    expect(report.failed).toEqual([{ file: where, message: expected.join('\n'), errorFile: `${bad}.error` }]);
    expect(await s.deliveries()).toEqual([]);
    for (const line of [2, 3, 4, 5, 6, 7]) expect(s.logs.some((l) => l.level === 40 && l.file === where && l.line === line), `log for line ${line}`).toBe(true);
  });

  it('says an unknown channel with the file\'s other problems, when the scan knows the configured channels', async () => {
    const s = await setup();
    const bad = s.write('channel.md', ['---', 'channels: [x, mastodon]', 'url: ftp://example.org/file', '---', 'The body.'].join('\n'));

    const report = await s.scan(s.dir, ['bsky', 'x']);

    const where = s.rel('channel.md');
    const expected = [`${where}:2: channels: no channel "mastodon" (configured: bsky, x)`, `${where}:3: url: give an http(s) URL`];
    expect(readFileSync(`${bad}.error`, 'utf8').trimEnd().split('\n').slice(0, -1)).toEqual(expected);
    expect(report.failed).toEqual([{ file: where, message: expected.join('\n'), errorFile: `${bad}.error` }]);
    expect(await s.deliveries()).toEqual([]);
  });

  it('lists every YAML error of the front matter at once', async () => {
    const s = await setup();
    const bad = s.write('yaml.md', ['---', 'channels: [x, bsky', 'url: https://example.org', 'url: https://example.org/again', '---', 'Hello'].join('\n'));
    await s.scan();
    const problems = readFileSync(`${bad}.error`, 'utf8').trimEnd().split('\n').slice(0, -1);
    expect(problems.length).toBeGreaterThan(1);
    for (const p of problems) expect(p).toMatch(new RegExp(`^${s.rel('yaml.md').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: front matter: YAML: `));
  });

  it('does not retry a bad file until it is saved again; once fixed it is queued and its .error removed', async () => {
    const s = await setup();
    const file = s.write('launch.md', '---\nimage: poster.png\nalt: The poster\n---\nThe festival starts today.');
    expect((await s.scan()).failed).toHaveLength(1);
    const errorText = readFileSync(`${file}.error`, 'utf8');

    // The image appears, but the file itself is unchanged: it stays skipped (and would now succeed).
    writeFileSync(path.join(s.dir, 'poster.png'), await solidPng(2, 2));
    const unchanged = await s.scan();
    expect(unchanged.skipped).toEqual([{ file: s.rel('launch.md'), reason: 'unchanged-since-error' }]);
    expect(unchanged.failed).toEqual([]);
    expect(await s.deliveries()).toEqual([]);
    expect(readFileSync(`${file}.error`, 'utf8')).toBe(errorText);

    // The editor saves the file again.
    s.write('launch.md', '---\nimage: poster.png\nalt: The festival poster\n---\nThe festival starts today.');
    saveLater(file);
    const fixed = await s.scan();

    expect(fixed.queued.map((q) => q.file)).toEqual([s.rel('launch.md')]);
    expect((await s.deliveries()).map((d) => d.item.images[0]?.alt)).toEqual(['The festival poster', 'The festival poster']);
    expect(existsSync(`${file}.error`)).toBe(false);
    expect(existsSync(`${file}.queued`)).toBe(true);
  });

  it('a file modified "in the future" (saved where the clock is ahead) neither holds every scan nor fails again while unchanged', async () => {
    const s = await setup();
    const file = s.write('ahead.md', '---\nimage: missing.png\nalt: The poster\n---\nThe festival starts today.');
    const ahead = new Date(Date.now() + 3_600_000);
    utimesSync(file, ahead, ahead);
    // Past settleMs since its last real change, which the kernel keeps as its ctime.
    await new Promise((resolve) => setTimeout(resolve, 60));
    const waits: number[] = [];
    const wait = async (ms: number) => void waits.push(ms);

    expect((await s.scanWith({ wait })).failed).toHaveLength(1);
    const again = await s.scanWith({ wait });
    expect(again.failed).toEqual([]);
    expect(again.skipped).toEqual([{ file: s.rel('ahead.md'), reason: 'unchanged-since-error' }]);
    expect(waits).toEqual([]);
  });

  it('retries a bad file fixed and copied in with an older modification time (rsync -t, cp -p)', async () => {
    const s = await setup();
    const file = s.write('copied.md', '---\nimage: missing.png\nalt: The poster\n---\nThe festival starts today.');
    expect((await s.scan()).failed).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The fixed version arrives with the mtime it had where it was written, before the .error.
    s.write('copied.md', '---\nalt: The poster\n---\nThe festival starts today.');
    const before = new Date(statSync(`${file}.error`).mtimeMs - 60_000);
    utimesSync(file, before, before);
    const fixed = await s.scan();
    expect(fixed.failed).toEqual([]);
    expect(fixed.queued.map((q) => q.file)).toEqual([s.rel('copied.md')]);
  });

  it('reports a missing folder as a problem instead of throwing', async () => {
    const s = await setup();
    const missing = path.join(s.dir, 'no-such-folder');

    const report = await s.scan(missing);

    expect(report).toEqual({ folder: missing, queued: [], skipped: [], failed: [], problems: [`editor folder ${missing}: no such folder`] });
    expect(s.logs.some((l) => l.level === 40 && l.msg.includes('no such folder'))).toBe(true);
  });

  it('queues files in name order', async () => {
    const s = await setup();
    s.write('10-third.md', 'Third');
    s.write('01-first.md', 'First');
    s.write('02-second.md', 'Second');

    const report = await s.scan();

    expect(report.queued.map((q) => path.basename(q.file))).toEqual(['01-first.md', '02-second.md', '10-third.md']);
    const onX = await s.store.listDeliveries({ channelId: 'x' });
    expect(onX.map((d) => d.item.summary)).toEqual(['First', 'Second', 'Third']);
  });

  it('looks only at *.md directly in the folder, and refuses files over 1 MiB', async () => {
    const s = await setup();
    mkdirSync(path.join(s.dir, 'drafts'));
    s.write('drafts/nested.md', 'Not yet');
    s.write('.hidden.md', 'Swap file');
    s.write('notes.txt', 'Not an announcement');
    mkdirSync(path.join(s.dir, 'folder.md'));
    const big = s.write('big.md', 'x'.repeat(1024 * 1024 + 1));

    const report = await s.scan();

    expect(report.queued).toEqual([]);
    expect(report.failed.map((f) => f.message)).toEqual([expect.stringMatching(new RegExp(`^${s.rel('big.md').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1: file: .*larger than 1048576`))]);
    expect(existsSync(`${big}.error`)).toBe(true);
    expect(await s.deliveries()).toEqual([]);
  });
});
