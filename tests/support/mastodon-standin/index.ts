/**
 * A strict Mastodon stand-in for tests: an HTTP server on 127.0.0.1 that does what a Mastodon 4.7 instance does
 * for the calls Threadcast makes, and checks every request and every answer against Mastodon's API description
 * (./openapi.ts). A request the document does not allow is refused with 422 and recorded in `violations`; an
 * answer it does not allow is recorded there too, so a test that ends with `violations` empty proves both sides.
 *
 * What it implements, as Mastodon does:
 * - GET /api/v2/instance (no token): configuration.statuses.max_characters, characters_reserved_per_url,
 *   max_media_attachments as set.
 * - GET /api/v1/accounts/verify_credentials, GET /api/v1/accounts/{id}/statuses (newest first, `limit` ≤ 40).
 * - POST /api/v1/statuses (JSON; `loseAnswerOf(n)` drops the connection after applying the nth): the length rule (grapheme clusters, each URL with a scheme counts
 *   characters_reserved_per_url, the content warning counts too) → 422; `in_reply_to_id` must exist → 404;
 *   `media_ids` must be the account's and processed → 422; an `Idempotency-Key` seen from the account within an hour
 *   answers the first status again, whatever the body. `content` is HTML rendered as Mastodon does (paragraphs,
 *   <br />, links split into invisible/ellipsis spans).
 * - DELETE /api/v1/statuses/{id} (`delete_media` as the document allows): the account's own status is removed and
 *   answered as Mastodon does, the Status with its source `text`; an unknown id or another account's status → 404.
 *   Deletes have their own window, 30 per 30 minutes per account (Mastodon's).
 * - POST /api/v2/media (multipart, `file` and `description` ≤ 1,500 characters): 200 with a URL, or 202 with
 *   url null when `mediaProcessingPolls` > 0; GET /api/v1/media/{id} then answers 206 that many times, then 200.
 * - Tokens carry scopes; a call needs one of the scopes the document names for it (`write` covers `write:*`,
 *   `read` covers `read:*`) → 403; no or an unknown token → 401.
 * - HEAD of a web page (not under /api/): 200 with the server's Date, which `threadcast doctor` compares clocks with.
 * - X-RateLimit-Limit/-Remaining/-Reset (ISO 8601) on every authenticated answer; POST /api/v1/statuses and
 *   POST /api/v2/media have their own windows, and a spent one answers 429.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import twitterText from 'twitter-text';
import { boundaryOf, parseMultipart } from '../x-emulator/multipart.js';
import { checkRequest, checkResponse, requiredScopes } from './openapi.js';

export interface StandinOptions {
  maxCharacters?: number;
  charactersReservedPerUrl?: number;
  maxMediaAttachments?: number;
  /** POST /api/v1/statuses per account and window; default 300 per 3 hours (Mastodon's). */
  statusWindow?: { limit: number; windowMs: number };
  /** POST /api/v2/media per account; default 30 per 30 minutes. */
  mediaWindow?: { limit: number; windowMs: number };
  /** DELETE /api/v1/statuses/{id} per account; default 30 per 30 minutes (Mastodon's). */
  deleteWindow?: { limit: number; windowMs: number };
  /** GET /api/v1/media/{id} answers 206 this many times before 200; 0 (default): uploads answer 200 at once. */
  mediaProcessingPolls?: number;
  now?: () => number;
}

export interface StandinAccount {
  id: string;
  username: string;
  token: string;
  scopes: string[];
}

export interface StoredStatus {
  id: string;
  accountId: string;
  text: string;
  inReplyToId: string | null;
  mediaIds: string[];
  visibility: string;
  language: string | null;
  spoilerText: string;
  createdAt: string;
}

export interface StoredMedia {
  id: string;
  accountId: string;
  description: string | null;
  contentType: string;
  bytes: number;
  pollsLeft: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
  idempotencyKey?: string;
}

const RECORD_NOT_FOUND = { error: 'Record not found' };
const HOUR = 3_600_000;

