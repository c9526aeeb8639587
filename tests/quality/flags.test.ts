/**
 * Tests of the instrument: the quality judge of bench/quality/flags.ts on hand-made threads, one kind at a time,
 * each with examples it must flag and look-alikes it must not. Threads are written out as the default template
 * lays them out (title, "— attribution", paragraphs, link, " i/n" counter), so these also pin how the judge reads
 * a thread back.
 */
import { describe, expect, it } from 'vitest';
import { flagItem, threadBody, wordCount, type FlagKind, type PreviewedItem } from '../../bench/quality/flags.js';

const URL = 'https://news.example.org/2025/03/ferry-timetable-changes-from-july/';
const SHORT = 'news.example.org/2025/03/ferry-timetabl…';

interface Spec {
  title?: string | null;
  url?: string | null;
  attribution?: string | null;
  summary?: string;
  x: string[];
  bluesky?: string[];
  entryTexts?: string[];
  entryTitle?: string;
}

function item(spec: Spec): PreviewedItem {
  return {
    title: spec.title === undefined ? 'Ferry timetable changes from July' : spec.title,
    url: spec.url === undefined ? URL : spec.url,
    attribution: spec.attribution ?? null,
    summary: spec.summary ?? spec.x.join('\n\n'),
    threads: {
      x: spec.x.map((text) => ({ text })),
      bluesky: (spec.bluesky ?? spec.x.map((t) => t.replace(URL, SHORT))).map((text) => ({ text })),
    },
    ...(spec.entryTexts ? { entryTexts: spec.entryTexts } : {}),
    ...(spec.entryTitle ? { entryTitle: spec.entryTitle } : {}),
  };
}

const kinds = (i: PreviewedItem): FlagKind[] => flagItem(i).map((f) => f.kind);
const evidence = (i: PreviewedItem, kind: FlagKind): string | undefined => flagItem(i).find((f) => f.kind === kind)?.evidence;

/** A clean two-part thread: nothing to flag. */
const CLEAN = item({
  summary:
    'The island ferry will leave every forty minutes instead of every half hour from the first of July.\n\nThe operator says two of its four boats need engine work over the summer. The council has asked for a review in September.',
  x: [
    `Ferry timetable changes from July\n\nThe island ferry will leave every forty minutes instead of every half hour from the first of July.\n\n${URL} 1/2`,
    'The operator says two of its four boats need engine work over the summer. The council has asked for a review in September. 2/2',
  ],
});

describe('reading a thread back', () => {
  it('takes the title, attribution, link and counter off, and keeps the body', () => {
    const i = item({
      attribution: 'Maria Lopez, Harbour Herald, June 25 2019',
      x: [
        `Ferry timetable changes from July\n\n— Maria Lopez, Harbour Herald, June 25 2019\n\nThe island ferry will leave every forty minutes.\n\n${URL} 1/2`,
        'Two boats need engine work. 2/2',
      ],
    });
    const x = threadBody(i, 'x');
    expect(x.map((p) => p.body)).toEqual(['The island ferry will leave every forty minutes.', 'Two boats need engine work.']);
    expect(x[0]?.titleShown).toBe('Ferry timetable changes from July');
    // Bluesky shows the link short: still recognised as the link.
    expect(threadBody(i, 'bluesky').map((p) => p.body)).toEqual(x.map((p) => p.body));
  });

  it('recognises Bluesky\'s short form of a link whose path is "/"', () => {
    const i = item({ url: 'https://agoraequesaoelas.blogfolha.uol.com.br/?p=1609', x: ['Title only\n\nagoraequesaoelas.blogfolha.uol.com.br?p…'], title: 'Title only' });
    expect(threadBody(i, 'x')[0]?.body).toBe('');
  });

  it('takes off the rest of a long title that spilled into part 2', () => {
    const i = item({
      title: 'A very long title that goes on and on',
      x: ['A very long title that 1/2', 'goes on and on\n\nThe body starts here. 2/2'],
    });
    expect(threadBody(i, 'x').map((p) => p.body)).toEqual(['', 'The body starts here.']);
  });

  it('counts words as ICU does, links left out', () => {
    expect(wordCount('Two boats need engine work.')).toBe(5);
    expect(wordCount('see https://example.org/a/b/c and example.org/x')).toBe(2);
    expect(wordCount('渡し船の時刻表が七月から変わります')).toBeGreaterThan(3);
  });
});

