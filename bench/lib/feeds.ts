/**
 * Deterministic, neutral test content for the benchmarks: RSS 2.0 and Atom 1.0 documents with realistic items
 * (title, link, guid/id, dates, author, categories, an HTML excerpt of one or two paragraphs with entities),
 * and mixed-length item texts for compose (plain English, emoji, Japanese, Chinese, inline URLs).
 *
 * Nothing here imports application code, so a child process that measures a baseline's memory can load it
 * without pulling the application's modules into its heap.
 */

// The tests' deterministic PRNG: the same seed gives the same feeds on every machine and every run.
import { prng } from '../../tests/support/prng.js';

export { prng };

export type Rand = () => number;

export const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
export const between = (rand: Rand, lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of nothing');
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

// ── words ────────────────────────────────────────────────────────────────────────────────────────────────────────

const NOUNS = [
  'garden', 'library', 'volunteers', 'morning', 'weather', 'river', 'bridge', 'market', 'council', 'students',
  'museum', 'bicycle', 'harvest', 'concert', 'schedule', 'neighbourhood', 'workshop', 'tomatoes', 'orchard',
  'lantern', 'recipe', 'station', 'festival', 'meadow', 'pottery', 'kitchen', 'weekend', 'reading', 'project',
  'community', 'repairs', 'rainfall', 'sunlight', 'compost', 'notebook', 'timetable', 'exhibition', 'paths',
  'benches', 'lighting', 'visitors', 'programme', 'season', 'report', 'planning', 'maintenance', 'committee',
  'orchestra', 'footbridge', 'allotment', 'seedlings', 'beehives', 'archive', 'telescope', 'ferry', 'tram',
];
const VERBS = [
  'opens', 'welcomes', 'reviews', 'extends', 'describes', 'announces', 'plans', 'repairs', 'measures', 'shares',
  'publishes', 'restores', 'prepares', 'collects', 'improves', 'explains', 'records', 'schedules', 'hosts',
];
const ADJECTIVES = [
  'quiet', 'new', 'annual', 'local', 'small', 'wooden', 'seasonal', 'early', 'evening', 'public', 'shared',
  'careful', 'open', 'regional', 'weekly', 'bright', 'restored', 'longer', 'free', 'friendly',
];
const NAMES = ['Sam Rivera', 'Alex Chen', 'Priya Nair', 'Jonas Berg', 'Maria Costa', 'Lee Okafor', 'Ana Silva', 'Tom Novak'];
const CATEGORIES = ['Gardening', 'Local', 'Transport', 'Culture', 'Science', 'Weather', 'Events', 'Libraries', 'Food'];

/** One English sentence of `min`–`max` words, capitalised, with the occasional comma, number or quote. */
export function sentence(rand: Rand, min = 8, max = 16): string {
  const n = between(rand, min, max);
  const words: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = rand();
    words.push(r < 0.45 ? pick(rand, NOUNS) : r < 0.7 ? pick(rand, ADJECTIVES) : r < 0.9 ? pick(rand, VERBS) : pick(rand, ['the', 'a', 'and', 'for', 'with', 'near']));
    if (i > 2 && i < n - 2 && rand() < 0.08) words[i] += ',';
  }
  if (rand() < 0.15) words.splice(between(rand, 1, n - 1), 0, String(between(rand, 2, 2030)));
  const s = words.join(' ');
  return s.charAt(0).toUpperCase() + s.slice(1) + '.';
}

