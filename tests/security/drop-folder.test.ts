import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadImage } from '../../src/media/images.js';
import { ConfigSchema } from '../../src/platforms/config-schema.js';
import { EditorQueue, parseEditorInput } from '../../src/outbox/editor-queue.js';
import { Outbox } from '../../src/outbox/outbox.js';
import { AnnouncementEditSchema, AnnouncementRequestSchema } from '../../src/sources/announcement.js';
import { scanEditorFolder, type ScanOptions } from '../../src/sources/editor-folder.js';
import { resolveInside, type RefusedFile } from '../../src/sources/folder-files.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { solidPng } from '../media/helpers.js';
import { runCli, tempDir, writeFile } from '../support/cli.js';

/**
 * Issue #13: the editor drop folder is written by people who must not read the server's files. Whatever
 * they put there (links, pipes, hard links, images named outside, files still being written, names planted
 * where threadcast writes its .error and .queued files), nothing outside the folder is read or written.
 * Real files, real store, real queue throughout.
 */

const SECRET = 'BLUESKY_APP_PASSWORD=hunter2-abcd-efgh-ijkl';

const stores: Store[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

async function setup() {
  const logs: string[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => logs.push(line) });
  const stateDir = tempDir('threadcast-drop-state-');
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
  const outbox = new Outbox(store, { owner: 'test', retry: config.retry, log });
  const queue = new EditorQueue(config, store, outbox);
  const dir = tempDir('threadcast-drop-');
  // Outside the drop folder: what an editor must not get at.
  const outside = tempDir('threadcast-outside-');
  const secretFile = writeFile(outside, 'secrets.env', `${SECRET}\n`);
  return {
    dir,
    outside,
    secretFile,
    logs,
    scan: (opts: ScanOptions = {}) => scanEditorFolder(dir, queue, log, { settleMs: 20, ...opts }),
    file: (name: string) => path.join(dir, name),
    rel: (name: string) => path.relative(process.cwd(), path.join(dir, name)),
    deliveries: () => store.listDeliveries(),
    /** Everything threadcast wrote: the store's files, the log, every file in the drop folder. */
    everythingWritten: () => {
      const stored = readdirSync(stateDir).map((f) => readFileSync(path.join(stateDir, f)).toString('latin1'));
      const inFolder = readdirSync(dir)
        .filter((f) => f.endsWith('.error') || f.endsWith('.queued'))
        .map((f) => (lstatSync(path.join(dir, f)).isFile() ? readFileSync(path.join(dir, f), 'utf8') : ''));
      return [...stored, ...logs, ...inFolder].join('\n');
    },
  };
}

type Setup = Awaited<ReturnType<typeof setup>>;

/** The .error beside `name`: its first line, after checking it is a real file threadcast wrote. */
function errorLine(s: Setup, name: string): string {
  const errorFile = `${s.file(name)}.error`;
  expect(lstatSync(errorFile).isFile()).toBe(true);
  return readFileSync(errorFile, 'utf8').split('\n')[0]!;
}

