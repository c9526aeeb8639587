/**
 * Shared pieces of the editor page's browser tests: start the real `threadcast run` (which serves the page
 * and the API), call the API from Node, open the page in Chromium and sign in.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { startCli } from '../support/cli.js';
import type { DeliveryView } from '../../src/server/delivery-view.js';

/** The API's delivery shape, from the server's own definition. */
export type { DeliveryView };

export const VIEWPORT = { width: 1280, height: 800 } as const;

export interface RunningServer {
  child: ChildProcess;
  /** http://127.0.0.1:PORT/ as printed by `run`. */
  baseUrl: string;
  token: string;
  stdout: () => string;
  stderr: () => string;
  /** SIGTERM, then wait for the exit (SIGKILL after 10 s so a hung process never outlives the file). */
  stop: () => Promise<number | null>;
}

export const newToken = () => `tok-${randomBytes(16).toString('hex')}`;

/** Starts `threadcast --config FILE run` and waits for its `web page: http://…/` line. */
export async function startServer(config: string, dir: string, env: NodeJS.ProcessEnv, token: string): Promise<RunningServer> {
  const child = startCli(['--config', config, 'run'], { cwd: dir, env: { ...env, THREADCAST_API_TOKEN: token } });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "web page:" line within 60 s\nstdout:\n${out}\nstderr:\n${err.slice(-4000)}`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /^web page: (http:\/\/127\.0\.0\.1:\d+\/)\s*$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`threadcast run exited (${code}) before serving\nstdout:\n${out}\nstderr:\n${err.slice(-4000)}`));
    });
  });
  return {
    child,
    baseUrl,
    token,
    stdout: () => out,
    stderr: () => err,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.kill('SIGTERM');
      const code = await exited;
      clearTimeout(kill);
      return code;
    },
  };
}

export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
}

/** One API call from Node with the server's token (or `token: null` for none). */
export async function api<T = any>(
  server: Pick<RunningServer, 'baseUrl' | 'token'>,
  method: string,
  path: string,
  body?: unknown,
  opts: { token?: string | null; headers?: Record<string, string> } = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  const token = opts.token === undefined ? server.token : opts.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined && !('content-type' in headers)) headers['content-type'] = 'application/json';
  const res = await fetch(new URL(path.replace(/^\//, ''), server.baseUrl), {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the raw text: the caller's assertion will show it
  }
  return { status: res.status, body: parsed as T };
}


export async function getDelivery(server: RunningServer, id: string): Promise<DeliveryView> {
  const r = await api<{ delivery: DeliveryView }>(server, 'GET', `/api/deliveries/${encodeURIComponent(id)}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.delivery;
}

export async function listDeliveries(server: RunningServer, view: 'queue' | 'history'): Promise<DeliveryView[]> {
  const r = await api<{ deliveries: DeliveryView[] }>(server, 'GET', `/api/deliveries?view=${view}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.deliveries;
}

/** Opens the page, types the token into the form and waits for the editor to show. */
export async function signIn(page: Page, server: RunningServer, token = server.token): Promise<void> {
  await page.goto(server.baseUrl);
  await page.getByTestId('token-input').fill(token);
  await page.getByTestId('token-submit').click();
  await page.getByTestId('app').waitFor({ state: 'visible' });
}

/** The preview container once it shows the answer for the current fields (data-state flips to pending on input). */
export async function previewReady(page: Page): Promise<Locator> {
  const preview = page.locator('[data-testid="preview"][data-state="ready"]');
  await preview.waitFor({ state: 'attached', timeout: 20_000 });
  return preview;
}

/** The exact text of every preview part of one channel, in order (textContent of `.part-text`). */
export function previewTexts(page: Page, channelId: string): Promise<string[]> {
  return page.getByTestId(`preview-${channelId}`).locator('[data-testid="preview-part"] .part-text').allTextContents();
}

/** One delivery's thread line (its channel) inside its item's row. */
export const queueRow = (page: Page, id: string) => page.locator(`[data-testid="queue-thread"][data-delivery-id="${cssString(id)}"]`);
export const historyRow = (page: Page, id: string) => page.locator(`[data-testid="history-thread"][data-delivery-id="${cssString(id)}"]`);
/** The item's row (one announcement on all its channels) that holds delivery `id`. */
export const queueGroup = (page: Page, id: string) => page.locator('[data-testid="queue-row"]').filter({ has: queueRow(page, id) });
export const historyGroup = (page: Page, id: string) => page.locator('[data-testid="history-row"]').filter({ has: historyRow(page, id) });

/** A value for a CSS attribute selector in double quotes. */
function cssString(value: string): string {
  return value.replace(/["\\]/g, (c) => `\\${c}`);
}

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
