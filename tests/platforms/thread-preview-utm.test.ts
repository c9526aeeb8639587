/**
 * The editor page's preview of a channel with UTM tags shows the card the publisher attaches: the page read
 * at its canonical URL, the card pointing to the tagged link.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelSchema, ConfigSchema } from '../../src/platforms/config-schema.js';
import { LinkCardCache, previewThread } from '../../src/platforms/thread-preview.js';
import { makeItem } from '../compose/helpers.js';
import { startWebsite, type Website } from '../support/website.js';

let site: Website;
beforeAll(async () => {
  site = await startWebsite([{ slug: 'fair', title: 'Spring fair programme', summary: 'Stalls, music and a bake sale on the green.' }]);
});
afterAll(() => site.close());

describe('previewThread with utm', () => {
  it('fetches the card at the canonical URL and points it to the tagged link', async () => {
    const web = ConfigSchema.parse({ web: { allowPrivateHosts: ['127.0.0.1'] } }).web;
    const channel = ChannelSchema.parse({ id: 'bsky', platform: 'bluesky', utm: { source: '{channel}', campaign: '{source}' } });
    const url = `${site.url}/articles/fair/`;
    const preview = await previewThread(makeItem({ sourceId: 'editor', url, title: 'Fair', summary: 'On the green.' }), channel, new LinkCardCache(web));
    expect(preview.linkCard).toMatchObject({ uri: `${url}?utm_source=bsky&utm_campaign=editor`, title: 'Spring fair programme' });
    expect(site.requests).toEqual(['/articles/fair/']);
  });
});