export function headline(rand: Rand): string {
  const t = `${pick(rand, ADJECTIVES)} ${pick(rand, NOUNS)} ${pick(rand, VERBS)} ${pick(rand, ADJECTIVES)} ${pick(rand, NOUNS)}`;
  return t.charAt(0).toUpperCase() + t.slice(1);
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

// ── feed articles ────────────────────────────────────────────────────────────────────────────────────────────────

export interface Article {
  n: number;
  /** HTML-ish title text: may carry `&` and a typographic apostrophe. */
  title: string;
  link: string;
  guid: string;
  date: Date;
  author: string;
  categories: string[];
  /** An HTML fragment: one or two <p>, with entities, an inline link and emphasis. */
  html: string;
}

const SITE = 'https://news.example.org';

/** A paragraph of 2–4 sentences as HTML, with the entities real CMSs emit (named, numeric, &nbsp;). */
function htmlParagraph(rand: Rand): string {
  const sentences: string[] = [];
  for (let i = 0, k = between(rand, 2, 3); i < k; i++) sentences.push(sentence(rand, 7, 13));
  let html = sentences.join(' ');
  // Entities and markup, placed deterministically.
  html = html.replace(/ and /, ' &amp; ');
  if (rand() < 0.5) html = html.replace(/\.$/, ' &mdash; said the caf&eacute; owner&#8217;s &quot;team&quot;.');
  if (rand() < 0.5) html = html.replace(/ (\w+) (\w+)\./, ` <em>$1</em>&nbsp;$2.`);
  if (rand() < 0.4) {
    const noun = pick(rand, NOUNS);
    html += ` See the <a href="${SITE}/topics/${noun}?utm_source=rss&amp;utm_medium=feed">${noun} page</a>.`;
  }
  return `<p>${html}</p>`;
}

export function articles(count: number, seed = 1): Article[] {
  const rand = prng(seed);
  const newest = Date.UTC(2026, 2, 14, 9, 30, 0);
  const out: Article[] = [];
  for (let n = 0; n < count; n++) {
    const title = headline(rand) + (rand() < 0.2 ? ` &amp; ${pick(rand, NOUNS)}` : '') + (rand() < 0.15 ? ' for the city&#8217;s visitors' : '');
    const id = count - n;
    const date = new Date(newest - n * 37 * 60_000);
    const day = date.toISOString().slice(0, 10).replace(/-/g, '/');
    const paragraphs = rand() < 0.6 ? 2 : 1;
    let html = '';
    for (let p = 0; p < paragraphs; p++) html += htmlParagraph(rand);
    out.push({
      n: id,
      title,
      link: `${SITE}/${day}/${slug(title.replace(/&[a-z#0-9]+;/g, ''))}-${id}`,
      guid: `urn:uuid:7f3c2a10-0000-4000-8000-${String(id).padStart(12, '0')}`,
      date,
      author: pick(rand, NAMES),
      categories: rand() < 0.5 ? [pick(rand, CATEGORIES)] : [pick(rand, CATEGORIES), pick(rand, CATEGORIES)],
      html,
    });
  }
  return out;
}

/** Escapes text for XML character data and attribute values. */
export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * An RSS 2.0 document. Titles carry HTML entities (so `&amp;amp;`-style double escaping where needed); half the
 * descriptions are CDATA, half entity-escaped HTML, as both are common in the wild.
 */
export function rssFeed(items: readonly Article[], opts: { title?: string; self?: string } = {}): string {
  const parts: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n',
    `<title>${xmlEscape(opts.title ?? 'Example News')}</title>\n<link>${SITE}/</link>\n`,
    '<description>Neutral sample news for benchmarks</description>\n<language>en-gb</language>\n',
    opts.self ? `<atom:link href="${xmlEscape(opts.self)}" rel="self" type="application/rss+xml"/>\n` : '',
  ];
  for (const a of items) {
    const description = a.n % 2 === 0 ? `<![CDATA[${a.html}]]>` : xmlEscape(a.html);
    parts.push(
      '<item>\n',
      `  <title>${xmlEscape(a.title)}</title>\n`,
      `  <link>${xmlEscape(a.link)}</link>\n`,
      `  <guid isPermaLink="false">${a.guid}</guid>\n`,
      `  <pubDate>${a.date.toUTCString().replace('GMT', '+0000')}</pubDate>\n`,
      `  <dc:creator>${xmlEscape(a.author)}</dc:creator>\n`,
      ...a.categories.map((c) => `  <category>${xmlEscape(c)}</category>\n`),
      `  <description>${description}</description>\n`,
      '</item>\n',
    );
  }
  parts.push('</channel>\n</rss>\n');
  return parts.join('');
}

/** An Atom 1.0 document: text titles, HTML summaries (escaped), alternate links, tag: ids. */
export function atomFeed(items: readonly Article[], opts: { title?: string; self?: string } = {}): string {
  const updated = items[0]?.date.toISOString() ?? new Date(0).toISOString();
  const parts: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>\n',
    '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB">\n',
    `<title type="text">${xmlEscape(opts.title ?? 'Example News')}</title>\n<id>tag:news.example.org,2026:feed</id>\n`,
    `<updated>${updated}</updated>\n<link rel="alternate" type="text/html" href="${SITE}/"/>\n`,
    opts.self ? `<link rel="self" type="application/atom+xml" href="${xmlEscape(opts.self)}"/>\n` : '',
  ];
  for (const a of items) {
    parts.push(
      '<entry>\n',
      `  <title type="html">${xmlEscape(a.title)}</title>\n`,
      `  <link rel="alternate" type="text/html" href="${xmlEscape(a.link)}"/>\n`,
      `  <id>tag:news.example.org,2026:${a.n}</id>\n`,
      `  <published>${a.date.toISOString()}</published>\n`,
      `  <updated>${a.date.toISOString()}</updated>\n`,
      `  <author><name>${xmlEscape(a.author)}</name></author>\n`,
      ...a.categories.map((c) => `  <category term="${xmlEscape(c)}"/>\n`),
      `  <summary type="html">${xmlEscape(a.html)}</summary>\n`,
      '</entry>\n',
    );
  }
  parts.push('</feed>\n');
  return parts.join('');
}

// ── compose texts ────────────────────────────────────────────────────────────────────────────────────────────────

const EMOJI = ['🌱', '👍🏽', '👩‍🔬', '🇯🇵', '❤️', '🎉', '👨‍👩‍👧', '🚲', '☀️', '🧑🏿‍🌾'];