describe('the drop folder reads only regular files that live inside it', () => {
  it('refuses a symbolic link to a file outside, and nothing of that file is queued, stored, logged or written', async () => {
    const s = await setup();
    symlinkSync(s.secretFile, s.file('leak.md'));
    writeFile(s.dir, 'good.md', 'The library opens late on Monday.');

    const report = await s.scan();

    expect(report.queued.map((q) => q.file)).toEqual([s.rel('good.md')]);
    expect(errorLine(s, 'leak.md')).toBe(`${s.rel('leak.md')}:1: file: is a symbolic link: the drop folder reads only regular files`);
    expect(report.failed).toEqual([{ file: s.rel('leak.md'), message: errorLine(s, 'leak.md'), errorFile: `${s.file('leak.md')}.error` }]);
    expect((await s.deliveries()).map((d) => d.item.summary)).toEqual(['The library opens late on Monday.', 'The library opens late on Monday.']);
    expect(s.everythingWritten()).not.toContain('hunter2');
    // The link is left as it was, and skipped (not re-reported) until it changes.
    expect(lstatSync(s.file('leak.md')).isSymbolicLink()).toBe(true);
    expect((await s.scan()).skipped).toEqual([{ file: s.rel('leak.md'), reason: 'unchanged-since-error' }]);
  });

  it('refuses a symbolic link to /proc/self/environ', async () => {
    const s = await setup();
    symlinkSync('/proc/self/environ', s.file('env.md'));

    const report = await s.scan();

    expect(report.queued).toEqual([]);
    expect(errorLine(s, 'env.md')).toMatch(/:1: file: is a symbolic link/);
    expect(await s.deliveries()).toEqual([]);
    expect(s.everythingWritten()).not.toContain(`PATH=${process.env.PATH}`);
  });

  it('refuses a hard link to a file outside (a regular file inside by its path, but with a second name)', async () => {
    const s = await setup();
    linkSync(s.secretFile, s.file('hard.md'));

    const report = await s.scan();

    expect(report.queued).toEqual([]);
    expect(errorLine(s, 'hard.md')).toBe(`${s.rel('hard.md')}:1: file: has 2 hard links: the drop folder reads only files with a single name; copy the file in instead`);
    expect(await s.deliveries()).toEqual([]);
    expect(s.everythingWritten()).not.toContain('hunter2');
  });

  it('refuses a named pipe called x.md without waiting on it', { timeout: 10_000 }, async () => {
    const s = await setup();
    execFileSync('mkfifo', [s.file('pipe.md')]);
    writeFile(s.dir, 'z-after.md', 'Still queued after the pipe.');

    const report = await s.scan();

    expect(errorLine(s, 'pipe.md')).toBe(`${s.rel('pipe.md')}:1: file: is a named pipe (FIFO): the drop folder reads only regular files`);
    expect(report.queued.map((q) => q.file)).toEqual([s.rel('z-after.md')]);
  });

  it('does not look into a folder named x.md', async () => {
    const s = await setup();
    mkdirSync(s.file('folder.md'));
    writeFile(s.dir, 'folder.md/inner.md', 'Not an announcement.');

    const report = await s.scan();

    expect(report).toMatchObject({ queued: [], skipped: [], failed: [], problems: [] });
    expect(await s.deliveries()).toEqual([]);
  });

  it('refuses a file swapped for a link to a secret between the first look and the read', async () => {
    const s = await setup();
    writeFile(s.dir, 'swap.md', 'An innocent announcement.');

    // The scan waits for the fresh file to settle (a long settle time: it always waits); the swap happens then.
    const report = await s.scan({
      settleMs: 60_000,
      wait: async () => {
        symlinkSync(s.secretFile, s.file('swap.tmp'));
        renameSync(s.file('swap.tmp'), s.file('swap.md'));
      },
    });

    expect(report.queued).toEqual([]);
    expect(report.failed.map((f) => f.message)).toEqual([`${s.rel('swap.md')}:1: file: leads outside the drop folder: the drop folder reads only regular files inside it`]);
    expect(await s.deliveries()).toEqual([]);
    expect(s.everythingWritten()).not.toContain('hunter2');
  });

  it('refuses a file swapped for a named pipe between the first look and the read, without hanging', { timeout: 10_000 }, async () => {
    const s = await setup();
    writeFile(s.dir, 'swap.md', 'An innocent announcement.');

    const report = await s.scan({
      settleMs: 60_000,
      wait: async () => {
        execFileSync('mkfifo', [s.file('swap.fifo')]);
        renameSync(s.file('swap.fifo'), s.file('swap.md'));
      },
    });

    expect(report.queued).toEqual([]);
    expect(report.failed.map((f) => f.file)).toEqual([s.rel('swap.md')]);
    expect(await s.deliveries()).toEqual([]);
  });
});

describe('threadcast once with a hostile drop folder', () => {
  it('prints and stores nothing of the process environment linked in as leak.md', { timeout: 60_000 }, async () => {
    const dir = tempDir('threadcast-drop-cli-');
    const config = writeFile(dir, 'threadcast.yaml', `store: sqlite:${path.join(dir, 'state.sqlite')}\neditor: { folder: inbox }\nchannels:\n  - id: x\n    platform: x\n`);
    mkdirSync(path.join(dir, 'inbox'));
    symlinkSync('/proc/self/environ', path.join(dir, 'inbox/leak.md'));
    writeFile(dir, 'inbox/news.md', 'The market opens at ten.');

    const once = await runCli(['--config', config, 'once'], { cwd: dir, env: { FAKE_APP_PASSWORD: 'hunter2-abcd-efgh-ijkl' } });

    const written = [once.stdout, once.stderr, ...readdirSync(dir).filter((f) => f.startsWith('state.sqlite')).map((f) => readFileSync(path.join(dir, f)).toString('latin1'))].join('\n');
    expect(written).not.toContain('hunter2');
    expect(once.stdout).toContain('The market opens at ten.');
    expect(readFileSync(path.join(dir, 'inbox/leak.md.error'), 'utf8')).toMatch(/^inbox\/leak\.md:1: file: is a symbolic link/);
  });
});