export class MastodonStandin {
  url = '';
  readonly violations: string[] = [];
  readonly requests: LoggedRequest[] = [];
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  private readonly accounts = new Map<string, StandinAccount>();
  private readonly statuses: StoredStatus[] = [];
  private readonly media = new Map<string, StoredMedia>();
  /** Idempotency-Key per account → the status it created, and when. */
  readonly idempotency = new Map<string, { statusId: string; at: number }>();
  private readonly windows = new Map<string, { start: number; used: number }>();
  private nextId = 110_000_000_000_000_000n;
  private lostAnswers = 0;
  /** Called once a status is stored, before its answer is sent: a test can act at that exact moment (kill the client). */
  onStatusCreated: ((status: StoredStatus) => void) | undefined;
  readonly opts: Required<Omit<StandinOptions, 'now'>> & { now: () => number };

  constructor(opts: StandinOptions = {}) {
    this.opts = {
      maxCharacters: opts.maxCharacters ?? 500,
      charactersReservedPerUrl: opts.charactersReservedPerUrl ?? 23,
      maxMediaAttachments: opts.maxMediaAttachments ?? 4,
      statusWindow: opts.statusWindow ?? { limit: 300, windowMs: 3 * HOUR },
      mediaWindow: opts.mediaWindow ?? { limit: 30, windowMs: 30 * 60_000 },
      deleteWindow: opts.deleteWindow ?? { limit: 30, windowMs: 30 * 60_000 },
      mediaProcessingPolls: opts.mediaProcessingPolls ?? 0,
      now: opts.now ?? Date.now,
    };
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  addAccount(username: string, scopes: string[] = ['write:statuses', 'write:media', 'read:accounts', 'read:statuses']): StandinAccount {
    const account = { id: this.newId(), username, token: randomBytes(24).toString('base64url'), scopes };
    this.accounts.set(account.token, account);
    return account;
  }

  /** The account's statuses, oldest first. */
  statusesOf(accountId: string): StoredStatus[] {
    return this.statuses.filter((s) => s.accountId === accountId);
  }

  mediaById(id: string): StoredMedia | undefined {
    return this.media.get(id);
  }

  /** The `nth` POST /api/v1/statuses from now (1: the next) is applied, and then its connection dropped without an answer. */
  loseAnswerOf(nth: number): void {
    this.lostAnswers = nth;
  }

  newId(): string {
    return String(this.nextId++);
  }

  /** For the routes: stores what a request created. */
  saveStatus(status: StoredStatus): void {
    this.statuses.push(status);
  }

  saveMedia(media: StoredMedia): void {
    this.media.set(media.id, media);
  }

  findStatus(id: string): StoredStatus | undefined {
    return this.statuses.find((s) => s.id === id);
  }

  /** For the routes: removes a status a request deleted, and its media when asked to. */
  removeStatus(status: StoredStatus, withMedia: boolean): void {
    this.statuses.splice(this.statuses.indexOf(status), 1);
    if (withMedia) for (const id of status.mediaIds) this.media.delete(id);
  }

  /** Whether this create's answer is to be lost (see loseAnswers). */
  takeLostAnswer(): boolean {
    if (this.lostAnswers <= 0) return false;
    return --this.lostAnswers === 0;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    const route = ROUTES.find((r) => r.method === method && r.pattern.test(url.pathname));
    const body = await readBody(req);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
    const log: LoggedRequest = { method, path: url.pathname, status: 0, ...(headers['idempotency-key'] ? { idempotencyKey: headers['idempotency-key'] } : {}) };
    this.requests.push(log);
    const send = (status: number, payload: unknown, extra: Record<string, string> = {}) => {
      log.status = status;
      const problems = route ? checkResponse({ method, template: route.template, status, headers: extra, body: payload }) : [];
      this.violations.push(...problems.map((p) => `answer to ${method} ${url.pathname}: ${p}`));
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...extra });
      res.end(payload === undefined ? '' : JSON.stringify(payload));
    };
    // The web front, outside the API document: a HEAD of a page answers 200 with the server's Date, as Mastodon's
    // does; `threadcast doctor` reads that Date to compare clocks.
    if (method === 'HEAD' && !url.pathname.startsWith('/api/')) {
      log.status = 200;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end();
      return;
    }
    if (!route) {
      this.violations.push(`request to ${method} ${url.pathname}, which the stand-in does not implement`);
      log.status = 404;
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify(RECORD_NOT_FOUND));
      return;
    }

    // The request against the document: parameters, headers, body.
    const contentType = headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    let parsed: Record<string, unknown> | undefined;
    let files: Array<{ name: string; contentType?: string; data: Buffer }> = [];
    try {
      if (body.length > 0 && contentType === 'application/json') parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      else if (body.length > 0 && contentType === 'multipart/form-data') {
        const parts = parseMultipart(body, boundaryOf(headers['content-type'])!);
        parsed = Object.fromEntries(parts.map((p) => [p.name, p.filename === undefined ? p.data.toString('utf8') : '<binary>']));
        files = parts.filter((p) => p.filename !== undefined);
      } else if (body.length > 0) parsed = { '<unparsed body>': contentType };
    } catch {
      send(422, { error: 'the body could not be parsed' });
      return;
    }
    const problems = checkRequest({ method, template: route.template, query: url.searchParams, headers, ...(contentType ? { contentType } : {}), ...(parsed ? { body: parsed } : {}) });
    if (problems.length > 0) {
      this.violations.push(...problems.map((p) => `${method} ${url.pathname}: ${p}`));
      // The document's 422 is an Error on some calls and a ValidationError (with details) on others: this fits both.
      send(422, { error: `Validation failed: ${problems.join('; ')}`, details: { request: problems.map((description) => ({ error: 'ERR_INVALID', description })) } });
      return;
    }

    // Authentication and scopes, as the document names them.
    const scopes = requiredScopes(method, route.template);
    let account: StandinAccount | undefined;
    if (scopes.length > 0) {
      const token = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1];
      account = token === undefined ? undefined : this.accounts.get(token);
      if (!account) return send(401, { error: 'The access token is invalid' });
      if (!scopes.some((s) => account!.scopes.includes(s) || account!.scopes.includes(s.split(':')[0]!))) {
        return send(403, { error: 'This action is outside the authorized scopes' });
      }
    }
    const match = route.pattern.exec(url.pathname)!;
    route.handle.call(this, { account: account!, params: match.slice(1), query: url.searchParams, body: parsed ?? {}, files, headers, send, res });
  }

  /** Counts one request in a window; the headers say what is left. */
  window(name: string, spec: { limit: number; windowMs: number }): { ok: boolean; headers: Record<string, string> } {
    const now = this.opts.now();
    let w = this.windows.get(name);
    if (!w || now >= w.start + spec.windowMs) this.windows.set(name, (w = { start: now, used: 0 }));
    const ok = w.used < spec.limit;
    if (ok) w.used++;
    return {
      ok,
      headers: {
        'x-ratelimit-limit': String(spec.limit),
        'x-ratelimit-remaining': String(spec.limit - w.used),
        'x-ratelimit-reset': new Date(w.start + spec.windowMs).toISOString(),
      },
    };
  }

  /** Generous general window for calls without their own: reported, never spent in tests. */
  generalHeaders(): Record<string, string> {
    return { 'x-ratelimit-limit': '300', 'x-ratelimit-remaining': '299', 'x-ratelimit-reset': new Date(this.opts.now() + 5 * 60_000).toISOString() };
  }

  accountEntity(account: StandinAccount, credential = false): Record<string, unknown> {
    const base = {
      id: account.id,
      username: account.username,
      acct: account.username,
      display_name: account.username,
      locked: false,
      bot: true,
      group: false,
      discoverable: null,
      indexable: false,
      created_at: '2026-01-01T00:00:00.000Z',
      note: '',
      url: `${this.url}/@${account.username}`,
      uri: `${this.url}/users/${account.username}`,
      avatar: `${this.url}/avatars/original/missing.png`,
      avatar_static: `${this.url}/avatars/original/missing.png`,
      header: `${this.url}/headers/original/missing.png`,
      header_static: `${this.url}/headers/original/missing.png`,
      followers_count: 0,
      following_count: 0,
      statuses_count: this.statusesOf(account.id).length,
      last_status_at: null,
      emojis: [],
      fields: [],
    };
    if (!credential) return base;
    return {
      ...base,
      source: { privacy: 'public', sensitive: false, language: 'en', note: '', fields: [], follow_requests_count: 0, indexable: false, discoverable: null, hide_collections: null, attribution_domains: [] },
      role: { id: '-99', name: '', permissions: '0', color: '', highlighted: false },
    };
  }

  statusEntity(s: StoredStatus): Record<string, unknown> {
    const account = [...this.accounts.values()].find((a) => a.id === s.accountId)!;
    const parent = s.inReplyToId ? this.statuses.find((p) => p.id === s.inReplyToId) : undefined;
    return {
      id: s.id,
      created_at: s.createdAt,
      in_reply_to_id: s.inReplyToId,
      in_reply_to_account_id: parent?.accountId ?? null,
      sensitive: s.spoilerText !== '',
      spoiler_text: s.spoilerText,
      visibility: s.visibility,
      language: s.language,
      uri: `${this.url}/users/${account.username}/statuses/${s.id}`,
      url: `${this.url}/@${account.username}/${s.id}`,
      replies_count: this.statuses.filter((c) => c.inReplyToId === s.id).length,
      reblogs_count: 0,
      favourites_count: 0,
      edited_at: null,
      content: renderContent(s.text),
      reblog: null,
      application: { name: 'threadcast', website: null },
      account: this.accountEntity(account),
      media_attachments: s.mediaIds.map((id) => this.mediaEntity(this.media.get(id)!)),
      mentions: [],
      tags: [],
      emojis: [],
      card: null,
      poll: null,
    };
  }

  mediaEntity(m: StoredMedia): Record<string, unknown> {
    const processed = m.pollsLeft <= 0;
    return {
      id: m.id,
      type: 'image',
      url: processed ? `${this.url}/system/media_attachments/${m.id}/original.jpg` : null,
      preview_url: `${this.url}/system/media_attachments/${m.id}/small.jpg`,
      remote_url: null,
      meta: {},
      description: m.description,
      blurhash: null,
    };
  }

  /** Mastodon's count (app/validators/status_length_validator.rb): graphemes, URLs with a scheme as 23, plus the content warning. */
  countedLength(text: string, spoiler: string): number {
    let countable = '';
    let at = 0;
    for (const { indices: [start, end] } of twitterText.extractUrlsWithIndices(text, { extractUrlsWithoutProtocol: false })) {
      countable += text.slice(at, start) + 'x'.repeat(this.opts.charactersReservedPerUrl);
      at = end;
    }
    countable += text.slice(at);
    return graphemes(spoiler) + graphemes(countable);
  }
}

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });
const graphemes = (s: string) => [...segmenter.segment(s)].length;

