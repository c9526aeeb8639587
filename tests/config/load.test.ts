import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/load.js';
import { parseConfigText } from '../../src/platforms/config-schema.js';

const FILE = 'conf/threadcast.yaml';

function problemsOf(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfigText(text, FILE, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected the config to be rejected');
}

const VALID = `store: sqlite:data/t.sqlite
sources:
  - id: news
    feed: https://example.org/feed/
    backlog: 1
channels:
  - id: bluesky-main
    platform: bluesky
    service: https://bsky.social
    identifier: \${BLUESKY_IDENTIFIER}
    password: \${BLUESKY_APP_PASSWORD}
  - id: x-main
    platform: x
    apiBase: https://api.x.com
    appKey: \${X_API_KEY}
    appSecret: \${X_API_SECRET}
    accessToken: \${X_ACCESS_TOKEN}
    accessSecret: \${X_ACCESS_SECRET}
`;

describe('config loading', () => {
  it('accepts the documented shape and fills defaults', () => {
    const config = parseConfigText(VALID, FILE, {}).config;
    expect(config.sources[0]).toMatchObject({ id: 'news', backlog: 1, pollEvery: '*/5 * * * *', timeoutMs: 15000 });
    expect(config.channels.map((c) => c.platform)).toEqual(['bluesky', 'x']);
    expect(config.channels[0]!.template.maxParts).toBe(3);
  });

  it('interpolates ${VAR} from the environment and drops unset credentials (dry-run, not an error)', () => {
    const config = parseConfigText(VALID, FILE, { BLUESKY_IDENTIFIER: 'me.example', BLUESKY_APP_PASSWORD: 'abcd-efgh' }).config;
    const bsky = config.channels[0]!;
    expect(bsky.platform === 'bluesky' && bsky.identifier).toBe('me.example');
    const x = config.channels[1]!;
    expect(x.platform === 'x' && x.appKey).toBeUndefined();
  });

  it('supports ${VAR:-default}', () => {
    const config = parseConfigText('sources:\n  - id: a\n    feed: ${FEED:-feeds/a.xml}\n', FILE, {}).config;
    expect(config.sources[0]!.feed).toBe('feeds/a.xml');
  });

  it('never lets an environment value inject YAML structure', () => {
    const config = parseConfigText('sources:\n  - id: a\n    feed: ${FEED}\n', FILE, { FEED: 'x\nbacklog: all' }).config;
    expect(config.sources[0]!.feed).toBe('x\nbacklog: all');
    expect(config.sources[0]!.backlog).toBe(1);
  });

  it('names file, line and path of an unknown key', () => {
    const problems = problemsOf('sources:\n  - id: a\n    feed: a.xml\n    bakclog: all\n');
    expect(problems).toEqual([`${FILE}:4  sources[0].bakclog: unknown key "bakclog"`]);
  });

  it('names file, line and path of a wrong value', () => {
    const problems = problemsOf('sources:\n  - id: a\n    feed: a.xml\n    backlog: lots\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${FILE}:4  sources\\[0\\]\\.backlog: `));
  });

  it('reports a missing required field at its parent and says which variable was unset', () => {
    const problems = problemsOf('sources:\n  - id: a\n    feed: ${FEED_URL}\n');
    expect(problems).toEqual([`${FILE}:3  sources[0].feed: Invalid input: expected string, received undefined (environment variable FEED_URL is not set)`]);
  });

  it('rejects an unknown platform and a channel a source names that does not exist', () => {
    const problems = problemsOf('sources:\n  - id: a\n    feed: a.xml\n    channels: [nope]\nchannels:\n  - id: m\n    platform: linkedin\n');
    expect(problems.some((p) => p.startsWith(`${FILE}:7  channels[0].platform:`))).toBe(true);
  });

  it('rejects duplicate ids and invalid cron expressions', () => {
    const problems = problemsOf('sources:\n  - id: a\n    feed: a.xml\n  - id: a\n    feed: b.xml\n    pollEvery: "every minute"\n');
    expect(problems).toContain(`${FILE}:4  sources[1].id: duplicate source id "a"`);
    expect(problems.some((p) => p.startsWith(`${FILE}:6  sources[1].pollEvery: not a valid cron expression`))).toBe(true);
  });

  it('reports YAML syntax errors with their line', () => {
    const problems = problemsOf('sources:\n  - id: a\n    feed: [unclosed\n');
    expect(problems[0]).toMatch(new RegExp(`^${FILE}:\\d+  `));
  });
});

describe('channel utm tags', () => {
  const channel = (utm: string) => `channels:\n  - id: x-main\n    platform: x\n    utm:\n${utm}`;

  it('accepts source, medium and campaign with {channel} and {source}', () => {
    const config = parseConfigText(channel('      source: "{channel}"\n      medium: social\n      campaign: "{source}-{channel}"\n'), FILE, {}).config;
    expect(config.channels[0]!.utm).toEqual({ source: '{channel}', medium: 'social', campaign: '{source}-{channel}' });
  });

  it('names the field of an unknown placeholder and says which ones exist', () => {
    const problems = problemsOf(channel('      source: bluesky\n      campaign: "{chanel}-{source}-{date}"\n'));
    expect(problems).toEqual([
      `${FILE}:6  channels[0].utm.campaign: unknown placeholder "{chanel}"; use {channel} or {source}`,
      `${FILE}:6  channels[0].utm.campaign: unknown placeholder "{date}"; use {channel} or {source}`,
    ]);
  });

  it('rejects a brace without its pair', () => {
    expect(problemsOf(channel('      source: "{channel"\n'))).toEqual([
      `${FILE}:5  channels[0].utm.source: a "{" or "}" without its pair; the placeholders are {channel} or {source}`,
    ]);
  });

  it('rejects empty values and a missing source', () => {
    expect(problemsOf(channel('      source: x\n      medium: ""\n      campaign: "  "\n'))).toEqual([
      `${FILE}:6  channels[0].utm.medium: empty; a tag needs a value (utm.medium and utm.campaign may be left out)`,
      `${FILE}:7  channels[0].utm.campaign: empty; a tag needs a value (utm.medium and utm.campaign may be left out)`,
    ]);
    expect(problemsOf(channel('      medium: social\n'))).toEqual([`${FILE}:5  channels[0].utm.source: required: utm_source says who sends the visitor, e.g. "{channel}"`]);
  });

  it('rejects an unknown tag key', () => {
    expect(problemsOf(channel('      source: x\n      term: y\n'))).toEqual([`${FILE}:6  channels[0].utm.term: unknown key "term"`]);
  });
});

describe('source rules and templates in the config (issue #18)', () => {
  const withSource = (lines: string) => `store: sqlite:data/t.sqlite
sources:
  - id: news
    feed: https://example.org/feed/
${lines}channels:
  - id: x-main
    platform: x
    template:
      text: |
        {title}

        {sumary}
`;

  it('accepts include, exclude, maxAge and a source template', () => {
    const text = withSource(`    include:
      keywords: [harbour, "open source"]
      categories: [News]
    exclude:
      regex: ['\\bsponsored\\b']
    maxAge: 7d
    template:
      text: "{title}: {url}"
`).replace('{sumary}', '{summary}');
    const source = parseConfigText(text, FILE, {}).config.sources[0]!;
    expect(source).toMatchObject({
      include: { keywords: ['harbour', 'open source'], categories: ['News'], regex: [] },
      exclude: { keywords: [], categories: [], regex: ['\\bsponsored\\b'] },
      maxAge: '7d',
      template: { text: '{title}: {url}' },
    });
  });

  it('names file:line and the placeholder of an unknown placeholder, a bad or catastrophic regex and a bad maxAge', () => {
    const problems = problemsOf(
      withSource(`    exclude:
      regex:
        - "(unclosed"
        - "(a+)+$"
    maxAge: 7 days
    template:
      text: "{title} {link}"
`),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^conf\/threadcast\.yaml:7 {2}sources\[0\]\.exclude\.regex\[0\]: not a valid regular expression: .*\(unclosed/),
      expect.stringMatching(/^conf\/threadcast\.yaml:8 {2}sources\[0\]\.exclude\.regex\[1\]: refused: a repetition inside a repetition/),
      expect.stringMatching(/^conf\/threadcast\.yaml:9 {2}sources\[0\]\.maxAge: not a duration/),
      'conf/threadcast.yaml:11  sources[0].template.text: unknown placeholder "{link}"; use {title}, {summary}, {author}, {outlet}, {url}, {tags}',
      'conf/threadcast.yaml:16  channels[0].template.text: unknown placeholder "{sumary}"; use {title}, {summary}, {author}, {outlet}, {url}, {tags}',
    ]);
  });

  it('names an unknown key in a rule list and a template without any placeholder', () => {
    const problems = problemsOf(
      withSource(`    include:
      tags: [news]
    template:
      text: Breaking news
`).replace('{sumary}', '{summary}'),
    );
    expect(problems).toEqual([
      'conf/threadcast.yaml:6  sources[0].include.tags: unknown key "tags"',
      expect.stringMatching(/^conf\/threadcast\.yaml:8 {2}sources\[0\]\.template\.text: no placeholder/),
    ]);
  });
});
