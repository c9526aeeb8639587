/**
 * UTF-8 a publisher read as windows-1252 and served as UTF-8 (issue #14, "mojibake"). The damaged texts are quoted
 * from tests/fixtures/corpus/simplepie/feed_rss-2.0_for_file_mock.xml (the RSS.com blog), as the file holds them.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusFiles, REPO } from '../../bench/quality/preview-corpus.js';
import { cleanBody, repairMojibake, type BodyField } from '../../src/clean/index.js';
import { hasMojibake } from '../../src/clean/mojibake.js';
import { defaultFetchLimits, fetchFeed } from '../../src/sources/fetch-feed.js';

const RSS_COM = 'tests/fixtures/corpus/simplepie/feed_rss-2.0_for_file_mock.xml';

describe('repairMojibake', () => {
  it('repairs curly quotes, dashes and accented letters (titles and descriptions of RSS.com)', () => {
    expect(repairMojibake('Growing Your Podcast Is Not about You â€“ Itâ€™s about Your Audience')).toBe('Growing Your Podcast Is Not about You – It’s about Your Audience');
    expect(repairMojibake('Â¿Pensando en Comenzar un Podcast? AquÃ­ Hay 7 Cosas Que Debes Saber')).toBe('¿Pensando en Comenzar un Podcast? Aquí Hay 7 Cosas Que Debes Saber');
    expect(repairMojibake('company name including â€œRSS Podcastingâ€ and â€œRSS.com Podcastingâ€ into a single DBA name')).toBe(
      'company name including “RSS Podcasting” and “RSS.com Podcasting” into a single DBA name',
    );
  });

  it('drops the "Â" left of a no-break space that became a plain space, also in a field with no other telltale', () => {
    expect(repairMojibake('As podcasters, we are always looking for effective ways to reach new audiences and gain new fans.Â  One of the best ways')).toBe(
      'As podcasters, we are always looking for effective ways to reach new audiences and gain new fans.  One of the best ways',
    );
  });

  it('repairs text that went through windows-1252 twice, with the evidence of the whole field', () => {
    const field = 'â€œRSS Podcastingâ€ into a podcast audience,Ã¢â‚¬Â you';
    expect(repairMojibake('into a podcast audience,Ã¢â‚¬Â you', field)).toBe('into a podcast audience,” you');
  });

  it('leaves correct Latin-1, German, Cyrillic and Chinese text alone (titles from the corpus)', () => {
    for (const text of [
      'SVART MÅNAD - DÖDSOLYCKA i Vetlanda', // feedreader/Rss20ISO88591Intranet30.xml (iso-8859-1)
      'Startup-Paket: Die Förderprogramme sind gestartet', // feedreader/Rss20DerBrutkasten.xml
      'Новости - citydog.by', // feedreader/Rss20CityDog.xml
      '建国35周年纪念，华表，和平鸽', // netnewswire/kc0011.rss (gb2312)
    ]) {
      expect(hasMojibake(text), text).toBe(false);
      expect(repairMojibake(text)).toBe(text);
    }
  });

  it('changes no feed of the corpus but the RSS.com one, even taking the whole document as evidence', async () => {
    const changed: string[] = [];
    for (const file of corpusFiles()) {
      const fetched = await fetchFeed(path.resolve(REPO, file), {}, defaultFetchLimits);
      if (fetched.kind === 'fetched' && repairMojibake(fetched.body) !== fetched.body) changed.push(file);
    }
    expect(changed).toEqual([RSS_COM]);
  });
});

describe('cleanBody repairs mojibake before it chooses and cuts', () => {
  it('ends a WordPress excerpt on its last whole sentence once the no-break spaces are repaired', () => {
    // "Yearly Vs. Monthly : Which Plan Is Better for Podcast Hosting?": the excerpt is the only body field.
    const description: BodyField = {
      field: 'description',
      role: 'summary',
      read: () => [
        [
          {
            text: 'Money is always something to consider when deciding whether or not to start a podcast.Â  Youâ€™re going to put some money into the project and hope that eventually, you make something back, right?Â  Today, weâ€™re talking about how to make the right decision for YOU when it comes to hosting and storage plans for your […]',
          },
        ],
      ],
    };
    expect(cleanBody([description], { title: 'Yearly Vs. Monthly : Which Plan Is Better for Podcast Hosting?' }).summary).toBe(
      'Money is always something to consider when deciding whether or not to start a podcast. You’re going to put some money into the project and hope that eventually, you make something back, right?',
    );
  });
});