const JA = [
  '今日は公園で朝の清掃活動が行われました。',
  '図書館の開館時間が来月から延長されます。',
  '地域の市場では旬の野菜が並んでいます。',
  '新しい自転車道の工事が予定どおり進んでいます。',
  '週末の音楽会には多くの家族連れが訪れました。',
  '博物館で季節の展示が始まりました。',
  '川沿いの遊歩道にベンチが設置されました。',
  '雨の日でも参加できる工作教室を開きます。',
  '駅前の花壇はボランティアの皆さんが手入れしています。',
  '詳しい日程は後日お知らせします。',
];

const ZH = [
  '社区花园本周开放了新的种子图书馆。',
  '市图书馆将从下个月起延长开放时间。',
  '周末的音乐会吸引了许多家庭参加。',
  '河边步道新增了十二张长椅。',
  '志愿者们每天早上照料车站前的花坛。',
  '博物馆的季节展览今天开幕。',
  '新的自行车道工程按计划进行。',
  '详细安排将另行通知。',
];

export type TextKind = 'english' | 'emoji' | 'ja' | 'zh';

/** What compose needs of an item, without the application's schema (the compose bench parses it). */
export interface ComposeInput {
  id: string;
  url: string;
  title: string;
  summary: string;
  attribution?: string;
  publishedAt: string;
  tags: string[];
  language?: string;
  kind: TextKind;
}

/**
 * Items of mixed length for compose: title + summary of roughly 60–160 characters (30%), 280–480 (30%), 600–1000
 * (30%, three or four parts) and 1200–2000 (10%, more than the template's four parts allow); CJK items have about
 * half as many characters. Mixed scripts: 50% plain English with inline URLs and bare domains, 20% English with
 * emoji (skin tones, ZWJ sequences, flags, VS16), 20% Japanese, 10% Chinese.
 */
export function composeInputs(count: number, seed = 7): ComposeInput[] {
  const rand = prng(seed);
  const out: ComposeInput[] = [];
  for (let i = 0; i < count; i++) {
    const r = rand();
    const kind: TextKind = r < 0.5 ? 'english' : r < 0.7 ? 'emoji' : r < 0.9 ? 'ja' : 'zh';
    const l = rand();
    const latin = l < 0.3 ? between(rand, 60, 160) : l < 0.6 ? between(rand, 280, 480) : l < 0.9 ? between(rand, 600, 1000) : between(rand, 1200, 2000);
    // CJK says more per character (and X weighs each as 2): the same story is about half as many characters.
    const target = kind === 'ja' || kind === 'zh' ? Math.round(latin / 2) : latin;
    const paragraphs: string[] = [];
    let length = 0;
    let para: string[] = [];
    while (length < target) {
      let s: string;
      if (kind === 'ja') s = pick(rand, JA);
      else if (kind === 'zh') s = pick(rand, ZH);
      else {
        s = sentence(rand);
        if (kind === 'emoji') {
          const words = s.split(' ');
          for (let k = 0, m = between(rand, 1, 3); k < m; k++) words.splice(between(rand, 1, words.length), 0, pick(rand, EMOJI));
          s = words.join(' ');
        }
        const u = rand();
        if (u < 0.12) s += ` Details: https://docs.example.org/guides/${pick(rand, NOUNS)}-${pick(rand, NOUNS)}?ref=feed&lang=en`;
        else if (u < 0.18) s += ` More on example.com/${pick(rand, NOUNS)}.`;
      }
      para.push(s);
      length += s.length + 1;
      if (para.length >= 3 && rand() < 0.4) {
        paragraphs.push(para.join(kind === 'ja' || kind === 'zh' ? '' : ' '));
        para = [];
      }
    }
    if (para.length) paragraphs.push(para.join(kind === 'ja' || kind === 'zh' ? '' : ' '));
    const title =
      kind === 'ja' ? '地域のお知らせ：' + pick(rand, JA).slice(0, 12) : kind === 'zh' ? '社区通知：' + pick(rand, ZH).slice(0, 10) : headline(rand);
    const id = `bench-${i}`;
    out.push({
      id,
      url: `${SITE}/2026/03/${kind}-${i}-${slug(pick(rand, NOUNS))}-${slug(pick(rand, NOUNS))}-${slug(pick(rand, NOUNS))}`,
      title,
      summary: paragraphs.join('\n\n'),
      ...(kind === 'english' && rand() < 0.2 ? { attribution: `${pick(rand, NAMES)}, Example News, March 14 2026` } : {}),
      publishedAt: new Date(Date.UTC(2026, 2, 14) - i * 60_000).toISOString(),
      tags: [pick(rand, CATEGORIES)],
      ...(kind === 'ja' ? { language: 'ja' } : kind === 'zh' ? { language: 'zh' } : { language: 'en' }),
      kind,
    });
  }
  return out;
}