describe('images named in a drop file stay inside the drop folder', () => {
  const cases: Array<{ name: string; image: (s: Setup) => string; message: RegExp }> = [
    { name: 'a relative path out of the folder', image: () => '../../../../../../etc/passwd', message: /^\.\.\/.*passwd leads outside the drop folder; name a file inside it$/ },
    { name: 'an absolute path', image: (s) => s.secretFile, message: /^\/.*secrets\.env is an absolute path; name a file inside the drop folder, relative to it$/ },
    {
      name: 'a symbolic link inside the folder',
      image: (s) => {
        symlinkSync(s.secretFile, s.file('photo.png'));
        return 'photo.png';
      },
      message: /^photo\.png is a symbolic link: the drop folder reads only regular files$/,
    },
    {
      name: 'a file in a linked folder',
      image: (s) => {
        symlinkSync(s.outside, s.file('pictures'));
        return 'pictures/secrets.env';
      },
      message: /^pictures\/secrets\.env leads outside the drop folder through a linked folder; name a file inside it$/,
    },
    {
      name: 'a hard link to a file outside',
      image: (s) => {
        linkSync(s.secretFile, s.file('photo.png'));
        return 'photo.png';
      },
      message: /^photo\.png has 2 hard links/,
    },
  ];

  it.each(cases)('refuses $name, naming the file, line and field', async ({ image, message }) => {
    const s = await setup();
    const given = image(s);
    writeFile(s.dir, 'news.md', `---\nchannels: x\nimage: ${given}\nalt: A photo\n---\nHello`);

    const report = await s.scan();

    expect(report.queued).toEqual([]);
    expect(await s.deliveries()).toEqual([]);
    const line = errorLine(s, 'news.md');
    const prefix = `${s.rel('news.md')}:3: image: `;
    expect(line.startsWith(prefix), line).toBe(true);
    expect(line.slice(prefix.length)).toMatch(message);
  });

  it('says the same of every path through a link that leads out, so nothing outside can be probed', async () => {
    const s = await setup();
    mkdirSync(path.join(s.outside, 'private'));
    symlinkSync(s.outside, s.file('out'));
    // A link whose own text stays inside, but goes through the one above.
    symlinkSync('out/missing.png', s.file('via'));
    symlinkSync('out/private', s.file('viaFolder'));
    const probes = ['out/secrets.env', 'out/missing.png', 'out/private', 'out/private/x.png', 'out/secrets.env/x', 'via', 'viaFolder/x.png', 'out/../out/secrets.env'];
    const said = await Promise.all(
      probes.map((given) =>
        resolveInside(s.dir, given, 1_000_000).then(
          () => `${given}: taken`,
          (err: unknown) => `${given}: ${(err as RefusedFile).reason}: ${(err as Error).message}`,
        ),
      ),
    );
    const expected = probes.map((given) =>
      // The last name of `via` is itself a link: refused as one, before anything it points at is looked at.
      given === 'via' ? 'via: symlink: is a symbolic link: the drop folder reads only regular files' : `${given}: outside: ${given} leads outside the drop folder through a linked folder; name a file inside it`,
    );
    expect(said).toEqual(expected);
  });

  it('refuses a loop of linked folders without following it for ever', async () => {
    const s = await setup();
    symlinkSync('b', s.file('a'));
    symlinkSync('a', s.file('b'));
    await expect(resolveInside(s.dir, 'a/x.png', 1_000_000)).rejects.toThrow('a/x.png goes through more than 40 links (a loop?); name the file itself');
  });

  it('takes an image inside the folder, also by a path that goes out and back in', async () => {
    const s = await setup();
    mkdirSync(s.file('img'));
    const hall = await solidPng(3, 2);
    writeFileSync(s.file('img/hall.png'), hall);
    writeFile(s.dir, 'news.md', `---\nchannels: x\nimage: img/../img/hall.png\nalt: The hall\n---\nHello`);

    const report = await s.scan();

    expect(report.failed).toEqual([]);
    const images = (await s.deliveries()).map((d) => d.item.images);
    expect(images).toEqual([[{ url: expect.stringMatching(/\/uploads\/[0-9a-f]{32}\.png$/), alt: 'The hall' }]]);
    expect((await loadImage(images[0]![0]!.url, { timeoutMs: 1_000, allowPrivateHosts: [] })).equals(hall)).toBe(true);
  });

  it('publishes the image it checked, even when the folder on its path is swapped for a link to elsewhere after queueing', async () => {
    const s = await setup();
    mkdirSync(s.file('img'));
    const checked = await solidPng(3, 2);
    writeFileSync(s.file('img/photo.png'), checked);
    // An image the editor cannot read: the operator's, outside the drop folder.
    mkdirSync(path.join(s.outside, 'img'));
    const operators = await solidPng(5, 5);
    writeFileSync(path.join(s.outside, 'img/photo.png'), operators);
    writeFile(s.dir, 'news.md', `---\nchannels: x\nimage: img/photo.png\nalt: A photo\n---\nHello`);
    expect((await s.scan()).failed).toEqual([]);

    renameSync(s.file('img'), s.file('img-was'));
    symlinkSync(path.join(s.outside, 'img'), s.file('img'));

    // What the publisher reads when the post goes out.
    const [delivery] = await s.deliveries();
    const sent = await loadImage(delivery!.item.images[0]!.url, { timeoutMs: 1_000, allowPrivateHosts: [] });
    expect(sent.equals(checked)).toBe(true);
    expect(sent.equals(operators)).toBe(false);
  });

  it('refuses a file that is not an image when it is queued, naming the file, line and field', async () => {
    const s = await setup();
    writeFile(s.dir, 'notes.png', 'plain text, not pixels');
    writeFile(s.dir, 'news.md', `---\nchannels: x\nimage: notes.png\nalt: Notes\n---\nHello`);

    expect((await s.scan()).queued).toEqual([]);
    expect(errorLine(s, 'news.md')).toBe(`${s.rel('news.md')}:3: image: notes.png is not a PNG, JPEG, GIF or WebP image`);
  });
});