describe('a clean thread', () => {
  it('has no flag', () => {
    expect(flagItem(CLEAN)).toEqual([]);
  });
});

describe('boilerplate', () => {
  const positives: Array<[string, string]> = [
    ['WordPress', 'Join us on the 15th. The post Spring planting day appeared first on Garden Club.'],
    ['German WordPress', 'Wir pflanzen am 15. Der Beitrag Pflanztag erschien zuerst auf Gartenverein.'],
    ['Read more', 'The ferry will leave every forty minutes. Read more'],
    ['Continue reading', 'The ferry will leave every forty minutes. Continue reading →'],
    ['Read full article', 'The ferry will leave every forty minutes. Read full article >>'],
    ['Swedish', 'Färjan går var fyrtionde minut. Läs mer »'],
    ['French', 'Le ferry partira toutes les quarante minutes. Lire la suite'],
    ['Portuguese', 'A balsa sairá a cada quarenta minutos. Leia mais (01/03/2025 - 23h00)'],
    ['Spanish', 'El ferry saldrá cada cuarenta minutos. Leer más'],
    ['a Comments link alone', 'Comments'],
    ['Reddit', 'submitted by /u/ferryfan [link] [comments]'],
    ['share links', 'The ferry will leave every forty minutes. Share this: Facebook X'],
    ['WordPress\'s "Like this:" heading', 'The ferry will leave every forty minutes.\nLike this:\nLike Loading...'],
    ['a "like this:" pointer with nothing after it', 'The ferry will leave every forty minutes. The board looks like this:'],
    ['a podcast host footer', 'Die wichtigsten Nachrichten. See omnystudio.com/listener for privacy information.'],
    ['Google News', 'Ferry news RTBF 2. Other ferry news Le Soir 3. Voir la couverture complète sur Google Actualités'],
  ];
  for (const [what, body] of positives) {
    it(`flags ${what}`, () => {
      const i = item({ x: [`Ferry timetable changes from July\n\n${body}\n\n${URL}`] });
      expect(kinds(i)).toContain('boilerplate');
    });
  }

  it('says where and quotes the phrase', () => {
    const i = item({ x: [`Ferry timetable changes from July\n\nOne.\n\n${URL} 1/2`, 'Two. Continue reading 2/2'] });
    expect(evidence(i, 'boilerplate')).toMatch(/^x part 2: ".*Continue reading"$/);
  });

  const negatives: Array<[string, Spec]> = [
    ['a read-more slug in the link', { url: 'https://example.org/read-more-books/', x: ['Ferry timetable changes from July\n\nBoats.\n\nhttps://example.org/read-more-books/'] }],
    ['"Read more" in the title only', { title: 'Read more books this summer', x: ['Read more books this summer\n\nThe library lends ten at a time.\n\nhttps://e.org/a'] }],
    ['"comments" inside a sentence', { x: ['Ferry timetable changes from July\n\nThe council comments on the plan next week.\n\nhttps://e.org/a'] }],
    [
      // feedjira/json_feed.json: the colon introduces the rest of the sentence, not a picture.
      '"like this:" going on in its sentence',
      { x: ['Ferry timetable changes from July\n\nOrigFrontier was written in C, and so it worked like this: most runtime functions returned a boolean.\n\nhttps://e.org/a'] },
    ],
  ];
  for (const [what, spec] of negatives) {
    it(`does not flag ${what}`, () => {
      expect(kinds(item(spec))).not.toContain('boilerplate');
    });
  }
});

