/**
 * Issue #17, fast start: `preview` of a feed file loads no HTTP client (undici is most of what a file preview would
 * load and never use); a preview of a URL loads it with the fetch. Observed in the compiled CLI's own process: a
 * preloaded probe reports at exit whether any undici module was loaded.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO, runCli, tempDir, writeFile } from '../support/cli.js';

const FEED = path.join(REPO, 'tests/fixtures/feeds/preview-edge-cases.xml');
const PROBE = `process.on('exit', () => {
  const loaded = Object.keys(require.cache).some((file) => file.includes('/node_modules/undici/'));
  process.stderr.write('undici loaded: ' + loaded + '\\n');
});
`;

let server: Server;
let feedUrl: string;
let env: NodeJS.ProcessEnv;
let cwd: string;

beforeAll(async () => {
  cwd = tempDir();
  env = { NODE_OPTIONS: `--require ${writeFile(cwd, 'probe.cjs', PROBE)}` };
  const { readFileSync } = await import('node:fs');
  const body = readFileSync(FEED);
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  feedUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed.xml`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const previewItems = (stdout: string) => (JSON.parse(stdout) as { items: unknown[] }).items.length;

it('previews a feed file without loading the HTTP client', async () => {
  const result = await runCli(['preview', '--feed', FEED, '--json'], { cwd, env });
  expect(result.code).toBe(0);
  expect(previewItems(result.stdout)).toBeGreaterThan(0);
  expect(result.stderr).toContain('undici loaded: false');
});

it('loads it to preview a feed URL, and shows the same items', async () => {
  const [fromFile, fromUrl] = await Promise.all([
    runCli(['preview', '--feed', FEED, '--json'], { cwd, env }),
    runCli(['preview', '--feed', feedUrl, '--json'], { cwd, env }),
  ]);
  expect(fromUrl.code).toBe(0);
  expect(fromUrl.stderr).toContain('undici loaded: true');
  expect(previewItems(fromUrl.stdout)).toBe(previewItems(fromFile.stdout));
});
