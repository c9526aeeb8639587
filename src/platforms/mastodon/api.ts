/**
 * The few Mastodon REST calls Threadcast makes, over undici through the SSRF guard's connector (src/http): the
 * configured instance is trusted as spelled, like a feed's own host, and lends that trust to no other name.
 *
 * Why not masto.js (docs/mastodon.md, "Why not masto.js"): masto 7 sends every request with the global fetch, so it
 * cannot go through our guarded connector; it loses the HTTP status of an error whose body is not JSON (a proxy's
 * HTML 502 becomes a TypeError), and an error's headers, X-RateLimit-Reset among them, are reachable only through
 * the undocumented `cause`. The error mapping needs exactly those facts.
 */
import { randomBytes } from 'node:crypto';
import { request, type Dispatcher } from 'undici';
import { pooledGuardedAgent } from '../../http/agent-pool.js';
import { DEFAULT_USER_AGENT } from '../../http/fetch.js';
import { PlatformError } from '../../core/errors.js';
import { mastodonAnswerError, mastodonNetworkError, type MastodonAnswer } from './errors.js';

/** Mastodon's answers are small (a page of 40 statuses is well under this); anything bigger is not Mastodon. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

export interface MastodonApiOptions {
  instance: string;
  accessToken?: string | undefined;
  timeoutMs: number;
  allowPrivateHosts: readonly string[];
  /** Every answer's headers (rate windows are announced on successes and refusals alike). */
  onAnswer?(request: { method: string; path: string }, answer: MastodonAnswer): Promise<void> | void;
  now?: () => number;
  where: string;
}

export interface FilePart {
  name: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface CallOptions {
  query?: Record<string, string | number | boolean | undefined>;
  json?: unknown;
  multipart?: { fields: Record<string, string>; files: FilePart[] };
  idempotencyKey?: string;
  /** Instance metadata needs no token. */
  anonymous?: boolean;
}

export class MastodonApi {
  private readonly base: URL;
  private readonly now: () => number;

  constructor(private readonly opts: MastodonApiOptions) {
    this.base = new URL(opts.instance);
    this.now = opts.now ?? Date.now;
  }

  /** One request; a 2xx answer is returned, anything else thrown as a PlatformError. */
  async call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, call: CallOptions = {}): Promise<MastodonAnswer & { body: T }> {
    const url = new URL(path, this.base);
    for (const [k, v] of Object.entries(call.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { 'user-agent': DEFAULT_USER_AGENT, accept: 'application/json' };
    if (!call.anonymous && this.opts.accessToken) headers.authorization = `Bearer ${this.opts.accessToken}`;
    if (call.idempotencyKey) headers['idempotency-key'] = call.idempotencyKey;
    let body: Buffer | string | undefined;
    if (call.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.json);
    } else if (call.multipart) {
      const boundary = `threadcast-${randomBytes(12).toString('hex')}`;
      headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
      body = multipartBody(boundary, call.multipart.fields, call.multipart.files);
    }

    const signal = AbortSignal.timeout(this.opts.timeoutMs);
    let response: Dispatcher.ResponseData;
    let text: string;
    try {
      response = await request(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        signal,
        dispatcher: pooledGuardedAgent(this.opts.allowPrivateHosts, [this.base.hostname], this.opts.timeoutMs),
      });
      text = await readCapped(response.body);
    } catch (err) {
      if (err instanceof PlatformError) throw err;
      throw mastodonNetworkError(err, this.opts.where, signal.aborted);
    }
    const answer: MastodonAnswer = { status: response.statusCode, headers: flatten(response.headers), body: parseJson(text) };
    await this.opts.onAnswer?.({ method, path: url.pathname }, answer);
    if (answer.status < 200 || answer.status >= 300) throw mastodonAnswerError(answer, this.opts.where, this.now());
    return answer as MastodonAnswer & { body: T };
  }
}

function multipartBody(boundary: string, fields: Record<string, string>, files: FilePart[]): Buffer {
  const chunks: Buffer[] = [];
  const quoted = (s: string) => s.replaceAll('"', '%22').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quoted(name)}"\r\n\r\n${value}\r\n`));
  }
  for (const file of files) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quoted(file.name)}"; filename="${quoted(file.filename)}"\r\nContent-Type: ${file.contentType}\r\n\r\n`));
    chunks.push(file.data, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

async function readCapped(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += (chunk as Buffer).byteLength;
    if (total > MAX_ANSWER_BYTES) {
      body.destroy();
      throw Object.assign(new Error(`answer larger than ${MAX_ANSWER_BYTES} bytes`), { code: 'ERR_THREADCAST_TOO_LARGE' });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // A proxy's HTML error page: the status still says what happened.
    return undefined;
  }
}

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name.toLowerCase()] = first;
  }
  return out;
}