describe('a file still being written is queued once, complete', () => {
  it('skips a file that grows during the settle wait, then queues the whole of it exactly once', async () => {
    const s = await setup();
    const first = 'The swimming pool is closed on Tuesday';
    const rest = ' and Wednesday for cleaning; it reopens on Thursday at seven.';
    writeFile(s.dir, 'pool.md', first);

    // The upload goes on while the scan waits for the file to settle.
    const during = await s.scan({ settleMs: 60_000, wait: async () => appendFileSync(s.file('pool.md'), rest) });

    expect(during.queued).toEqual([]);
    expect(during.skipped).toEqual([{ file: s.rel('pool.md'), reason: 'still-being-written' }]);
    expect(during.failed).toEqual([]);
    expect(existsSync(`${s.file('pool.md')}.error`)).toBe(false);
    expect(await s.deliveries()).toEqual([]);

    // Nothing changes during the next scan's wait: now it is read, whole.
    const after = await s.scan({ settleMs: 60_000, wait: async () => undefined });
    expect(after.queued.map((q) => q.file)).toEqual([s.rel('pool.md')]);
    expect((await s.deliveries()).map((d) => d.item.summary)).toEqual([first + rest, first + rest]);

    expect(await s.scan()).toMatchObject({ queued: [], skipped: [], failed: [] });
    expect(await s.deliveries()).toHaveLength(2);
  });

  it('does not wait for a file whose last change is older than the settle time', async () => {
    const s = await setup();
    writeFile(s.dir, 'old.md', 'Written a while ago.');
    await new Promise((r) => setTimeout(r, 200));
    let waited = 0;

    const report = await s.scan({ settleMs: 50, wait: async () => void waited++ });

    expect(waited).toBe(0);
    expect(report.queued.map((q) => q.file)).toEqual([s.rel('old.md')]);
  });
});