describe('echo', () => {
  it('flags the title again at the end of the body', () => {
    const i = item({
      x: [`Ferry timetable changes from July\n\nThe ferry will leave every forty minutes. Ferry timetable changes from July\n\n${URL}`],
    });
    expect(evidence(i, 'echo')).toMatch(/x part 1/);
  });

  it('flags a paragraph that is the title, even a one-word title', () => {
    const i = item({ title: 'Migrants', x: ['Migrants\n\nSome words here.\n\nMigrants!\n\nhttps://e.org/a'], url: 'https://e.org/a' });
    expect(evidence(i, 'echo')).toBe('x part 1: a paragraph is the title "Migrants!"');
  });

  it('flags the title with other punctuation (Google News lists)', () => {
    const i = item({
      title: 'Coronavirus en Belgique: 200 cas détectés - RTBF',
      x: ['Coronavirus en Belgique: 200 cas détectés - RTBF\n\n1. Coronavirus en Belgique: 200 cas détectés RTBF 2. Autre titre\n\nhttps://e.org/a'],
      url: 'https://e.org/a',
    });
    expect(kinds(i)).toContain('echo');
  });

  it('does not flag the title line of part 1, a short title inside a word, or a title that is not repeated', () => {
    expect(kinds(CLEAN)).not.toContain('echo');
    const i = item({ title: 'July', x: ['July\n\nIn July the ferry runs less often, from the first of July.\n\nhttps://e.org/a'], url: 'https://e.org/a' });
    expect(kinds(i)).not.toContain('echo');
    const j = item({ title: 'Ferry timetable', x: ['Ferry timetable\n\nThe ferry timetables are online.\n\nhttps://e.org/a'], url: 'https://e.org/a' });
    expect(kinds(j)).not.toContain('echo');
  });
});

describe('echo: the title as its own unit, not words of the writer\'s sentence', () => {
  it('flags the title after a speaker\'s name and a colon (netnewswire/expertopinionent.atom)', () => {
    const i = item({ title: 'Douching the Nose', x: ['Douching the Nose\n\nDr. Larry Kalish: Douching the Nose\n\nhttps://e.org/a'], url: 'https://e.org/a' });
    expect(kinds(i)).toContain('echo');
  });

  it('does not flag the title\'s words inside a longer sentence (feed-rs/rss_2.0_cloudflare.xml, simplepie RSS.com)', () => {
    const cloudflare = item({
      title: 'Privacy-Preserving Compromised Credential Checking',
      x: [
        'Privacy-Preserving Compromised Credential Checking\n\nAnnouncing a public demo and open-sourced implementation of a privacy-preserving compromised credential checking service\n\nhttps://e.org/a',
      ],
      url: 'https://e.org/a',
    });
    expect(kinds(cloudflare)).not.toContain('echo');
    const question = item({
      title: 'Are You Getting Too Personal On Your Podcast?',
      x: ['Are You Getting Too Personal On Your Podcast?\n\nBut, at some point you have to ask yourself – are you getting too personal on your podcast?\n\nhttps://e.org/a'],
      url: 'https://e.org/a',
    });
    expect(kinds(question)).not.toContain('echo');
    // The same words in the title's own capitals after the dash are the title repeated as a label.
    const label = item({
      title: 'Are You Getting Too Personal On Your Podcast?',
      x: ['Are You Getting Too Personal On Your Podcast?\n\nA new episode is out – Are You Getting Too Personal On Your Podcast?\n\nhttps://e.org/a'],
      url: 'https://e.org/a',
    });
    expect(kinds(label)).toContain('echo');
  });
});