const escapeHtml = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');

/** Mastodon's plain-text formatter: paragraphs on blank lines, <br /> on single ones, links split for display. */
export function renderContent(text: string): string {
  const linkify = (line: string) => {
    let out = '';
    let at = 0;
    for (const { url, indices: [start, end] } of twitterText.extractUrlsWithIndices(line, { extractUrlsWithoutProtocol: false })) {
      const scheme = /^[a-z]+:\/\/(www\.)?/i.exec(url)![0];
      const rest = url.slice(scheme.length);
      out += `${escapeHtml(line.slice(at, start))}<a href="${escapeHtml(url)}" target="_blank" rel="nofollow noopener" translate="no"><span class="invisible">${escapeHtml(scheme)}</span><span class="ellipsis">${escapeHtml(rest.slice(0, 30))}</span><span class="invisible">${escapeHtml(rest.slice(30))}</span></a>`;
      at = end;
    }
    return out + escapeHtml(line.slice(at));
  };
  return text
    .split(/\n{2,}/)
    .map((p) => `<p>${p.split('\n').map(linkify).join('<br />')}</p>`)
    .join('');
}

interface Call {
  account: StandinAccount;
  params: string[];
  query: URLSearchParams;
  body: Record<string, unknown>;
  files: Array<{ name: string; contentType?: string; data: Buffer }>;
  headers: Record<string, string | undefined>;
  send: (status: number, payload: unknown, headers?: Record<string, string>) => void;
  res: http.ServerResponse;
}

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  handle: (this: MastodonStandin, call: Call) => void;
}