describe('.queued and .error files never replace or write through what is there', () => {
  it('marks a second file of the same name .md.2.queued, keeping the first marker', async () => {
    const s = await setup();
    writeFile(s.dir, 'news.md', 'First announcement.');
    await s.scan();
    writeFile(s.dir, 'news.md', 'Second announcement.');

    const report = await s.scan();

    expect(report.queued.map((q) => q.file)).toEqual([s.rel('news.md')]);
    expect(readFileSync(`${s.file('news.md')}.queued`, 'utf8')).toBe('First announcement.');
    expect(readFileSync(`${s.file('news.md')}.2.queued`, 'utf8')).toBe('Second announcement.');
    expect(existsSync(s.file('news.md'))).toBe(false);
  });

  it('leaves a planted .md.queued link and its target alone', async () => {
    const s = await setup();
    const victim = writeFile(s.outside, 'victim.txt', 'untouched');
    symlinkSync(victim, `${s.file('news.md')}.queued`);
    writeFile(s.dir, 'news.md', 'An announcement.');

    await s.scan();

    expect(readFileSync(victim, 'utf8')).toBe('untouched');
    expect(lstatSync(`${s.file('news.md')}.queued`).isSymbolicLink()).toBe(true);
    expect(readFileSync(`${s.file('news.md')}.2.queued`, 'utf8')).toBe('An announcement.');
  });

  it('never writes through a planted .md.error link', async () => {
    const s = await setup();
    const victim = writeFile(s.outside, 'victim.txt', 'untouched');
    symlinkSync(victim, `${s.file('bad.md')}.error`);
    writeFile(s.dir, 'bad.md', '---\nchannels: mastodon\n---\nHello');

    const report = await s.scan();

    expect(readFileSync(victim, 'utf8')).toBe('untouched');
    expect(errorLine(s, 'bad.md')).toMatch(/:2: channels: no channel "mastodon"/);
    expect(report.failed.map((f) => f.errorFile)).toEqual([`${s.file('bad.md')}.error`]);
  });

  it('does not take a planted .md.error link as the file being unchanged since its error', async () => {
    const s = await setup();
    // A link to a file with a far-future time: followed, it would hide good.md until 2100.
    const victim = writeFile(s.outside, 'victim.txt', 'untouched');
    utimesSync(victim, new Date('2100-01-01'), new Date('2100-01-01'));
    symlinkSync(victim, `${s.file('good.md')}.error`);
    writeFile(s.dir, 'good.md', 'Good news.');

    const report = await s.scan();

    expect(report.queued.map((q) => q.file)).toEqual([s.rel('good.md')]);
    expect(readFileSync(victim, 'utf8')).toBe('untouched');
  });
});

describe('publish-at times are real dates, not too far off', () => {
  const inYears = (years: number) => {
    const d = new Date();
    d.setUTCFullYear(d.getUTCFullYear() + years);
    return d.toISOString().replace(/\.\d+Z$/, 'Z');
  };

  it('refuses an extreme date in a drop file, naming the file, line and field', async () => {
    const s = await setup();
    writeFile(s.dir, 'far.md', '---\nchannels: x\nat: +275760-09-13\n---\nHello');
    writeFile(s.dir, 'far2.md', '---\nchannels: x\nat: +275760-09-13T00:00:00Z\n---\nHello');

    const report = await s.scan();

    expect(report.queued).toEqual([]);
    expect(errorLine(s, 'far.md')).toBe(`${s.rel('far.md')}:3: at: give an ISO 8601 time with its offset, e.g. 2026-12-01T09:00:00+01:00`);
    expect(errorLine(s, 'far2.md')).toMatch(/:3: at: give an ISO 8601 time/);
    expect(await s.deliveries()).toEqual([]);
  });

  const refused: Array<[string, RegExp]> = [
    ['+275760-09-13T00:00:00Z', /give an ISO 8601 time with its offset/],
    ['Fri, 01 Dec 2028 09:00:00 +0100', /give an ISO 8601 time with its offset/],
    ['2027-02-30T09:00:00Z', /2027-02-30 is not a day on the calendar/],
    ['2027-12-01T24:00:00Z', /no such time of day/],
    ['1999-12-31T23:59:59Z', /is before 2000; check the year/],
    ['0026-12-01T09:00:00+01:00', /is before 2000/],
    [inYears(6), /is more than 5 years ahead \(the latest is \d{4}-\d\d-\d\d\); check the year/],
  ];

  it.each(refused)('refuses at: %s, on add and on edit', (at, message) => {
    for (const schema of [AnnouncementRequestSchema, AnnouncementEditSchema]) {
      let error: unknown;
      try {
        parseEditorInput(schema, { text: 'Hello', at }, 'queue add', (f) => `--${f}`);
      } catch (err) {
        error = err;
      }
      expect(error).toMatchObject({ kind: 'input', field: 'at' });
      expect((error as Error).message).toMatch(/^queue add: --at: /);
      expect((error as Error).message).toMatch(message);
    }
  });

  it.each([
    ['2026-12-01T09:00:00+01:00', '2026-12-01T08:00:00.000Z'],
    ['2026-12-01T09:00+0100', '2026-12-01T08:00:00.000Z'],
    ['2026-12-01 09:00:00.5Z', '2026-12-01T09:00:00.500Z'],
    ['2028-02-29T09:00:00-05:00', '2028-02-29T14:00:00.000Z'],
    ['2000-01-01T00:00:00Z', '2000-01-01T00:00:00.000Z'],
  ])('takes at: %s as %s', (at, instant) => {
    expect(parseEditorInput(AnnouncementRequestSchema, { text: 'Hello', at }, 'test').at).toBe(instant);
  });

  it('takes a time four years ahead', () => {
    expect(parseEditorInput(AnnouncementRequestSchema, { text: 'Hello', at: inYears(4) }, 'test').at).toBe(new Date(inYears(4)).toISOString());
  });
});