describe('leftover source line', () => {
  const positives = [
    'Coastal Courier, June 22 2019:… A protected cycle lane now runs the length of Quay Street.',
    'Jonas Berg Harbour Herald, June 21 2019: The central library will open on Sundays.',
    'A. B. Okafor,, June 18 2019:… Repairs ended three weeks ahead of schedule.',
    'Maria Lopez, Harbour Herald, 25.06.2019: The ferry will leave every forty minutes.',
    'By Lena Fischer, Harbour Herald: More than four hundred people joined.',
  ];
  for (const body of positives) {
    it(`flags ${JSON.stringify(body.slice(0, 40))}`, () => {
      expect(kinds(item({ x: [`Ferry timetable changes from July\n\n${body}\n\n${URL}`] }))).toContain('leftover-source-line');
    });
  }

  it('does not flag the attribution paragraph, a quotation lead-in, or a date inside a sentence', () => {
    const attributed = item({
      attribution: 'Maria Lopez, Harbour Herald, June 25 2019',
      x: [`Ferry timetable changes from July\n\n— Maria Lopez, Harbour Herald, June 25 2019\n\nThe ferry will leave every forty minutes.\n\n${URL}`],
    });
    expect(kinds(attributed)).not.toContain('leftover-source-line');
    const quoted = item({ x: [`Ferry timetable changes from July\n\nJacques Distler: Remarkably, Unicode is still cutting edge.\n\n${URL}`] });
    expect(kinds(quoted)).not.toContain('leftover-source-line');
    // A date alone before the colon at the top of a paragraph is the dateline form: flagged; one further in is not.
    const dated = item({ x: [`Ferry timetable changes from July\n\nJune 22 2019: the new timetable applies.\n\n${URL}`] });
    expect(kinds(dated)).toContain('leftover-source-line');
    const middle = item({ x: [`Ferry timetable changes from July\n\nThe timetable of June 22 2019: every forty minutes.\n\n${URL}`] });
    expect(kinds(middle)).not.toContain('leftover-source-line');
  });
});

describe('stub only', () => {
  const long = 'Kotlin 2.2 brings multi-dollar string interpolation. '.repeat(6);

  it('flags a title-only thread when the entry had a long field', () => {
    const i = item({ summary: '', x: [`Ferry timetable changes from July\n\n${URL}`], entryTexts: [long] });
    expect(evidence(i, 'stub-only')).toMatch(/^thread body has 0 word\(s\); the entry has a \d+-word field/);
  });

  it('flags a one-line teaser when the entry had the whole article', () => {
    const i = item({ x: [`Ferry timetable changes from July\n\nRaspberry Pi users might be happier.\n\n${URL}`], entryTexts: ['Raspberry Pi users might be happier.', long] });
    expect(kinds(i)).toContain('stub-only');
  });

  it('does not flag a title-only entry, an entry whose only text is the title, a short field, or no entry texts at all', () => {
    const bare = `Ferry timetable changes from July\n\n${URL}`;
    expect(kinds(item({ summary: '', x: [bare], entryTexts: [] }))).not.toContain('stub-only');
    expect(kinds(item({ summary: '', x: [bare], entryTexts: ['Ferry timetable changes from July'] }))).not.toContain('stub-only');
    expect(kinds(item({ summary: '', x: [bare], entryTexts: ['Comments'] }))).not.toContain('stub-only');
    expect(kinds(item({ summary: '', x: [bare] }))).not.toContain('stub-only');
    expect(kinds({ ...CLEAN, entryTexts: [long] })).not.toContain('stub-only');
  });
});

describe('mojibake', () => {
  const positives: Array<[string, string]> = [
    ['U+FFFD', 'Caf\uFFFD au lait'],
    ['UTF-8 é read as Latin-1', 'CafÃ© au lait'],
    ['a curly apostrophe read as windows-1252', 'It didnâ€™t sail'],
    ['Cyrillic read as Latin-1', 'Ð¿Ñ€Ð¸Ð²ÐµÑ‚'],
    ['Cyrillic read as windows-1251', 'РїСЂРёРІРµС‚'],
    ['GB2312 read as Latin-1', 'ÖÐ¹ú ÐÂÎÅ'],
    ['a C1 control', 'Caf\u0085 au lait'],
  ];
  for (const [what, text] of positives) {
    it(`flags ${what}`, () => {
      expect(kinds(item({ x: [`Ferry timetable changes from July\n\n${text}.\n\n${URL}`] }))).toContain('mojibake');
    });
  }

  it('flags it in the title too', () => {
    expect(evidence(item({ title: 'CafÃ© opens', x: [`CafÃ© opens\n\nFresh bread daily.\n\n${URL}`] }), 'mojibake')).toMatch(/^title:/);
  });

  const negatives = [
    'Café au lait, naïve façade, Ærø, Ångström, Lørdagsrådet',
    'São Paulo, NÃO, ações, Ação',
    'À « l’heure » près, 50 °C, ¿Qué? ¡Sí!',
    'Привет, мир! Россия, Сочи, «Ёлка»',
    'Καλημέρα κόσμε, 東京タワー, 中华人民共和国',
    'Straße, Grüße, ÄÖÜ, naïveté',
  ];
  for (const text of negatives) {
    it(`does not flag ${JSON.stringify(text.slice(0, 30))}`, () => {
      expect(kinds(item({ x: [`Ferry timetable changes from July\n\n${text}.\n\n${URL}`] }))).not.toContain('mojibake');
    });
  }
});

