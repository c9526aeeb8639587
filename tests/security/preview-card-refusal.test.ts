/**
 * An editor's preview says why a link card could not be made, but not which internal address a refused host name
 * resolves to: that is the operator's to know (the log keeps it), and an editor could map the network with it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchLinkPreview } from '../../src/media/link-preview.js';
import { ChannelSchema, ConfigSchema } from '../../src/platforms/config-schema.js';
import { LinkCardCache, previewThread } from '../../src/platforms/thread-preview.js';
import { makeItem } from '../compose/helpers.js';
import { startWebsite, type Website } from '../support/website.js';

let site: Website;
beforeAll(async () => {
  site = await startWebsite([{ slug: 'fair', title: 'Spring fair programme', summary: 'Stalls, music and a bake sale on the green.' }]);
});
afterAll(() => site.close());

/** The same page by a name that resolves to the loopback address, which the guard refuses. */
const byName = () => `${site.url.replace('127.0.0.1', 'localhost')}/articles/fair/`;
const LOOPBACK = /127\.0\.0\.1|::1/;

describe('a refused link card in the preview', () => {
  it('names the link and the setting, not the address its host resolved to', async () => {
    const web = ConfigSchema.parse({}).web;
    const channel = ChannelSchema.parse({ id: 'bsky', platform: 'bluesky' });
    const preview = await previewThread(makeItem({ sourceId: 'editor', url: byName(), title: 'Fair', summary: 'On the green.' }), channel, new LinkCardCache(web));
    expect(preview.linkCard).toBeNull();
    expect(preview.linkCardProblem).toContain('localhost');
    expect(preview.linkCardProblem).toContain('private or local address');
    expect(preview.linkCardProblem).toContain('web.allowPrivateHosts');
    expect(preview.linkCardProblem).not.toMatch(LOOPBACK);
    expect(site.requests).toEqual([]);
  });

  it('still gives the operator the address, for the log', async () => {
    const told: Array<[string, string]> = [];
    const card = await fetchLinkPreview(byName(), {
      timeoutMs: 2_000,
      maxPageBytes: 100_000,
      maxImageBytes: 100_000,
      allowPrivateHosts: [],
      thumbMaxBytes: 100_000,
      onProblem: (logged, shown) => told.push([logged, shown]),
    });
    expect(card).toBeUndefined();
    expect(told).toHaveLength(1);
    expect(told[0]![0]).toMatch(LOOPBACK);
    expect(told[0]![1]).not.toMatch(LOOPBACK);
  });
});
