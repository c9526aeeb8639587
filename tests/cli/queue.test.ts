import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir, writeFile } from '../support/cli.js';

const SAMPLE = path.join(REPO, 'config/sample-feed.xml');

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function setup(extra = '') {
  const dir = tempDir();
  const config = writeFile(
    dir,
    'threadcast.yaml',
    `store: sqlite:${path.join(dir, 'state.sqlite')}
${extra}sources:
  - id: sample
    feed: ${SAMPLE}
    backlog: all
channels:
  - id: bsky
    platform: bluesky
  - id: x
    platform: x
`,
  );
  const run = (...args: string[]) => runCli(['--config', config, ...args], { cwd: dir });
  return {
    dir,
    run,
    /** The feed publishes on this channel only. */
    withSourceOn(channel: string) {
      writeFileSync(config, readFileSync(config, 'utf8').replace('    backlog: all\n', `    backlog: all\n    channels: [${channel}]\n`));
      return { dir, run };
    },
  };
}

// Each case runs the real CLI several times.
describe('threadcast queue', { timeout: 120_000 }, () => {
  it('queues an announcement with a preview, puts it before feed items, and publishes it once', async () => {
    const s = setup();
    const added = await s.run('queue', 'add', '--text', 'The town hall is closed on Friday. Services resume on Monday.', '--url', 'https://example.org/closure', '--channels', 'x');
    expect(added.code, added.stdout).toBe(0);
    expect(added.stdout).toMatch(/^x:[0-9a-f]{16} {2}queued\n {2}\[1\/1\] The town hall is closed on Friday\./m);
    expect(added.stdout).toMatch(/announcement a-[0-9a-z]+-[0-9a-f]{6} queued on 1 channel\(s\)/);
    const once = await s.run('once');
    // The announcement (priority 10) goes out before the four feed items on x.
    const onX = once.stdout.slice(once.stdout.indexOf('── x (x, dry-run)'));
    expect(onX.indexOf('The town hall is closed')).toBeGreaterThanOrEqual(0);
    expect(onX.indexOf('The town hall is closed')).toBeLessThan(onX.indexOf('Museum night'));
    expect(once.stdout).toContain('channel x: 5 recorded (dry-run), nothing posted');
    expect(once.stdout).toContain('channel bsky: 4 recorded (dry-run), nothing posted');
  });

  it('holds announcements in review mode until approved, and cancels what has not gone out', async () => {
    const s = setup('editor: { review: true }\n');
    const first = await s.run('queue', 'add', '--text', 'Library quiz night on Thursday.', '--at', '2030-01-01T18:00:00+01:00');
    const second = await s.run('queue', 'add', '--text', 'Bring your own mug to the café.');
    const idOf = (out: string) => out.match(/announcement (a-\S+) held for review on 2 channel\(s\)/)![1]!;
    const quiz = idOf(first.stdout);
    const mug = idOf(second.stdout);
    // Every line says held, and so does the last one: nothing of it was queued yet.
    expect(first.stdout).toMatch(/^bsky:[0-9a-f]{16} {2}held for review at 2030-01-01T17:00:00\.000Z: nothing goes out until it is approved$/m);
    expect(first.stdout).toMatch(/^x:[0-9a-f]{16} {2}held for review at 2030-01-01T17:00:00\.000Z: nothing goes out until it is approved$/m);
    expect(first.stdout).not.toMatch(/queued/);
    expect(first.stdout).toContain(`announcement ${quiz} held for review on 2 channel(s) (approve: threadcast queue approve ${quiz})`);
    expect(first.code).toBe(0);

    const list = JSON.parse((await s.run('queue', 'list', '--json')).stdout);
    expect(list.deliveries.filter((d: { state: string }) => d.state === 'held')).toHaveLength(4);

    expect((await s.run('queue', 'approve', mug)).stdout).toMatch(/^bsky:\S+: queued\nx:\S+: queued\n$/);
    expect((await s.run('queue', 'cancel', quiz)).stdout).toMatch(/^bsky:\S+: cancelled\nx:\S+: cancelled\n$/);
    const once = await s.run('once');
    expect(once.stdout).toContain('Bring your own mug');
    expect(once.stdout).not.toContain('Library quiz night');
    const show = await s.run('queue', 'show', quiz);
    expect(show.stdout).toContain('cancelled by an editor');
    const again = await s.run('queue', 'cancel', mug);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/^threadcast queue: delivery bsky:[0-9a-f]{16} is published; it can no longer be cancelled\n$/);
  });

  it('says per channel what happened, and exits 3 when a channel left the announcement out, 1 when all did', async () => {
    const s = setup().withSourceOn('x');
    await s.run('once');
    // The feed already sent this article on x: the announcement linking it goes out on bsky only.
    const museum = 'https://example.org/2026/11/museum-night/';
    const partly = await s.run('queue', 'add', '--text', 'Museum night tonight!', '--url', museum);
    expect(partly.code, partly.stdout).toBe(3);
    expect(partly.stdout).toMatch(/^bsky:[0-9a-f]{16} {2}queued$/m);
    expect(partly.stdout).toMatch(/^not queued on x: the article it links already went out from source sample/m);
    expect(partly.stdout).toMatch(/announcement a-\S+ queued on 1 channel\(s\), not queued on 1 channel\(s\)\n$/);

    const none = await s.run('queue', 'add', '--text', 'Museum night, again!', '--url', museum, '--channels', 'x');
    expect(none.code, none.stdout).toBe(1);
    expect(none.stdout).toMatch(/announcement a-\S+ not queued on 1 channel\(s\)\n$/);
    expect(none.stdout).not.toMatch(/^announcement \S+ queued/m);
  });

  it('shows an announcement\'s image with its alt text in queue show, queue list and the dry-run record', async () => {
    const s = setup();
    const photo = writeFile(s.dir, 'ferry.png', 'pixels');
    const alt = 'The red ferry at the pier, "Marta" on its bow';
    const added = await s.run('queue', 'add', '--text', 'The ferry runs again from Monday.', '--image', 'ferry.png', '--alt', alt, '--channels', 'x');
    expect(added.code, added.stdout).toBe(0);
    const id = added.stdout.match(/announcement (a-\S+) queued/)![1]!;
    const imageLine = `image: ${realpathSync(photo)} — alt: "The red ferry at the pier, \\"Marta\\" on its bow"`;
    // Under the part the platforms attach it to: the first.
    expect(added.stdout).toMatch(/^x:[0-9a-f]{16} {2}queued\n {2}\[1\/1\] The ferry runs again from Monday\.\n {8}image: /);

    const shown = await s.run('queue', 'show', id);
    expect(shown.code, shown.stdout).toBe(0);
    expect(shown.stdout).toContain(`  [1/1] The ferry runs again from Monday.\n        ${imageLine}\n`);

    const list = await s.run('queue', 'list');
    expect(list.stdout).toMatch(/^x:[0-9a-f]{16} .*The ferry runs again from Monday\. +\[img\]$/m);
    expect(list.stdout).not.toMatch(/^x:[0-9a-f]{16} .*Museum night.*\[img\]/m);
    const json = JSON.parse((await s.run('queue', 'list', '--json')).stdout) as { deliveries: Array<{ item: string; images: unknown }> };
    expect(json.deliveries.find((d) => d.item === id)!.images).toEqual([{ image: realpathSync(photo), alt }]);

    const once = await s.run('once');
    const record = once.stdout.slice(once.stdout.indexOf('── x (x, dry-run) ── editor:'));
    expect(record).toMatch(new RegExp(`^── x \\(x, dry-run\\) ── editor: .*\n {2}\\[1/1\\]\n {3}│ The ferry runs again from Monday\\.\n {3}│ ${escape(imageLine)}\n`));
    // A thread without an image records none.
    const feedRecords = once.stdout.split('\n── ').filter((r) => r.includes(' dry-run) ── sample: '));
    expect(feedRecords).toHaveLength(8);
    for (const r of feedRecords) expect(r).not.toContain('image:');
  });

  it('refuses bad input with a message that names it, and queues nothing', async () => {
    const s = setup();
    const cases: Array<[string[], RegExp]> = [
      [['--text', 'x', '--channels', 'mastodon'], /--channels: no channel "mastodon"/],
      [['--text', 'x', '--at', 'next friday'], /queue add: --at: give an ISO 8601 time with its offset/],
      [['--text', 'x', '--at', '2030-01-01T10:00:00'], /with its offset/],
      [['--text', 'x', '--image', 'missing.png', '--alt', 'a'], /--image: no such file missing\.png/],
      [['--text', 'x', '--image', path.join(REPO, 'package.json')], /--alt: an image needs alt text/],
      [['--text', '   '], /the announcement text is empty/],
      [['--text', 'x', '--url', 'ftp://example.org/file'], /--url: give an http\(s\) URL/],
    ];
    for (const [args, message] of cases) {
      const result = await s.run('queue', 'add', ...args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stdout).toMatch(message);
    }
    expect((await s.run('queue', 'list')).stdout).toBe('the queue is empty\n');
  });

  it('edits and holds what has not gone out, and the thread follows the edit', async () => {
    const s = setup();
    const added = await s.run('queue', 'add', '--text', 'Swimming pool closed for cleaning on Tuesday.', '--channels', 'bsky', '--at', '2030-03-01T08:00:00Z');
    const id = added.stdout.match(/announcement (a-\S+) queued/)![1]!;
    const edited = await s.run('queue', 'edit', id, '--text', 'Swimming pool closed for cleaning on Wednesday.', '--url', 'https://example.org/pool', '--at', '');
    expect(edited.code, edited.stdout).toBe(0);
    expect(edited.stdout).toMatch(/^bsky:[0-9a-f]{16} {2}queued\n {2}\[1\/1\] Swimming pool closed for cleaning on Wednesday\./);
    expect(edited.stdout).not.toContain(' at 2030');
    expect((await s.run('queue', 'hold', id)).stdout).toMatch(/^bsky:\S+: held\n$/);
    const show = await s.run('queue', 'show', id);
    expect(show.stdout).toContain('edited by an editor');
    expect(show.stdout).toContain('held by an editor');
    const once = await s.run('once');
    expect(once.stdout).not.toContain('Swimming pool');
    await s.run('queue', 'approve', id);
    const after = await s.run('once');
    expect(after.stdout).toContain('Swimming pool closed for cleaning on Wednesday.');
    expect(after.stdout).not.toContain('Tuesday');
    const late = await s.run('queue', 'edit', id, '--text', 'Too late.');
    expect(late.code).toBe(1);
    expect(late.stdout).toMatch(/is published; it can no longer be edited/);
    const nothing = await s.run('queue', 'edit', id);
    expect(nothing.code).toBe(1);
    expect(nothing.stdout).toMatch(/give --text, --url or --at/);
  });

  it("queues Markdown files from editor.folder once, and leaves a bad file's error beside it", async () => {
    const s = setup('editor: { folder: inbox }\n');
    mkdirSync(path.join(s.dir, 'inbox'));
    writeFile(s.dir, 'inbox/01-closure.md', '---\nchannels: x\nurl: https://example.org/closure\n---\nThe town hall is closed on Friday.\n');
    writeFile(s.dir, 'inbox/02-bad.md', '---\nchannels: [x, mastodon]\n---\nThis one names a channel that does not exist.\n');
    writeFile(s.dir, 'inbox/03-worse.md', '---\nchannels: [mastodon]\nurl: ftp://example.org/file\n---\nTwo problems, said in one .error.\n');
    const once = await s.run('once');
    expect(once.stdout).toContain('The town hall is closed on Friday.');
    expect(once.stdout).toContain('channel x: 5 recorded (dry-run), nothing posted');
    expect(existsSync(path.join(s.dir, 'inbox/01-closure.md.queued'))).toBe(true);
    expect(readFileSync(path.join(s.dir, 'inbox/02-bad.md.error'), 'utf8')).toMatch(/^inbox\/02-bad\.md:2: channels: .*no channel "mastodon"/);
    expect(readFileSync(path.join(s.dir, 'inbox/03-worse.md.error'), 'utf8')).toMatch(
      /^inbox\/03-worse\.md:2: channels: no channel "mastodon" \(configured: bsky, x\)\ninbox\/03-worse\.md:3: url: give an http\(s\) URL\n/,
    );
    const again = await s.run('once');
    expect(again.stdout).not.toContain('The town hall is closed on Friday.');
    expect(again.stdout).toContain('channel x: 0 recorded (dry-run), nothing posted');
  });
  it('queues and shows an announcement that cannot be composed on one channel, with the reason, and still posts it on the other', async () => {
    const s = setup();
    // X shows a link as written and twitter-text does not read 5000 characters as one URL: no X post can carry it.
    const url = `https://example.org/${'a'.repeat(5000)}`;
    const reason = 'compose: the link and counter alone do not fit in a part';
    const added = await s.run('queue', 'add', '--text', 'The fair moved indoors.', '--url', url);
    expect(added.code, added.stdout).toBe(0);
    const id = added.stdout.match(/announcement (a-\S+) queued on 2 channel\(s\)/)![1]!;
    expect(added.stdout).toMatch(/^bsky:[0-9a-f]{16} {2}queued\n {2}\[1\/1\] The fair moved indoors\./m);
    expect(added.stdout).toMatch(new RegExp(`^x:[0-9a-f]{16} {2}queued\n {2}could not compose item ${id} of editor: ${reason}\n`, 'm'));

    const shown = await s.run('queue', 'show', id);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('[1/1] The fair moved indoors.');
    expect(shown.stdout).toContain(`could not compose item ${id} of editor: ${reason}`);

    const once = await s.run('once');
    expect(once.stdout).toContain('channel bsky: 5 recorded (dry-run), nothing posted');
    expect(once.stdout).toContain('channel x: 4 recorded (dry-run), nothing posted, 0 waiting, 0 to retry, 0 uncertain, 1 dead');
    const xId = added.stdout.match(/^(x:[0-9a-f]{16})/m)![1]!;
    expect((await s.run('status')).stdout).toContain(`dead ${xId}: could not compose: ${reason}`);
  });
});
