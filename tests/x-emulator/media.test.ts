import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EUploadMimeType } from 'twitter-api-v2';
import { harness, oauth1Client, oauth2Client, responseError, type Harness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h.emu.stop();
});

const png = (size: number): Buffer => {
  const b = Buffer.alloc(size, 7);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b);
  return b;
};

describe('media v2 chunked upload', () => {
  it('initialize / append (multipart) / finalize / STATUS + alt text, then a post with media_ids', async () => {
    const creds = h.emu.addOAuth1User();
    const client = oauth1Client(h.emu, creds);
    const image = png(2_500_000); // 3 segments of ≤ 1 MB
    const mediaId = await client.v2.uploadMedia(image, { media_type: EUploadMimeType.Png });
    expect(mediaId).toMatch(/^[0-9]{1,19}$/);
    const appends = h.emu.requests().filter((r) => r.path === `/2/media/upload/${mediaId}/append`);
    expect(appends.map((r) => r.status)).toEqual([200, 200, 200]);

    const status = await client.v2.get('media/upload', { command: 'STATUS', media_id: mediaId });
    expect(status.data).toMatchObject({ id: mediaId, size: image.length, processing_info: { state: 'succeeded' } });
    expect(status.data.media_key).toBe(`3_${mediaId}`);

    const meta = await client.v2.createMediaMetadata(mediaId, { alt_text: { text: 'A grey square' } });
    expect(meta.data).toEqual({ id: mediaId, associated_metadata: { alt_text: { text: 'A grey square' } } });

    const post = await client.v2.tweet({ text: 'with a picture', media: { media_ids: [mediaId] } });
    expect(h.emu.posts(creds.userId).at(-1)).toMatchObject({ id: post.data.id, mediaIds: [mediaId] });
    expect(h.emu.media().find((m) => m.id === mediaId)).toMatchObject({
      state: 'finalized',
      receivedBytes: image.length,
      totalBytes: image.length,
      mediaType: 'image/png',
      mediaCategory: 'tweet_image',
      altText: 'A grey square',
    });
  });

  it('works with an OAuth 2 user client too; a media-only post (empty text) is allowed', async () => {
    const creds = h.emu.addOAuth2User();
    const { client } = await oauth2Client(h.emu, creds);
    const mediaId = await client.v2.uploadMedia(png(1000), { media_type: EUploadMimeType.Jpeg });
    const post = await client.v2.tweet({ media: { media_ids: [mediaId] } });
    expect(post.data.id).toBeTypeOf('string');
  });

  it('refuses images over 5 MB', async () => {
    const client = oauth1Client(h.emu, h.emu.addOAuth1User());
    const err = await responseError(client.v2.uploadMedia(png(5 * 1024 * 1024 + 1), { media_type: EUploadMimeType.Png }));
    expect(err.code).toBe(400);
    expect(JSON.stringify(err.data)).toMatch(/5242880/);
    // Exactly 5 MB is fine.
    await client.v2.uploadMedia(png(5 * 1024 * 1024), { media_type: EUploadMimeType.Png });
  });

  it('refuses alt text over 1000 characters (OpenAPI maxLength)', async () => {
    const client = oauth1Client(h.emu, h.emu.addOAuth1User());
    const id = await client.v2.uploadMedia(png(100), { media_type: EUploadMimeType.Png });
    await client.v2.createMediaMetadata(id, { alt_text: { text: 'a'.repeat(1000) } });
    expect((await responseError(client.v2.createMediaMetadata(id, { alt_text: { text: 'a'.repeat(1001) } }))).code).toBe(400);
  });

  it('refuses media ids that do not exist, belong to another user or are not finalized', async () => {
    const owner = oauth1Client(h.emu, h.emu.addOAuth1User());
    const otherCreds = h.emu.addOAuth1User();
    const other = oauth1Client(h.emu, otherCreds);
    const foreign = await owner.v2.uploadMedia(png(100), { media_type: EUploadMimeType.Png });
    const init = await other.v2.post('media/upload/initialize', { media_type: 'image/png', total_bytes: 100, media_category: 'tweet_image' });
    for (const id of ['999', foreign, init.data.id]) {
      const err = await responseError(other.v2.tweet({ text: `media ${id}`, media: { media_ids: [id] } }));
      expect(err.code).toBe(400);
      expect(JSON.stringify(err.data)).toMatch(/media/);
    }
    expect(h.emu.posts(otherCreds.userId)).toEqual([]);
  });

  it('validates segments: a gap in segment indexes or a size mismatch is refused at finalize', async () => {
    const client = oauth1Client(h.emu, h.emu.addOAuth1User());
    const init = await client.v2.post('media/upload/initialize', { media_type: 'image/png', total_bytes: 20, media_category: 'tweet_image' });
    const id = init.data.id as string;
    await client.v2.post(`media/upload/${id}/append`, { segment_index: 1, media: Buffer.alloc(10) }, { forceBodyMode: 'form-data' });
    expect((await responseError(client.v2.post(`media/upload/${id}/finalize`))).code).toBe(400);
    await client.v2.post(`media/upload/${id}/append`, { segment_index: 0, media: Buffer.alloc(5) }, { forceBodyMode: 'form-data' });
    expect((await responseError(client.v2.post(`media/upload/${id}/finalize`))).code).toBe(400); // 15 of 20 bytes
    // Too many bytes, a bad segment index, an unknown form field:
    expect((await responseError(client.v2.post(`media/upload/${id}/append`, { segment_index: 2, media: Buffer.alloc(6) }, { forceBodyMode: 'form-data' }))).code).toBe(400);
    expect((await responseError(client.v2.post(`media/upload/${id}/append`, { segment_index: 1000, media: Buffer.alloc(1) }, { forceBodyMode: 'form-data' }))).code).toBe(400);
    expect((await responseError(client.v2.post(`media/upload/${id}/append`, { segment_index: 2, media: Buffer.alloc(1), extra: 'x' }, { forceBodyMode: 'form-data' }))).code).toBe(400);
    await client.v2.post(`media/upload/${id}/append`, { segment_index: 2, media: Buffer.alloc(5) }, { forceBodyMode: 'form-data' });
    const fin = await client.v2.post(`media/upload/${id}/finalize`);
    expect(fin.data).toMatchObject({ id, size: 20 });
    // Initialize is validated against the OpenAPI schema.
    expect((await responseError(client.v2.post('media/upload/initialize', { media_type: 'image/png', total_bytes: '20' }))).code).toBe(400);
    expect((await responseError(client.v2.post('media/upload/initialize', { media_type: 'image/x-unknown', total_bytes: 20 }))).code).toBe(400);
  });
});