const ROUTES: Route[] = [
  {
    method: 'GET',
    template: '/api/v2/instance',
    pattern: /^\/api\/v2\/instance$/,
    handle({ send }) {
      send(200, instanceEntity(this));
    },
  },
  {
    method: 'GET',
    template: '/api/v1/accounts/verify_credentials',
    pattern: /^\/api\/v1\/accounts\/verify_credentials$/,
    handle({ account, send }) {
      send(200, this.accountEntity(account, true), this.generalHeaders());
    },
  },
  {
    method: 'GET',
    template: '/api/v1/accounts/{id}/statuses',
    pattern: /^\/api\/v1\/accounts\/([^/]+)\/statuses$/,
    handle({ params, query, send }) {
      const limit = Math.min(Number(query.get('limit') ?? 20), 40);
      const list = this.statusesOf(params[0]!).slice().reverse().slice(0, limit);
      send(200, list.map((s) => this.statusEntity(s)), this.generalHeaders());
    },
  },
  {
    method: 'GET',
    template: '/api/v1/statuses/{id}',
    pattern: /^\/api\/v1\/statuses\/([^/]+)$/,
    handle({ params, send }) {
      const s = this.findStatus(params[0]!);
      if (!s) return send(404, RECORD_NOT_FOUND, this.generalHeaders());
      send(200, this.statusEntity(s), this.generalHeaders());
    },
  },
  {
    method: 'POST',
    template: '/api/v1/statuses',
    pattern: /^\/api\/v1\/statuses$/,
    handle({ account, body, headers, send, res }) {
      const rate = this.window(`statuses:${account.id}`, this.opts.statusWindow);
      if (!rate.ok) return send(429, { error: 'Too many requests' }, rate.headers);
      const now = this.opts.now();
      const key = headers['idempotency-key'];
      const seen = key ? this.idempotency.get(`${account.id}:${key}`) : undefined;
      if (seen && now - seen.at < HOUR) {
        return send(200, this.statusEntity(this.findStatus(seen.statusId)!), rate.headers);
      }
      const text = typeof body.status === 'string' ? body.status : '';
      const spoiler = typeof body.spoiler_text === 'string' ? body.spoiler_text : '';
      const mediaIds = Array.isArray(body.media_ids) ? (body.media_ids as string[]) : [];
      if (text.trim() === '' && mediaIds.length === 0) return send(422, { error: "Validation failed: Text can't be blank" }, rate.headers);
      if (this.countedLength(text, spoiler) > this.opts.maxCharacters) {
        return send(422, { error: `Validation failed: Text character limit of ${this.opts.maxCharacters} exceeded` }, rate.headers);
      }
      const inReplyTo = typeof body.in_reply_to_id === 'string' ? body.in_reply_to_id : null;
      if (inReplyTo && !this.findStatus(inReplyTo)) return send(404, RECORD_NOT_FOUND, rate.headers);
      if (mediaIds.length > this.opts.maxMediaAttachments) return send(422, { error: 'Validation failed: Too many attachments' }, rate.headers);
      for (const id of mediaIds) {
        const m = this.mediaById(id);
        if (!m || m.accountId !== account.id) return send(422, { error: 'Validation failed: Media not found' }, rate.headers);
        if (m.pollsLeft > 0) return send(422, { error: 'Cannot attach files that have not finished processing. Try again in a moment!' }, rate.headers);
      }
      const status: StoredStatus = {
        id: this.newId(),
        accountId: account.id,
        text,
        inReplyToId: inReplyTo,
        mediaIds,
        visibility: typeof body.visibility === 'string' ? body.visibility : 'public',
        language: typeof body.language === 'string' ? body.language : null,
        spoilerText: spoiler,
        createdAt: new Date(now).toISOString(),
      };
      this.saveStatus(status);
      if (key) this.idempotency.set(`${account.id}:${key}`, { statusId: status.id, at: now });
      this.onStatusCreated?.(status);
      if (this.takeLostAnswer()) {
        // Applied, and then the connection is gone: the client never hears of the status.
        res.socket?.destroy();
        return;
      }
      send(200, this.statusEntity(status), rate.headers);
    },
  },
  {
    method: 'DELETE',
    template: '/api/v1/statuses/{id}',
    pattern: /^\/api\/v1\/statuses\/([^/]+)$/,
    handle({ account, params, query, send }) {
      const rate = this.window(`deletes:${account.id}`, this.opts.deleteWindow);
      if (!rate.ok) return send(429, { error: 'Too many requests' }, rate.headers);
      const status = this.findStatus(params[0]!);
      if (!status || status.accountId !== account.id) return send(404, RECORD_NOT_FOUND, rate.headers);
      // Rendered before it goes: the answer names the account and media it had.
      const entity = { ...this.statusEntity(status), text: status.text };
      this.removeStatus(status, query.get('delete_media') === 'true');
      send(200, entity, rate.headers);
    },
  },
  {
    method: 'POST',
    template: '/api/v2/media',
    pattern: /^\/api\/v2\/media$/,
    handle({ account, body, files, send }) {
      const rate = this.window(`media:${account.id}`, this.opts.mediaWindow);
      if (!rate.ok) return send(429, { error: 'Too many requests' }, rate.headers);
      const file = files.find((f) => f.name === 'file');
      if (!file?.contentType?.startsWith('image/')) return send(422, { error: 'Validation failed: File content type is invalid' }, rate.headers);
      const description = typeof body.description === 'string' ? body.description : null;
      if (description !== null && [...description].length > 1500) return send(422, { error: 'Validation failed: Description is too long (maximum is 1500 characters)' }, rate.headers);
      const m: StoredMedia = { id: this.newId(), accountId: account.id, description, contentType: file.contentType, bytes: file.data.length, pollsLeft: this.opts.mediaProcessingPolls };
      this.saveMedia(m);
      send(m.pollsLeft > 0 ? 202 : 200, this.mediaEntity(m), rate.headers);
    },
  },
  {
    method: 'GET',
    template: '/api/v1/media/{id}',
    pattern: /^\/api\/v1\/media\/([^/]+)$/,
    handle({ account, params, send }) {
      const m = this.mediaById(params[0]!);
      if (!m || m.accountId !== account.id) return send(404, RECORD_NOT_FOUND, this.generalHeaders());
      if (m.pollsLeft > 0) {
        const entity = this.mediaEntity(m);
        m.pollsLeft--;
        return send(206, entity, this.generalHeaders());
      }
      send(200, this.mediaEntity(m), this.generalHeaders());
    },
  },
];

