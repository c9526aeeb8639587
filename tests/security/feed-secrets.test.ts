import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeError } from '../../src/core/errors.js';
import { redactLocation } from '../../src/http/redact-url.js';
import { HealthMarks, readiness } from '../../src/server/health.js';
import { fetchFeed } from '../../src/sources/fetch-feed.js';
import { ConfigSchema } from '../../src/platforms/config-schema.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';

/**
 * A private feed's token must not reach a log line, an error, the store's health marks or the unauthenticated
 * /readyz, whatever the feed's server answers (it can make the poll fail at will). The parameter names below are
 * the ones real services use for feed and download tokens.
 */
describe('secrets in feed URLs', () => {
  it.each([
    ['GitLab feed token', 'https://gitlab.example.org/me.atom?feed_token=glft-SECRET', 'https://gitlab.example.org/me.atom?feed_token=***'],
    ['GitLab private token', 'https://gitlab.example.org/f.atom?private_token=glpat-SECRET&page=2', 'https://gitlab.example.org/f.atom?private_token=***&page=2'],
    [
      'S3 presigned URL',
      'https://b.s3.amazonaws.com/feed.xml?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIASECRET%2F20261203&X-Amz-Date=20261203T000000Z&X-Amz-Signature=SECRETdeadbeef',
      'https://b.s3.amazonaws.com/feed.xml?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=***&X-Amz-Date=20261203T000000Z&X-Amz-Signature=***',
    ],
    ['S3 query auth (v2)', 'https://b.s3.amazonaws.com/f.xml?AWSAccessKeyId=AKIASECRET&Signature=SECRET&Expires=1', 'https://b.s3.amazonaws.com/f.xml?AWSAccessKeyId=***&Signature=***&Expires=1'],
    ['access and API keys', 'https://x.example/f?access_key=SECRET&apiKey=SECRET', 'https://x.example/f?access_key=***&apiKey=***'],
    ['a token as the user name', 'https://glpat-SECRET@git.example.org/feed.atom', 'https://***@git.example.org/feed.atom'],
    ['user name and password', 'https://reader:SECRET@example.com/feed?token=SECRET&x=1', 'https://reader:***@example.com/feed?token=***&x=1'],
  ])('%s is masked', (_name, url, masked) => {
    expect(redactLocation(url)).toBe(masked);
  });

  it('leaves names that only contain a secret word alone', () => {
    const url = 'https://example.org/feed?author=ann&keyword=news&category=a&passage=3&format=rss';
    expect(redactLocation(url)).toBe(url);
  });

  describe('when the feed server fails the poll', () => {
    let port = 0;
    let dir = '';
    const server = createServer((_req, res) => {
      res.writeHead(503);
      res.end();
    });
    beforeAll(async () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'threadcast-feed-secrets-'));
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(async () => {
      await new Promise((ok) => server.close(ok));
      rmSync(dir, { recursive: true, force: true });
    });

    it.each([
      ['a token parameter', (p: number) => `http://127.0.0.1:${p}/me.atom?feed_token=glft-SECRET`],
      ['a token as the user name', (p: number) => `http://glpat-SECRET@127.0.0.1:${p}/me.atom`],
    ])('%s reaches neither the error, the health mark nor /readyz', async (_name, urlAt) => {
      const url = urlAt(port);
      const error = await fetchFeed(url, {}).then(
        () => expect.fail('the poll should fail'),
        (err: unknown) => err,
      );
      const text = describeError(error);
      expect(text).toContain('503');
      expect(text).not.toContain('SECRET');
      const file = path.join(dir, `${_name.replace(/\W+/g, '-')}.sqlite`);
      const config = ConfigSchema.parse({ store: `sqlite:${file}`, sources: [{ id: 'private', feed: url }], channels: [{ id: 'main', platform: 'bluesky' }] });
      const store = new SqliteStore(file);
      try {
        await new HealthMarks(store).record('source', 'private', { ok: false, error: text });
        const body = JSON.stringify(await readiness(config, store));
        expect(body).toContain('503');
        expect(body).not.toContain('SECRET');
      } finally {
        await store.close();
      }
    });
  });
});