describe('escaped entities', () => {
  for (const text of ['It&#8217;s here', 'Fish &amp; chips', 'Use &lt;b&gt; for bold', 'Lager&nbsp;beer', 'it&#x27;s', '&copy 2025 Example']) {
    it(`flags ${JSON.stringify(text)}`, () => {
      expect(kinds(item({ x: [`Ferry timetable changes from July\n\n${text}.\n\n${URL}`] }))).toContain('escaped-entity');
    });
  }

  it('flags a link escaped twice', () => {
    const url = 'https://example.org/a?utm_medium=site&amp;xid=2310';
    expect(evidence(item({ url, x: [`Ferry timetable changes from July\n\nBoats.\n\n${url}`] }), 'escaped-entity')).toMatch(/in a link/);
  });

  it('does not flag a bare ampersand, AT&T, or a query string', () => {
    for (const text of ['Fish & chips', 'AT&T and R&D', 'see https://example.org/?a=1&b=2&copy=3']) {
      expect(kinds(item({ x: [`Ferry timetable changes from July\n\n${text}.\n\n${URL}`] }))).not.toContain('escaped-entity');
    }
  });
});

describe('tiny last part', () => {
  it('flags a last part of fewer than six body words, link and counter left out', () => {
    const i = item({ x: [`Ferry timetable changes from July\n\nThe island ferry will leave every forty minutes.\n\n${URL} 1/2`, 'adjunto dos Estados Unidos. 2/2'] });
    expect(evidence(i, 'tiny-last-part')).toBe('x part 2/2: 4 word(s) "adjunto dos Estados Unidos."');
  });

  it('does not flag a one-part thread or a last part of six words', () => {
    expect(kinds(item({ x: [`Ferry timetable changes from July\n\nShort.\n\n${URL}`] }))).not.toContain('tiny-last-part');
    const i = item({ x: [`Ferry timetable changes from July\n\nOne.\n\n${URL} 1/2`, 'It reopens on Saturday morning again. 2/2'] });
    expect(kinds(i)).not.toContain('tiny-last-part');
  });
});

