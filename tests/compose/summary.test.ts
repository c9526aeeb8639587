/**
 * A thread reads as a summary, not a chop (issue #14): part 1 carries the title, the attribution and the lede;
 * text is shortened by whole sentences; no last part of a few words; a part that stops inside a sentence says
 * so with "…" at its end and the next part picks up with "…"; a cut title ends with "…" at a word boundary.
 */
import { describe, expect, it } from 'vitest';
import { composeForBluesky } from '../../src/platforms/bluesky/compose.js';
import { composeForX } from '../../src/platforms/x/compose.js';
import { type BlueskyPart } from '../../src/platforms/bluesky/parts.js';
import { type XPart } from '../../src/platforms/x/parts.js';
import { defaultTemplate } from '../../src/config/template-schema.js';
import type { Item } from '../../src/core/item.js';
import { expectValidBluesky, expectValidX, makeItem, template } from './helpers.js';

const URL = 'https://news.example.org/2019/06/a-story-with-a-long-slug/';
const COUNTER = / \d+\/\d+$/u;
const ELLIPSIS = '\u2026';

function both(item: Item, tpl = defaultTemplate): { x: XPart[]; bsky: BlueskyPart[] } {
  const x = composeForX(item, tpl);
  const bsky = composeForBluesky(item, tpl);
  expectValidX(x);
  expectValidBluesky(bsky);
  return { x, bsky };
}