function instanceEntity(s: MastodonStandin): Record<string, unknown> {
  return {
    domain: new URL(s.url).host,
    title: 'Stand-in',
    version: '4.7.0',
    source_url: 'https://github.com/mastodon/mastodon',
    description: 'A Mastodon stand-in for tests',
    usage: { users: { active_month: 1 } },
    thumbnail: { url: `${s.url}/thumbnail.png` },
    icon: [],
    languages: ['en'],
    configuration: {
      urls: { streaming: `ws://${new URL(s.url).host}` },
      vapid: { public_key: 'stand-in' },
      accounts: { max_featured_tags: 10, max_pinned_statuses: 5 },
      statuses: { max_characters: s.opts.maxCharacters, max_media_attachments: s.opts.maxMediaAttachments, characters_reserved_per_url: s.opts.charactersReservedPerUrl },
      media_attachments: {
        supported_mime_types: ['image/jpeg', 'image/png', 'image/webp'],
        image_size_limit: 16_777_216,
        image_matrix_limit: 33_177_600,
        video_size_limit: 103_809_024,
        video_frame_rate_limit: 120,
        video_matrix_limit: 8_294_400,
        description_limit: 1500,
      },
      polls: { max_options: 4, max_characters_per_option: 50, min_expiration: 300, max_expiration: 2_629_746 },
      translation: { enabled: false },
    },
    registrations: { enabled: false, approval_required: false, message: null },
    api_versions: { mastodon: 7 },
    contact: { email: 'admin@example.org' },
    rules: [],
  };
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function startMastodonStandin(opts: StandinOptions = {}): Promise<MastodonStandin> {
  return new MastodonStandin(opts).start();
}