describe('cut mid-sentence', () => {
  it('flags a thread cut with "…" inside a sentence', () => {
    const summary = 'The position requires strong leadership. Outstanding news judgment, a strong grasp of US politics, the ability to write.';
    const i = item({ summary, x: [`Ferry timetable changes from July\n\nThe position requires strong leadership.\n\n${URL} 1/2`, 'Outstanding news judgment, a strong grasp of US politics, the… 2/2'] });
    expect(evidence(i, 'cut-mid-sentence')).toMatch(/^x part 2\/2 ends/);
  });

  it('flags the feed\'s own "..." or "[…]" inside a sentence', () => {
    for (const end of ['O termo de renovaç...', 'tea is on us […]', 'tea is on us [...]']) {
      const i = item({ summary: `Tools are provided. ${end}`, x: [`Ferry timetable changes from July\n\nTools are provided. ${end}\n\n${URL}`] });
      expect(kinds(i)).toContain('cut-mid-sentence');
    }
  });

  it('flags text the feed cut without saying so, after full sentences', () => {
    const summary = 'Vivimed is recalling 19 lots to consumer level. Due to the detection of an impurity that is above the interim acceptable exposu';
    expect(kinds(item({ summary, x: [`Ferry timetable changes from July\n\n${summary}\n\n${URL}`] }))).toContain('cut-mid-sentence');
    const zh = '又是一年9.18，求是网带您一起回顾习近平这些震撼人心的话！为什么要崇尚英雄？实现中华民族伟大';
    expect(kinds(item({ summary: zh, x: [`Ferry timetable changes from July\n\n${zh}\n\n${URL}`] }))).toContain('cut-mid-sentence');
  });

  it('does not flag a cut between sentences (the composer drops the full stop before its "…")', () => {
    const summary = 'The position requires strong leadership. Outstanding news judgment is a must. The ability to write.';
    const i = item({ summary, x: [`Ferry timetable changes from July\n\nThe position requires strong leadership.\n\n${URL} 1/2`, 'Outstanding news judgment is a must… 2/2'] });
    expect(kinds(i)).not.toContain('cut-mid-sentence');
  });

  it('does not flag an ending on sentence punctuation, a one-line deck, a clipped link, a trailing label, or the title echoed at the end', () => {
    expect(kinds(CLEAN)).not.toContain('cut-mid-sentence');
    const deck = 'Corte de gastos pode atrair a atenção de investidores estrangeiros';
    expect(kinds(item({ summary: deck, x: [`Ferry timetable changes from July\n\n${deck}\n\n${URL}`] }))).not.toContain('cut-mid-sentence');
    const linkEnd = 'Read the notes at example.org/2019/06/ferry-timetabl…';
    expect(kinds(item({ summary: 'Read the notes at https://example.org/2019/06/ferry-timetable', x: [`Ferry timetable changes from July\n\n${linkEnd}\n\n${URL}`] }))).not.toContain('cut-mid-sentence');
    const label = 'Provincial governments must be cautious, experts warn. Medscape News Canada';
    expect(kinds(item({ summary: label, x: [`Ferry timetable changes from July\n\n${label}\n\n${URL}`] }))).not.toContain('cut-mid-sentence');
    const echoed = 'The ferry leaves every forty minutes. Ferry timetable changes from July';
    expect(kinds(item({ summary: echoed, x: [`Ferry timetable changes from July\n\n${echoed}\n\n${URL}`] }))).not.toContain('cut-mid-sentence');
  });
});

describe('cut mid-sentence where the feed\'s own text ends', () => {
  const google = 'In the run up to the IPO for Slack Technologies Inc (NYSE:WORK), much of the news coverage centered on the Company\'s decision to go public via ...';
  it('reports, not counted, a thread whose one cut sentence is all the feed had (feedjira/google_alerts_atom.xml)', () => {
    const i = item({ summary: google, x: [`Ferry timetable changes from July\n\n${google}\n\n${URL}`], entryTexts: [google] });
    expect(kinds(i)).toContain('feed-text-end');
    expect(kinds(i)).not.toContain('cut-mid-sentence');
  });

  it('reports, not counted, an ending without a full stop where the feed\'s text ends, before its footer (feed-rs/atom_mediarss_reddit_1.xml)', () => {
    const post = 'Is this even possible in a 1u form factor? I’ve been looking online with no success. I’ll be using active cooling for my cpu so i probably wont need insane airflow';
    const i = item({ summary: post, x: [`Ferry timetable changes from July\n\n${post}\n\n${URL}`], entryTexts: [`${post} submitted by /u/teapots12 [link] [comments]`] });
    expect(kinds(i)).toEqual(['feed-text-end']);
  });

  it('still counts a cut when a field of the entry has more of the text, or a whole sentence came before the cut one', () => {
    const cut = google.replace(' via ...', ' via…');
    const more = item({ summary: google, x: [`Ferry timetable changes from July\n\n${cut}\n\n${URL}`], entryTexts: [google, google.replace(' via ...', ' via a direct listing.')] });
    expect(kinds(more)).toContain('cut-mid-sentence');
    const twoSentences = `Slack filed on Monday. ${google}`;
    const earlier = item({ summary: twoSentences, x: [`Ferry timetable changes from July\n\n${twoSentences}\n\n${URL}`], entryTexts: [twoSentences] });
    expect(kinds(earlier)).toContain('cut-mid-sentence');
    const unpunctuated = item({
      summary: 'Vivimed is recalling 19 lots to consumer level. Due to the detection of an impurity that is above the interim acceptable exposu',
      x: [`Ferry timetable changes from July\n\nVivimed is recalling 19 lots to consumer level. Due to the detection of an impurity that is above the interim acceptable exposu\n\n${URL}`],
      entryTexts: ['Vivimed is recalling 19 lots to consumer level. Due to the detection of an impurity that is above the interim acceptable exposure limit, the company recalls.'],
    });
    expect(kinds(unpunctuated)).toContain('cut-mid-sentence');
  });

  it('does not flag the writer\'s own "…" that the feed\'s text goes on after (netnewswire/natasha.xml)', () => {
    const end = 'The best explanation was by Gwendolyn Weston, so the example is inspired by her talk. There will be Pokemon…';
    const i = item({ summary: end, x: [`Ferry timetable changes from July\n\n${end}\n\n${URL}`], entryTexts: [`${end} Before PATs Let’s say you want to make a Pokemon battle game.`] });
    expect(kinds(i)).not.toContain('cut-mid-sentence');
    expect(kinds(i)).not.toContain('feed-text-end');
    // The feed's cut mark before its footer is a cut, not the writer's.
    const massa = 'Um jovem foi detido depois de roubar celulares de passageiros que estavam em um ponto de ônibus no centro da cidad...';
    const j = item({ summary: massa, x: [`Ferry timetable changes from July\n\n${massa}\n\n${URL}`], entryTexts: [`${massa} Leia mais no Massa News !`] });
    expect(kinds(j)).toEqual(['feed-text-end']);
  });
});