/** The body words of a part: counter, link line, title and attribution paragraphs off. */
function bodyWords(text: string, item: Item): string[] {
  const blocks = text.replace(COUNTER, '').split('\n\n');
  return blocks
    .filter((b) => b !== item.title && !b.startsWith('\u2014 ') && !/^(https:\/\/)?news\.example\.org\//u.test(b))
    .join(' ')
    .split(/\s+/u)
    .filter((w) => /[\p{L}\p{N}]/u.test(w));
}

describe('part 1 carries the lede', () => {
  it('shows the first words of a first sentence that does not fit whole, with "…", and goes on with "…" in part 2', () => {
    const lede =
      'The national weather service has issued an amber warning for gales of up to ninety kilometres an hour along the whole coast from Friday evening until Sunday morning.';
    const item = makeItem({
      title: 'Storm warning for the weekend: ferries, night buses and the market may be cancelled',
      attribution: 'Coastal Courier, 13.06.2019',
      summary: `${lede} The ferry operator will decide on each crossing an hour before it leaves.`,
      url: URL,
    });
    for (const parts of Object.values(both(item))) {
      expect(parts.length).toBe(2);
      const [title, attribution, body] = parts[0]!.text.split('\n\n');
      expect(title).toBe(item.title);
      expect(attribution).toBe('\u2014 Coastal Courier, 13.06.2019');
      expect(body).toMatch(/^The national weather service has issued .*\S\u2026$/u);
      expect(lede.startsWith(body!.slice(0, -1))).toBe(true);
      // Part 2 picks the sentence up where part 1 stopped.
      const rest = lede.slice(body!.length - 1).trimStart();
      expect(parts[1]!.text.startsWith(`${ELLIPSIS}${rest}`)).toBe(true);
    }
  });

  it('keeps a first sentence that fits in part 1 whole, and the next one for part 2', () => {
    const item = makeItem({
      title: 'Ferry timetable changes from July',
      attribution: 'Maria Lopez, Harbour Herald',
      summary:
        'The island ferry will leave every forty minutes from the first of July. The operator says two of its four boats need engine work over the summer, and the council has asked for a review in September when they are back.',
      url: URL,
    });
    const { x } = both(item);
    expect(x[0]!.text).toContain('The island ferry will leave every forty minutes from the first of July.\n\n');
    expect(x[1]!.text).toMatch(/^The operator says/u);
    expect(x.map((p) => p.text).join(' ')).not.toContain(ELLIPSIS);
  });
});

describe('shortening to maxParts', () => {
  // About 170 words in 11 sentences, as a digest excerpt runs.
  const summary = [
    'The town council voted nine to two on Thursday evening to adopt the harbour master plan, which sets out how the waterfront will change over the next fifteen years.',
    'The plan moves the ferry terminal two hundred metres east, closer to the bus station, so that passengers can change without crossing the coast road.',
    'It turns the empty fish sheds on the north quay into workshops and a covered market.',
    'It keeps the slipway open for small boats.',
    'Two councillors voted against because the plan does not say how the new sea wall will be paid for.',
    'The harbour board expects the first works to start next spring, once the terminal design is out for tender.',
    'Residents can see the full plan in the library until the end of July.',
    'A public meeting on the timetable is set for the ninth of July.',
    'It will be held in the town hall.',
    'Fishermen and shop owners on the quay have been invited to speak first, before the vote on the timetable.',
    'The minutes will be published a week later.',
  ];
  const item = makeItem({ title: 'Council approves the harbour master plan', attribution: 'Sam Ortiz, Harbour Herald', summary: summary.join(' '), url: URL });

  it('gives at most 3 parts with the default template and ends on a whole sentence', () => {
    expect(summary.join(' ').split(' ').length).toBeGreaterThan(160);
    for (const parts of Object.values(both(item))) {
      expect(parts).toHaveLength(3);
      const last = parts[2]!.text.replace(COUNTER, '');
      expect(last.endsWith(ELLIPSIS)).toBe(false);
      expect(summary.some((s) => last.endsWith(s))).toBe(true);
    }
  });

  it('keeps whole sentences from the start, in order, and drops only from the end', () => {
    for (const parts of Object.values(both(item))) {
      const shown = parts
        .map((p) => p.text.replace(COUNTER, '').split('\n\n').filter((b) => b !== item.title && !b.startsWith('\u2014') && !b.includes('example.org')).join(' '))
        .join(' ')
        .replaceAll(`${ELLIPSIS} `, ' ')
        .replaceAll(ELLIPSIS, ' ')
        .replace(/\s+/gu, ' ')
        .trim();
      const kept = summary.filter((s) => shown.includes(s));
      expect(kept.length).toBeGreaterThanOrEqual(3);
      expect(kept).toEqual(summary.slice(0, kept.length));
      expect(shown).toBe(kept.join(' '));
    }
  });

  it('fewer parts when the text fits', () => {
    const short = makeItem({ title: 'Short', summary: summary.slice(0, 2).join(' '), url: URL });
    for (const parts of Object.values(both(short))) expect(parts.length).toBeLessThanOrEqual(2);
  });
});

describe('no last part of a few words', () => {
  it('hands a short last sentence part of the sentences before it', () => {
    // Part 1 fills up exactly with sentences; the closing "Tickets are free." would be a 3-word part.
    for (let filler = 150; filler <= 250; filler += 7) {
      const sentencesBefore = ['Alpha beta gamma delta epsilon zeta eta theta iota kappa.', `${'lorem '.repeat(Math.floor(filler / 6)).trim()}.`];
      const item = makeItem({ summary: `${sentencesBefore.join(' ')} Tickets are free.`, url: URL });
      for (const parts of Object.values(both(item, template({ link: 'none' })))) {
        const last = parts.at(-1)!;
        if (parts.length >= 2) expect(bodyWords(last.text, item).length, last.text).toBeGreaterThanOrEqual(6);
        expect(parts.map((p) => p.text).join(' ')).toContain('Tickets are free.');
      }
    }
  });

  it('moves words, not only sentences, when the sentence before is longer than a part', () => {
    const item = makeItem({ summary: `${'word '.repeat(60).trim()}. Short end.` });
    for (const parts of Object.values(both(item, template({ link: 'none', numbering: false })))) {
      expect(parts.length).toBe(2);
      expect(bodyWords(parts[1]!.text, item).length).toBeGreaterThanOrEqual(6);
      expect(parts[1]!.text.endsWith('Short end.')).toBe(true);
      expect(parts[0]!.text.endsWith(`word${ELLIPSIS}`)).toBe(true);
    }
  });

  it('ends the thread on a full sentence of several words when it must be shortened', () => {
    // "Yes." lands alone in the last allowed part for some lengths of the sentence before it; the sentence
    // after it is longer than a whole part.
    for (let others = 30; others <= 48; others++) {
      const summary = `Word ${'word '.repeat(40).trim()}. Other ${'other '.repeat(others).trim()}. Yes. More ${'more '.repeat(60).trim()}.`;
      const item = makeItem({ summary });
      for (const parts of Object.values(both(item, template({ link: 'none', maxParts: 3 })))) {
        const last = parts.at(-1)!.text.replace(COUNTER, '');
        expect(last, `${others}`).toMatch(/\.$/u);
        expect(bodyWords(last, item).length, `${others}: ${last}`).toBeGreaterThanOrEqual(6);
      }
    }
  });
  it('finishes a lede too long for part 1 in part 2 rather than ending the thread inside it', () => {
    // miniflux/large_rss.xml, "Youtube video embedding harm reduction": the lede does not fit part 1 beside the
    // title and link, and the code after it is longer than a part, so the thread is shortened after the lede. Its
    // last few words once made a tiny part 2, and ending one part earlier cut the only sentence with "…".
    const lede =
      'Embedding external content on a website in the current enshittocene period is more annoying than ever, so here is a copy-pasteable snippet to embed a youtube video while reducing its tracking and nuisance capabilities as much as possible:';
    const code = `<iframe credentialless allowfullscreen referrerpolicy="no-referrer" sandbox="allow-scripts allow-same-origin" allow="${['accelerometer', 'ambient-light-sensor', 'autoplay', 'battery', 'bluetooth', 'browsing-topics', 'camera', 'ch-ua', 'display-capture', 'domain-agent', 'document-domain', 'encrypted-media', 'execution-while-not-rendered', 'execution-while-out-of-viewport', 'gamepad', 'geolocation', 'gyroscope', 'hid', 'identity-credentials-get', 'idle-detection', 'local-fonts', 'magnetometer', 'microphone', 'midi', 'otp-credentials', 'payment'].map((f) => `${f} 'none'`).join('; ')}" src="https://www.youtube-nocookie.com/embed/XXXX"></iframe>`;
    const item = makeItem({
      title: 'Youtube video embedding harm reduction',
      summary: `${lede}\n\n${code}`,
      url: 'https://dustri.org/b/youtube-video-embedding-harm-reduction.html',
    });
    for (const parts of Object.values(both(item))) {
      expect(parts.length).toBe(2);
      expect(parts[0]!.text).toMatch(/\S\u2026\n\n/u);
      expect(parts[1]!.text.replace(COUNTER, '')).toMatch(/^\u2026.* as much as possible:$/u);
      expect(bodyWords(parts[1]!.text, item).length).toBeGreaterThanOrEqual(6);
    }
  });
});

describe('numbering when the thread ends a part earlier', () => {
  // A sentence of about 300 characters, then one longer than a part: numbered, the second part cannot hold it and
  // the thread would end after part 1, which then shows no counter and would lay out as two parts again.
  const sentenceOf = (length: number): string => {
    let s = '';
    for (let i = 0; s.length < length - 1; i++) s += `${s ? ' ' : ''}Ab${i % 10}cd`;
    return `${s.slice(0, length - 1).replace(/ $/u, 'x')}.`;
  };

  it('settles on one part instead of failing', () => {
    let composed = 0;
    for (const tpl of [defaultTemplate, template({ maxParts: 2 })]) {
      for (let length = 280; length <= 305; length++) {
        for (const tail of [sentenceOf(250), `${sentenceOf(40)} ${sentenceOf(280)}`]) {
          const item = makeItem({ title: 'A short title', summary: `Alpha beta gamma delta epsilon zeta. ${sentenceOf(length)} ${tail}`, url: URL });
          const { x, bsky } = both(item, tpl);
          for (const parts of [x, bsky]) {
            if (parts.length === 1) expect(parts[0]!.text).not.toMatch(COUNTER);
            else parts.forEach((p, i) => expect(p.text.endsWith(` ${i + 1}/${parts.length}`)).toBe(true));
          }
          composed += 1;
        }
      }
    }
    expect(composed).toBe(104);
  });
});

describe('fidelity', () => {
  it('keeps CJK full-width brackets and punctuation in order', () => {
    const summary = '这是一个重要的消息（！）请大家注意。下一句话（注意）也很重要：【公告】「引用」。';
    for (const parts of Object.values(both(makeItem({ title: '标题', summary, language: 'zh' })))) {
      expect(parts.map((p) => p.text).join('')).toContain(summary);
    }
  });

  it('keeps CJK brackets in order when a long run is split across parts', () => {
    const summary = '东京的天气（晴）非常好，大家都很开心地聊天（笑）和拍照片'.repeat(12);
    for (const parts of Object.values(both(makeItem({ summary, language: 'zh' }), template({ maxParts: 25, numbering: false })))) {
      for (const p of parts) expect(p.text).not.toMatch(/^[）」】]|[（「【]$|[（「【]\u2026$/u);
      const joined = parts.map((p) => p.text.replace(/^\u2026/u, '').replace(/\u2026$/u, '')).join('');
      expect(joined.replace(/[，]/gu, '')).toBe(summary.replace(/[，]/gu, ''));
    }
  });

  it('cuts a title longer than a part with "…" at a word boundary', () => {
    const title = `${'Very long headline words '.repeat(14).trim()} end`;
    const item = makeItem({ title, summary: 'Body sentence one. Body sentence two.', url: URL });
    for (const parts of Object.values(both(item))) {
      const shown = parts[0]!.text.split('\n\n')[0]!;
      expect(shown.endsWith(ELLIPSIS)).toBe(true);
      const bare = shown.slice(0, -1);
      expect(title.startsWith(bare)).toBe(true);
      expect(title.charAt(bare.length)).toBe(' ');
    }
  });

  it('cuts a CJK title at a word boundary, with "…"', () => {
    const title = '我们今天去公园玩了很长时间天气非常好大家都很开心地聊天和拍照片'.repeat(12);
    const item = makeItem({ title, summary: '正文。', url: URL, language: 'zh' });
    const words = new Set([...new Intl.Segmenter('zh', { granularity: 'word' }).segment(title)].map((s) => s.index));
    for (const parts of Object.values(both(item))) {
      const shown = parts[0]!.text.split('\n\n')[0]!;
      expect(shown.endsWith(ELLIPSIS)).toBe(true);
      expect(words.has(shown.length - 1)).toBe(true);
    }
  });
});