describe('title cut without …', () => {
  it('flags a title shortened in part 1 with no "…"', () => {
    const i = item({ title: 'A very long title that goes on and on', x: ['A very long title that 1/2', 'goes on and on\n\nThe body. 2/2'] });
    expect(evidence(i, 'title-cut')).toMatch(/^x part 1 shows "A very long title that"/);
  });

  it('flags an item title cut from the feed entry\'s title', () => {
    const i = item({ title: 'Transfer dominos: Hazard', entryTitle: 'Transfer dominos: Hazard > Bale > Pogba?', x: [`Transfer dominos: Hazard\n\nBoats.\n\n${URL}`] });
    expect(kinds(i)).toContain('title-cut');
  });

  it('does not flag a whole title, a title cut with "…", or entity differences from the entry title', () => {
    expect(kinds(CLEAN)).not.toContain('title-cut');
    const i = item({ title: 'A very long title that goes on and on', x: ['A very long title that… 1/2', 'The body. 2/2'] });
    expect(kinds(i)).not.toContain('title-cut');
    const j = item({ title: 'Fish & chips', entryTitle: 'Fish &amp; chips', x: [`Fish & chips\n\nBoats.\n\n${URL}`] });
    expect(kinds(j)).not.toContain('title-cut');
  });
});

describe('boilerplate: link words, not the same words in prose', () => {
  it('does not flag "read more of", "Top 10 Comments of the Week" or a request for comments in a sentence', () => {
    for (const prose of [
      'Elasticfox exists; however as you read more of this post I believe you’ll agree that the new console is compelling.',
      'Our Top 10 Comments of the Week: Readers debate Donald Trump’s tweets on security and ethics.',
      'If you know of references to this ordering, please leave a comment or email me.',
    ]) {
      expect(kinds(item({ x: [`Ferry timetable changes from July\n\n${prose}\n\n${URL}`] }))).not.toContain('boilerplate');
    }
  });

  it('still flags the links themselves', () => {
    for (const link of ['The ferry leaves at nine. Read more »', 'The ferry leaves at nine. 12 comments', 'The ferry leaves at nine.\n\nLeave a comment']) {
      expect(kinds(item({ x: [`Ferry timetable changes from July\n\n${link}\n\n${URL}`] }))).toContain('boilerplate');
    }
  });
});

describe('one flag per kind', () => {
  it('reports each kind once however often it occurs', () => {
    const i = item({ x: [`Ferry timetable changes from July\n\nRead more\n\n${URL} 1/2`, 'Continue reading. Read more. Leia mais. 2/2'] });
    expect(kinds(i).filter((k) => k === 'boilerplate')).toHaveLength(1);
  });
});
