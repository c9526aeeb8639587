/**
 * A strict X API v2 emulator for tests: a local HTTP server on 127.0.0.1 that behaves like X for the endpoints
 * Threadcast uses and refuses what X would refuse.
 *
 * ## Aiming twitter-api-v2 1.29 at it (the recipe the production adapter uses too; see ./client.ts)
 *
 * ```ts
 * import http from 'node:http';
 * const client = new TwitterApi(credentials, {
 *   plugins: [{
 *     onBeforeRequestConfig({ params }) {            // runs before the OAuth 1.0a signature is computed
 *       const u = new URL(params.url);
 *       params.url = new URL(u.pathname + u.search, emulator.url).toString();
 *     },
 *   }],
 *   httpAgent: new http.Agent(),                     // the library always calls https.request; an http.Agent
 * });                                                 // makes Node accept an http:// URL there
 * ```
 * `client.v2.setPrefix(base + '/2/')` is NOT enough: `refreshOAuth2Token()` uses the absolute
 * `https://api.x.com/2/oauth2/token` and `v2.me()` passes its own prefix. The plugin covers tweets, users,
 * the v2 chunked media upload (initialize/append/finalize/STATUS), media metadata and the token refresh.
 * `emulatorClientSettings(url)` in ./client.ts builds these settings.
 *
 * ## Decisions (where X is not documented precisely)
 * - Too-long text (twitter-text `parseTweet().valid` false, > 280 weighted): **400** invalid-request problem
 *   (`type: https://api.x.com/2/problems/invalid-request`, `errors[0].message`: "Your Tweet text is too long…"),
 *   as X answers today; the OpenAPI `default` response is `Problem` whose InvalidRequestProblem fits.
 * - Duplicate text: refused **for ever** for the same user (NFC-normalised, trimmed, exact match); stricter than
 *   X's undocumented window, so a client can never depend on a duplicate "expiring". Media-only posts (empty
 *   text) are not duplicates. A deleted post (`deletePost`) no longer counts: its text may be posted again.
 * - Reply to an unknown post: **403** `{ detail: "You attempted to reply to a Tweet that is deleted or not
 *   visible to you.", type: "about:blank", title: "Forbidden", status: 403 }` — what X answers in practice (the
 *   v1.1 code 385 mapping). Note it is a 403 like the duplicate one: tell them apart by `detail`.
 * - The rate window counts every authenticated POST /2/tweets that reaches it (also ones refused later for
 *   validation or duplicates), like X. Windows are fixed, aligned to whole seconds; reset = epoch seconds.
 * - OAuth 1.0a timestamps are compared with the emulator's clock (`now`). Tests that move the emulator's
 *   clock by minutes should use an OAuth 2 client, or fake `Date` for the client as well.
 * - twitter-api-v2 1.29 sends the OAuth 2 refresh as JSON (its body-type detection checks `url.password`,
 *   a bug), not form-encoded; X accepts it, so the token endpoint accepts both encodings.
 * - DELETE /2/tweets/{id} (in the v2.167 document as deletePosts): 200 `{ data: { deleted: true } }`, the answer checked
 *   against the document's DeletePostsResponse. X documents no answer for a post that does not exist; the emulator
 *   answers **404** with the document's ResourceNotFoundProblem (resource_type "tweet"), as X does for an unknown
 *   post id elsewhere. A post of another user: **403** "You are not authorized to delete this Post." Deletes have
 *   their own window, 50 per 15 minutes per user (X's documented limit).
 * - GET /2/users/{id}/tweets: the v2.167 document names the query parameter `post.fields`; X and
 *   twitter-api-v2 use `tweet.fields` on the wire. Both are accepted; answers use X's wire names
 *   (`referenced_tweets`, `edit_history_tweet_ids`).
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import twitterText from 'twitter-text';
import {
  baseStringUri,
  hmacSha1Signature,
  parseFormPairs,
  parseOAuthHeader,
  signaturesEqual,
} from './oauth1.js';
import { boundaryOf, parseMultipart } from './multipart.js';
import { documentsOperation, tweetFieldNames, userFieldNames, validateAgainst, type SchemaName, type SchemaProblem } from './openapi.js';

export { emulatorClientSettings, redirectPlugin } from './client.js';

const { parseTweet } = twitterText;

// ---------------------------------------------------------------------------------------------------------------
// Public API

export interface XEmulatorOptions {
  /** Rate window for POST /2/tweets per user: default { limit: 100, windowMs: 15*60_000 }. */
  postWindow?: { limit: number; windowMs: number };
  /** Per-user 24 h limit (x-user-limit-24hour-*): default { limit: 10_000 }. */
  userDayLimit?: { limit: number };
  /** OAuth 2 access-token lifetime, default 7200 s. */
  accessTokenTtlMs?: number;
  /** Injectable clock (tests may move time); default Date.now. */
  now?: () => number;
  /** Random source for `FaultSpec.probability`; default Math.random. */
  random?: () => number;
  /** Request body cap in bytes (413 above it); default 10 MB. */
  maxBodyBytes?: number;
  /**
   * Shifts the `Date` header of every answer by this many ms from the emulator's clock (`now`), as a
   * server whose clock is off (or a client whose clock is off the other way) would look; for clock-skew
   * checks. Only the header moves: OAuth timestamps and token expiry still use `now`. Default: none,
   * and Node's own `Date` header is left alone.
   */
  clockSkewMs?: number;
}

export interface XEmulator {
  /** http://127.0.0.1:PORT (apiBase for the client). */
  url: string;
  stop(): Promise<void>;
  /** OAuth 1.0a: an app (consumer key/secret) and a user's access token/secret; returns the user. */
  addOAuth1User(opts?: { username?: string }): {
    userId: string;
    username: string;
    appKey: string;
    appSecret: string;
    accessToken: string;
    accessSecret: string;
  };
  /** OAuth 2.0 user context: a client and a first refresh token (as an operator would put in the environment). */
  addOAuth2User(opts?: { username?: string; confidential?: boolean }): {
    userId: string;
    username: string;
    clientId: string;
    clientSecret?: string;
    refreshToken: string;
  };
  /** What is stored, in creation order. */
  posts(userId?: string): EmulatedPost[];
  /** The account owner deletes a post on x.com (not an API call): it is gone, and its text may be posted again. */
  deletePost(id: string): void;
  /** Every request, in arrival order. */
  requests(): RequestLogEntry[];
  media(): EmulatedMedia[];
  /** Queue faults. */
  injectFault(f: FaultSpec): void;
  clearFaults(): void;
  /** Tokens issued/rotated, to check rotation in tests. */
  oauth2State(userId: string): { validRefreshTokens: string[]; revokedRefreshTokens: string[]; validAccessTokens: string[] };
}

export interface EmulatedPost {
  id: string;
  userId: string;
  text: string;
  inReplyTo?: string;
  conversationId: string;
  mediaIds: string[];
  createdAt: string;
}

export interface EmulatedMedia {
  id: string;
  mediaKey: string;
  userId: string;
  mediaType: string;
  mediaCategory?: string;
  totalBytes: number;
  /** Bytes received so far (sum of the current segments). */
  receivedBytes: number;
  state: 'initialized' | 'finalized';
  altText?: string;
  createdAt: string;
}

export interface RequestLogEntry {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Status answered; 0 when the socket was destroyed (reset fault) or the answer was never sent. */
  status: number;
  userId?: string;
  /** Emulator clock (ms) at arrival. */
  at: number;
  fault?: FaultSpec['kind'];
  /** True when this request arrived while a window the client had been told is spent (remaining 0 in an
   *  earlier answer to the same user for the same route, reset not yet passed). */
  whileWindowKnownSpent: boolean;
}

export interface FaultSpec {
  /** e.g. 'POST /2/tweets', 'POST /2/media/upload/initialize', 'POST /2/media/upload/{id}/append', '*' */
  route: string;
  kind: 'latency' | 'error-before' | 'error-after' | 'reset-before' | 'reset-after' | 'rate-limit';
  /** How many matching requests get it (default 1, or unlimited with `probability`). */
  count?: number;
  /** 0..1: each matching request gets the fault with this probability (uses `random`). */
  probability?: number;
  /** For error-*: default 503. */
  status?: number;
  /** For latency. */
  delayMs?: number;
  userId?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Internal state

interface User {
  id: string;
  username: string;
  name: string;
}
interface OAuth1App {
  key: string;
  secret: string;
}
interface OAuth1Token {
  token: string;
  secret: string;
  appKey: string;
  userId: string;
}
interface OAuth2Client {
  id: string;
  secret?: string;
  userId: string;
}
interface AccessToken {
  token: string;
  userId: string;
  clientId: string;
  expiresAt: number;
}
interface RefreshToken {
  token: string;
  userId: string;
  clientId: string;
  valid: boolean;
}
interface MediaRecord extends EmulatedMedia {
  segments: Map<number, Buffer>;
  createdAtMs: number;
  expiresAtMs: number;
  additionalOwners: string[];
}
interface Window {
  limit: number;
  used: number;
  resetAtMs: number;
}
interface QueuedFault {
  spec: FaultSpec;
  remaining: number;
}

interface Ctx {
  req: http.IncomingMessage;
  url: URL;
  body: Buffer;
  user?: User;
  params: Record<string, string>;
}
interface Answer {
  status: number;
  json?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

type Handler = (ctx: Ctx) => Answer | Promise<Answer>;
interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  keys: string[];
  auth: boolean;
  handler: Handler;
}

const TWEETS_ROUTE = 'POST /2/tweets';
const DELETE_ROUTE = 'DELETE /2/tweets/{id}';
/** X's documented user limit on DELETE /2/tweets/:id. */
const DELETE_WINDOW = { limit: 50, windowMs: 15 * 60_000 };
const DAY_MS = 24 * 60 * 60_000;
const IMAGE_MAX_BYTES = 5 * 1024 * 1024;
const GIF_MAX_BYTES = 15 * 1024 * 1024;
const VIDEO_MAX_BYTES = 512 * 1024 * 1024;
const MEDIA_EXPIRES_SECS = 86_400;
const OAUTH2_SCOPE = 'tweet.read tweet.write users.read offline.access media.write';
const TWEPOCH = 1288834974657n;
const INVALID_REQUEST_TYPE = 'https://api.x.com/2/problems/invalid-request';

// ---------------------------------------------------------------------------------------------------------------
// Answers in X's shapes

function problem(status: number, title: string, detail: string, extra: Record<string, unknown> = {}): Answer {
  return { status, contentType: 'application/problem+json', json: { ...extra, title, detail, type: 'about:blank', status } };
}
const unauthorized = (): Answer => problem(401, 'Unauthorized', 'Unauthorized');
const notFound = (): Answer => problem(404, 'Not Found', 'Not Found');
function tooManyRequests(headers: Record<string, string>): Answer {
  return { ...problem(429, 'Too Many Requests', 'Too Many Requests'), headers };
}
function invalidRequest(errors: Array<{ message: string; parameters?: Record<string, unknown[]> }>): Answer {
  return {
    status: 400,
    contentType: 'application/problem+json',
    json: {
      errors: errors.map((e) => ({ parameters: e.parameters ?? {}, message: e.message })),
      title: 'Invalid Request',
      detail: 'One or more parameters to your request was invalid.',
      type: INVALID_REQUEST_TYPE,
      status: 400,
    },
  };
}
const invalidParam = (parameter: string, value: unknown, message: string): Answer =>
  invalidRequest([{ message, parameters: { [parameter]: [value] } }]);
const schemaRefusal = (problems: SchemaProblem[]): Answer => invalidRequest(problems);
function ok(json: unknown, status = 200, headers?: Record<string, string>): Answer {
  const a: Answer = { status, json, contentType: 'application/json; charset=utf-8' };
  if (headers) a.headers = headers;
  return a;
}

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) tooLarge = true; // keep draining so the client can read our 413
      else chunks.push(c);
    });
    req.on('end', () => (tooLarge ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

function compileRoute(method: string, template: string, auth: boolean, handler: Handler): Route {
  const keys: string[] = [];
  const pattern = new RegExp(
    '^' +
      template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, key: string) => {
        keys.push(key);
        return '([^/]+)';
      }) +
      '$',
  );
  return { method, template, pattern, keys, auth, handler };
}

function mediaTypeClass(mediaType: string, category?: string): 'image' | 'gif' | 'video' | 'other' {
  if (category === 'tweet_gif' || category === 'dm_gif' || mediaType === 'image/gif') {
    return category === 'tweet_image' || category === 'dm_image' ? 'image' : 'gif';
  }
  if (mediaType.startsWith('image/')) return 'image';
  if (mediaType.startsWith('video/')) return 'video';
  return 'other';
}

// ---------------------------------------------------------------------------------------------------------------

export async function startXEmulator(opts: XEmulatorOptions = {}): Promise<XEmulator> {
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const postWindow = opts.postWindow ?? { limit: 100, windowMs: 15 * 60_000 };
  const dayLimit = opts.userDayLimit ?? { limit: 10_000 };
  const accessTtlMs = opts.accessTokenTtlMs ?? 7_200_000;
  const maxBody = opts.maxBodyBytes ?? 10 * 1024 * 1024;

  const users = new Map<string, User>();
  const apps = new Map<string, OAuth1App>();
  const oauth1Tokens = new Map<string, OAuth1Token>();
  const nonces = new Map<string, number>(); // key -> expiry (ms)
  const oauth2Clients = new Map<string, OAuth2Client>();
  const accessTokens = new Map<string, AccessToken>();
  const refreshTokens = new Map<string, RefreshToken>();
  const posts: EmulatedPost[] = [];
  const postsById = new Map<string, EmulatedPost>();
  const duplicateKeys = new Set<string>();
  const media = new Map<string, MediaRecord>();
  const log: RequestLogEntry[] = [];
  let faults: QueuedFault[] = [];
  const windows = new Map<string, Window>(); // `${userId} ${routeKey}` and `${userId} day`
  const knownSpentUntil = new Map<string, number>(); // `${userId} ${routeKey}` -> ms
  let userSeq = 0;
  let lastId = 0n;
  let idSeq = 0n;

  const secret = (n = 24): string => randomBytes(n).toString('base64url');

  function nextId(): string {
    let id = (BigInt(Math.max(0, Math.floor(now()))) - TWEPOCH) << 22n;
    id |= idSeq++ & 0xfffn;
    if (id <= lastId) id = lastId + 1n;
    lastId = id;
    return id.toString();
  }

  function addUser(username?: string): User {
    userSeq += 1;
    const id = String(1_500_000_000 + userSeq * 7919);
    const name = username ?? `threadcast_test_${userSeq}`;
    const user = { id, username: name, name };
    users.set(id, user);
    return user;
  }

  // ---- windows -------------------------------------------------------------------------------------------
  function windowFor(key: string, limit: number, windowMs: number): Window {
    const t = now();
    let w = windows.get(key);
    if (!w || t >= w.resetAtMs) {
      w = { limit, used: 0, resetAtMs: Math.ceil((t + windowMs) / 1000) * 1000 };
      windows.set(key, w);
    }
    return w;
  }
  function tweetWindows(userId: string): { short: Window; day: Window } {
    return {
      short: windowFor(`${userId} ${TWEETS_ROUTE}`, postWindow.limit, postWindow.windowMs),
      day: windowFor(`${userId} day`, dayLimit.limit, DAY_MS),
    };
  }
  function rateHeaders(short: Window, day?: Window): Record<string, string> {
    const h: Record<string, string> = {
      'x-rate-limit-limit': String(short.limit),
      'x-rate-limit-remaining': String(Math.max(0, short.limit - short.used)),
      'x-rate-limit-reset': String(short.resetAtMs / 1000),
    };
    if (day) {
      h['x-user-limit-24hour-limit'] = String(day.limit);
      h['x-user-limit-24hour-remaining'] = String(Math.max(0, day.limit - day.used));
      h['x-user-limit-24hour-reset'] = String(day.resetAtMs / 1000);
    }
    return h;
  }
  /** Remember what the client has been told, so a later request can be marked `whileWindowKnownSpent`. */
  function noteToldHeaders(userId: string | undefined, routeKey: string, headers: Record<string, string> | undefined): void {
    if (!userId || !headers) return;
    const key = `${userId} ${routeKey}`;
    const spentUntil: number[] = [];
    if (headers['x-rate-limit-remaining'] === '0') spentUntil.push(Number(headers['x-rate-limit-reset']) * 1000);
    if (headers['x-user-limit-24hour-remaining'] === '0') spentUntil.push(Number(headers['x-user-limit-24hour-reset']) * 1000);
    if (spentUntil.length) knownSpentUntil.set(key, Math.max(knownSpentUntil.get(key) ?? 0, ...spentUntil));
  }

  // ---- auth ----------------------------------------------------------------------------------------------
  function authenticate(req: http.IncomingMessage, url: URL, body: Buffer): User | undefined {
    const header = req.headers.authorization;
    if (!header) return undefined;
    const bearer = /^Bearer\s+(\S+)$/i.exec(header);
    if (bearer) {
      const at = accessTokens.get(bearer[1] ?? '');
      if (!at || now() >= at.expiresAt) return undefined;
      return users.get(at.userId);
    }
    const oauth = parseOAuthHeader(header);
    if (!oauth) return undefined;
    const consumerKey = oauth.get('oauth_consumer_key');
    const token = oauth.get('oauth_token');
    const signature = oauth.get('oauth_signature');
    const nonce = oauth.get('oauth_nonce');
    const timestamp = oauth.get('oauth_timestamp');
    if (!consumerKey || !token || !signature || !nonce || !timestamp) return undefined;
    if (oauth.get('oauth_signature_method') !== 'HMAC-SHA1') return undefined;
    const version = oauth.get('oauth_version');
    if (version !== undefined && version !== '1.0') return undefined;
    const app = apps.get(consumerKey);
    const tok = oauth1Tokens.get(token);
    if (!app || !tok || tok.appKey !== consumerKey) return undefined;
    if (!/^\d+$/.test(timestamp) || Math.abs(now() / 1000 - Number(timestamp)) > 300) return undefined;

    const params: Array<[string, string]> = [];
    const rawQuery = (req.url ?? '').split('?')[1] ?? '';
    params.push(...parseFormPairs(rawQuery));
    for (const [k, v] of oauth) if (k !== 'oauth_signature' && k !== 'realm') params.push([k, v]);
    if (/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) {
      params.push(...parseFormPairs(body.toString('utf8')));
    }
    const expected = hmacSha1Signature({
      method: req.method ?? 'GET',
      baseUri: baseStringUri('http', req.headers.host ?? url.host, url.pathname),
      params,
      consumerSecret: app.secret,
      tokenSecret: tok.secret,
    });
    if (!signaturesEqual(expected, signature)) return undefined;

    // Nonce: unique per consumer key and token within the 5-minute timestamp window.
    const t = now();
    for (const [k, exp] of nonces) if (exp <= t) nonces.delete(k);
    const nonceKey = `${consumerKey}\n${token}\n${nonce}`;
    if (nonces.has(nonceKey)) return undefined;
    nonces.set(nonceKey, t + 10 * 60_000);
    return users.get(tok.userId);
  }

  // ---- body helpers ----------------------------------------------------------------------------------------
  function jsonBody(ctx: Ctx, optional = false): { value: unknown } | Answer {
    const ct = ctx.req.headers['content-type'] ?? '';
    if (ctx.body.length === 0 && optional) return { value: undefined };
    if (!/^application\/json\b/i.test(ct)) {
      return invalidRequest([{ message: 'Requests with bodies must have content-type of application/json.' }]);
    }
    try {
      return { value: JSON.parse(ctx.body.toString('utf8')) as unknown };
    } catch {
      return invalidRequest([{ message: 'Request body is not valid JSON.' }]);
    }
  }
  function validated(name: SchemaName, value: unknown): Answer | undefined {
    const problems = validateAgainst(name, value);
    return problems.length ? schemaRefusal(problems) : undefined;
  }
  const isAnswer = (x: unknown): x is Answer => typeof x === 'object' && x !== null && 'status' in x;

  function ownedMedia(id: string, userId: string): MediaRecord | undefined {
    const m = media.get(id);
    if (!m) return undefined;
    if (m.userId !== userId && !m.additionalOwners.includes(userId)) return undefined;
    return m;
  }

  // ---- handlers ------------------------------------------------------------------------------------------
  function createPost(ctx: Ctx): Answer {
    const user = ctx.user as User;
    const { short, day } = tweetWindows(user.id);
    if (short.used >= short.limit || day.used >= day.limit) return tooManyRequests(rateHeaders(short, day));
    short.used += 1;
    day.used += 1;
    const headers = rateHeaders(short, day);
    const withHeaders = (a: Answer): Answer => ({ ...a, headers: { ...headers, ...a.headers } });

    const parsed = jsonBody(ctx);
    if (isAnswer(parsed)) return withHeaders(parsed);
    const refusal = validated('CreatePostsRequest', parsed.value);
    if (refusal) return withHeaders(refusal);
    const body = parsed.value as {
      text?: string;
      reply?: { in_reply_to_tweet_id: string };
      media?: { media_ids: string[] };
      quote_tweet_id?: string;
      poll?: unknown;
      card_uri?: string;
    };
    const text = body.text ?? '';
    const mediaIds = body.media?.media_ids ?? [];

    if (body.media && (body.quote_tweet_id !== undefined || body.poll !== undefined || body.card_uri !== undefined)) {
      return withHeaders(
        invalidRequest([{ message: 'You can only provide one of poll, media, quote_tweet_id, or card_uri.', parameters: { media: [body.media] } }]),
      );
    }
    if (text.length === 0 && mediaIds.length === 0) {
      return withHeaders(invalidParam('text', text, 'Post text is empty and no media was attached.'));
    }
    if (text.length > 0 && !parseTweet(text).valid) {
      return withHeaders(
        invalidParam(
          'text',
          text,
          'Your Tweet text is too long. For more information on how Twitter determines text length see https://github.com/twitter/twitter-text.',
        ),
      );
    }
    let parent: EmulatedPost | undefined;
    if (body.reply) {
      parent = postsById.get(body.reply.in_reply_to_tweet_id);
      if (!parent) {
        return withHeaders(problem(403, 'Forbidden', 'You attempted to reply to a Tweet that is deleted or not visible to you.'));
      }
    }
    if (body.quote_tweet_id !== undefined && !postsById.has(body.quote_tweet_id)) {
      return withHeaders(invalidParam('quote_tweet_id', body.quote_tweet_id, 'The Tweet you are quoting is deleted or not visible to you.'));
    }
    if (new Set(mediaIds).size !== mediaIds.length) {
      return withHeaders(invalidParam('media.media_ids', mediaIds, 'Your media IDs are invalid.'));
    }
    for (const id of mediaIds) {
      const m = ownedMedia(id, user.id);
      if (!m || m.state !== 'finalized' || now() >= m.expiresAtMs) {
        return withHeaders(invalidParam('media.media_ids', id, 'Your media IDs are invalid.'));
      }
    }
    const dupKey = `${user.id}\n${text.normalize('NFC').trim()}`;
    if (text.trim().length > 0 && duplicateKeys.has(dupKey)) {
      return withHeaders(problem(403, 'Forbidden', 'You are not allowed to create a Tweet with duplicate content.'));
    }

    const id = nextId();
    const post: EmulatedPost = {
      id,
      userId: user.id,
      text,
      conversationId: parent ? parent.conversationId : id,
      mediaIds: [...mediaIds],
      createdAt: new Date(now()).toISOString(),
    };
    if (parent) post.inReplyTo = parent.id;
    posts.push(post);
    postsById.set(id, post);
    if (text.trim().length > 0) duplicateKeys.add(dupKey);
    return ok({ data: { id, text, edit_history_tweet_ids: [id] } }, 201, headers);
  }

  function deletePost(ctx: Ctx): Answer {
    const user = ctx.user as User;
    const w = windowFor(`${user.id} ${DELETE_ROUTE}`, DELETE_WINDOW.limit, DELETE_WINDOW.windowMs);
    if (w.used >= w.limit) return tooManyRequests(rateHeaders(w));
    w.used += 1;
    const headers = rateHeaders(w);
    const id = ctx.params.id ?? '';
    const badId = validated('PostId', id);
    if (badId) return { ...badId, headers };
    const post = postsById.get(id);
    if (!post) {
      const notThere = {
        ...problem(404, 'Not Found Error', `Could not find tweet with id: [${id}].`),
        json: { title: 'Not Found Error', detail: `Could not find tweet with id: [${id}].`, type: 'https://api.x.com/2/problems/resource-not-found', resource_type: 'tweet', resource_id: id, parameter: 'id', value: id },
      };
      const problems = validateAgainst('ResourceNotFoundProblem', notThere.json);
      if (problems.length) throw new Error(`x-emulator: its own 404 does not fit the document: ${problems.map((p) => p.message).join('; ')}`);
      return { ...notThere, headers };
    }
    if (post.userId !== user.id) return { ...problem(403, 'Forbidden', 'You are not authorized to delete this Post.'), headers };
    posts.splice(posts.indexOf(post), 1);
    postsById.delete(id);
    duplicateKeys.delete(`${post.userId}\n${post.text.normalize('NFC').trim()}`);
    const answer = { data: { deleted: true } };
    const problems = validateAgainst('DeletePostsResponse', answer);
    if (problems.length) throw new Error(`x-emulator: its own answer does not fit the document: ${problems.map((p) => p.message).join('; ')}`);
    return ok(answer, 200, headers);
  }

  function me(ctx: Ctx): Answer {
    const user = ctx.user as User;
    const fields = ctx.url.searchParams.get('user.fields');
    if (fields !== null) {
      const known = userFieldNames();
      for (const f of fields.split(',')) {
        if (!known.has(f)) return invalidParam('user.fields', f, `The \`user.fields\` query parameter value [${f}] is not one of [${[...known].join(',')}]`);
      }
    }
    return ok({ data: { id: user.id, name: user.name, username: user.username } });
  }

  function userTweets(ctx: Ctx): Answer {
    const q = ctx.url.searchParams;
    const id = ctx.params.id ?? '';
    if (!/^[0-9]{1,19}$/.test(id)) return invalidParam('id', id, `The \`id\` query parameter value [${id}] is not valid`);
    const target = users.get(id);
    if (!target) {
      return ok({
        errors: [
          {
            value: id,
            detail: `Could not find user with id: [${id}].`,
            title: 'Not Found Error',
            resource_type: 'user',
            parameter: 'id',
            resource_id: id,
            type: 'https://api.x.com/2/problems/resource-not-found',
          },
        ],
      });
    }
    const allowed = new Set(['max_results', 'pagination_token', 'start_time', 'end_time', 'since_id', 'until_id', 'exclude', 'tweet.fields', 'post.fields', 'expansions', 'user.fields', 'media.fields', 'poll.fields', 'place.fields']);
    for (const k of q.keys()) if (!allowed.has(k)) return invalidParam(k, q.get(k), `The query parameter [${k}] is not one of [${[...allowed].join(',')}]`);
    let max = 10;
    const mr = q.get('max_results');
    if (mr !== null) {
      if (!/^\d+$/.test(mr) || Number(mr) < 5 || Number(mr) > 100) {
        return invalidParam('max_results', mr, `The \`max_results\` query parameter value [${mr}] is not between 5 and 100`);
      }
      max = Number(mr);
    }
    const fields = new Set<string>();
    for (const p of ['tweet.fields', 'post.fields']) {
      const v = q.get(p);
      if (v === null) continue;
      const known = tweetFieldNames();
      for (const f of v.split(',')) {
        if (!known.has(f)) return invalidParam(p, f, `The \`${p}\` query parameter value [${f}] is not one of [${[...known].join(',')}]`);
        fields.add(f === 'referenced_posts' ? 'referenced_tweets' : f);
      }
    }
    for (const p of ['since_id', 'until_id']) {
      const v = q.get(p);
      if (v !== null && !/^[0-9]{1,19}$/.test(v)) return invalidParam(p, v, `The \`${p}\` query parameter value [${v}] is not valid`);
    }
    const times: Record<string, number> = {};
    for (const p of ['start_time', 'end_time']) {
      const v = q.get(p);
      if (v === null) continue;
      const t = Date.parse(v);
      if (!/^\d{4}-\d\d-\d\dT/.test(v) || Number.isNaN(t)) return invalidParam(p, v, `Invalid ${p}`);
      times[p] = t;
    }
    const exclude = new Set((q.get('exclude') ?? '').split(',').filter(Boolean));
    for (const e of exclude) if (e !== 'replies' && e !== 'retweets') return invalidParam('exclude', e, `The \`exclude\` query parameter value [${e}] is not one of [replies,retweets]`);

    const since = q.get('since_id');
    const until = q.get('until_id');
    let list = posts
      .filter((p) => p.userId === id)
      .filter((p) => !(exclude.has('replies') && p.inReplyTo !== undefined))
      .filter((p) => since === null || BigInt(p.id) > BigInt(since))
      .filter((p) => until === null || BigInt(p.id) < BigInt(until))
      .filter((p) => times.start_time === undefined || Date.parse(p.createdAt) >= times.start_time)
      .filter((p) => times.end_time === undefined || Date.parse(p.createdAt) <= times.end_time)
      .reverse();
    const token = q.get('pagination_token');
    if (token !== null) {
      const m = /^tc([0-9a-z]+)$/.exec(token);
      const decoded = m?.[1] ? decodeToken(m[1]) : undefined;
      const idx = decoded === undefined ? -1 : list.findIndex((p) => p.id === decoded);
      if (idx < 0) return invalidParam('pagination_token', token, `The \`pagination_token\` query parameter value [${token}] is not valid`);
      list = list.slice(idx);
    }
    const page = list.slice(0, max);
    const rest = list.slice(max);
    if (page.length === 0) return ok({ meta: { result_count: 0 } });
    const data = page.map((p) => {
      const parent = p.inReplyTo ? postsById.get(p.inReplyTo) : undefined;
      const o: Record<string, unknown> = { id: p.id, text: p.text, edit_history_tweet_ids: [p.id] };
      if (fields.has('conversation_id')) o.conversation_id = p.conversationId;
      if (fields.has('created_at')) o.created_at = p.createdAt; // ISO 8601 with milliseconds, like X
      if (fields.has('author_id')) o.author_id = p.userId;
      if (fields.has('in_reply_to_user_id') && parent) o.in_reply_to_user_id = parent.userId;
      if (fields.has('referenced_tweets') && p.inReplyTo) o.referenced_tweets = [{ type: 'replied_to', id: p.inReplyTo }];
      if (fields.has('attachments') && p.mediaIds.length) {
        o.attachments = { media_keys: p.mediaIds.map((m) => media.get(m)?.mediaKey ?? `3_${m}`) };
      }
      return o;
    });
    const meta: Record<string, unknown> = {
      result_count: page.length,
      newest_id: page[0]?.id,
      oldest_id: page[page.length - 1]?.id,
    };
    if (rest[0]) meta.next_token = 'tc' + encodeToken(rest[0].id);
    return ok({ data, meta });
  }
  const encodeToken = (id: string): string => BigInt(id).toString(36);
  function decodeToken(s: string): string | undefined {
    let n = 0n;
    for (const ch of s) {
      const d = parseInt(ch, 36);
      if (Number.isNaN(d)) return undefined;
      n = n * 36n + BigInt(d);
    }
    return n.toString();
  }

  function mediaInitialize(ctx: Ctx): Answer {
    const user = ctx.user as User;
    const parsed = jsonBody(ctx);
    if (isAnswer(parsed)) return parsed;
    const refusal = validated('InitializeMediaUploadRequest', parsed.value);
    if (refusal) return refusal;
    const body = parsed.value as { media_type?: string; total_bytes?: number; media_category?: string; additional_owners?: string[] };
    if (body.media_type === undefined) return invalidParam('media_type', null, 'media_type is required.');
    if (body.total_bytes === undefined) return invalidParam('total_bytes', null, 'total_bytes is required.');
    const cls = mediaTypeClass(body.media_type, body.media_category);
    const cat = body.media_category;
    if (cat !== undefined) {
      const catClass = cat.endsWith('_image') ? 'image' : cat.endsWith('_gif') ? 'gif' : cat.endsWith('_video') ? 'video' : 'other';
      const compatible =
        catClass === cls || (catClass === 'image' && body.media_type === 'image/gif') || (catClass === 'gif' && body.media_type === 'image/gif');
      if (!compatible) return invalidParam('media_category', cat, `media_category ${cat} does not match media_type ${body.media_type}.`);
    }
    const max = cls === 'image' ? IMAGE_MAX_BYTES : cls === 'gif' ? GIF_MAX_BYTES : VIDEO_MAX_BYTES;
    if (body.total_bytes > max) {
      return invalidParam('total_bytes', body.total_bytes, `File size exceeds ${max} bytes.`);
    }
    if (body.total_bytes === 0) return invalidParam('total_bytes', 0, 'total_bytes must be greater than 0.');
    const id = nextId();
    const t = now();
    const rec: MediaRecord = {
      id,
      mediaKey: `${cls === 'video' ? 7 : cls === 'gif' ? 16 : 3}_${id}`,
      userId: user.id,
      mediaType: body.media_type,
      totalBytes: body.total_bytes,
      receivedBytes: 0,
      state: 'initialized',
      createdAt: new Date(t).toISOString(),
      segments: new Map(),
      createdAtMs: t,
      expiresAtMs: t + MEDIA_EXPIRES_SECS * 1000,
      additionalOwners: body.additional_owners ?? [],
    };
    if (cat !== undefined) rec.mediaCategory = cat;
    media.set(id, rec);
    return ok({ data: { id, media_key: rec.mediaKey, expires_after_secs: MEDIA_EXPIRES_SECS } });
  }

  function mediaForUpload(ctx: Ctx): MediaRecord | Answer {
    const id = ctx.params.id ?? '';
    if (!/^[0-9]{1,19}$/.test(id)) return invalidParam('id', id, `The \`id\` query parameter value [${id}] does not match ^[0-9]{1,19}$`);
    const m = ownedMedia(id, (ctx.user as User).id);
    if (!m || m.userId !== (ctx.user as User).id) return invalidParam('id', id, `Media id ${id} not found.`);
    if (now() >= m.expiresAtMs) return invalidParam('id', id, `Media id ${id} has expired.`);
    return m;
  }

  function mediaAppend(ctx: Ctx): Answer {
    const m = mediaForUpload(ctx);
    if (isAnswer(m)) return m;
    if (m.state !== 'initialized') return invalidParam('id', m.id, 'Media upload is already finalized.');
    const boundary = boundaryOf(ctx.req.headers['content-type']);
    let segmentIndex: unknown;
    let chunk: Buffer;
    if (boundary) {
      let parts;
      try {
        parts = parseMultipart(ctx.body, boundary);
      } catch (e) {
        return invalidRequest([{ message: `Malformed multipart body: ${(e as Error).message}` }]);
      }
      const obj: Record<string, unknown> = {};
      for (const p of parts) {
        if (p.name in obj) return invalidParam(p.name, null, `Duplicate form field ${p.name}.`);
        if (p.name === 'segment_index') {
          const s = p.data.toString('utf8');
          obj.segment_index = /^\d+$/.test(s) ? Number(s) : s;
        } else obj[p.name] = p.name === 'media' ? '<binary>' : p.data.toString('utf8');
      }
      const refusal = validated('AppendMediaUploadRequest', obj);
      if (refusal) return refusal;
      segmentIndex = obj.segment_index;
      chunk = parts.find((p) => p.name === 'media')?.data ?? Buffer.alloc(0);
    } else {
      const parsed = jsonBody(ctx);
      if (isAnswer(parsed)) {
        return invalidRequest([{ message: 'Append requests must be multipart/form-data or application/json.' }]);
      }
      const refusal = validated('AppendMediaUploadRequest', parsed.value);
      if (refusal) return refusal;
      const body = parsed.value as { media: string; segment_index: number };
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body.media)) return invalidParam('media', null, 'media must be base64 in JSON bodies.');
      segmentIndex = body.segment_index;
      chunk = Buffer.from(body.media, 'base64');
    }
    const index = segmentIndex as number;
    if (chunk.length === 0) return invalidParam('media', null, 'Media segment is empty.');
    const previous = m.segments.get(index)?.length ?? 0;
    if (m.receivedBytes - previous + chunk.length > m.totalBytes) {
      return invalidParam('media', null, `Appended bytes exceed total_bytes (${m.totalBytes}).`);
    }
    m.segments.set(index, Buffer.from(chunk));
    m.receivedBytes = m.receivedBytes - previous + chunk.length;
    return ok({ data: { expires_at: Math.floor(m.expiresAtMs / 1000) } });
  }

  function mediaData(m: MediaRecord, withProcessing: boolean): Record<string, unknown> {
    const expires = Math.max(0, Math.floor((m.expiresAtMs - now()) / 1000));
    const d: Record<string, unknown> = { id: m.id, media_key: m.mediaKey, size: m.receivedBytes, expires_after_secs: expires };
    if (mediaTypeClass(m.mediaType, m.mediaCategory) === 'image') d.image = { image_type: m.mediaType };
    if (withProcessing) d.processing_info = { state: 'succeeded', progress_percent: 100 };
    return d;
  }

  function mediaFinalize(ctx: Ctx): Answer {
    const m = mediaForUpload(ctx);
    if (isAnswer(m)) return m;
    if (ctx.body.length > 0) {
      const parsed = jsonBody(ctx, true);
      if (isAnswer(parsed)) return parsed;
      const v = parsed.value;
      if (v !== undefined && (typeof v !== 'object' || v === null || Array.isArray(v) || Object.keys(v).length > 0)) {
        return invalidRequest([{ message: 'FINALIZE takes no body parameters.' }]);
      }
    }
    if (m.state === 'finalized') return invalidParam('id', m.id, 'Media upload is already finalized.');
    const indexes = [...m.segments.keys()].sort((a, b) => a - b);
    if (indexes.length === 0 || indexes.some((v, i) => v !== i)) {
      return invalidParam('segment_index', indexes, 'Segments must be appended with contiguous indexes starting at 0.');
    }
    if (m.receivedBytes !== m.totalBytes) {
      return invalidParam('total_bytes', m.totalBytes, `File size mismatch: received ${m.receivedBytes} bytes, expected ${m.totalBytes}.`);
    }
    const cls = mediaTypeClass(m.mediaType, m.mediaCategory);
    if (cls === 'image' && m.receivedBytes > IMAGE_MAX_BYTES) return invalidParam('media', null, `File size exceeds ${IMAGE_MAX_BYTES} bytes.`);
    m.state = 'finalized';
    // X answers images synchronously; video and GIF carry processing_info (already succeeded here).
    return ok({ data: mediaData(m, cls !== 'image') });
  }

  function mediaStatus(ctx: Ctx): Answer {
    const q = ctx.url.searchParams;
    const command = q.get('command');
    if (command !== null && command !== 'STATUS') return invalidParam('command', command, `The \`command\` query parameter value [${command}] is not one of [STATUS]`);
    const id = q.get('media_id');
    if (id === null) return invalidParam('media_id', null, 'The `media_id` query parameter is required.');
    if (!/^[0-9]{1,19}$/.test(id)) return invalidParam('media_id', id, `The \`media_id\` query parameter value [${id}] does not match ^[0-9]{1,19}$`);
    const m = ownedMedia(id, (ctx.user as User).id);
    if (!m) return invalidParam('media_id', id, `Media id ${id} not found.`);
    if (m.state !== 'finalized') return invalidParam('media_id', id, `Media id ${id} is not finalized.`);
    return ok({ data: mediaData(m, true) });
  }

  function mediaMetadata(ctx: Ctx): Answer {
    const parsed = jsonBody(ctx);
    if (isAnswer(parsed)) return parsed;
    const refusal = validated('CreateMediaMetadataRequest', parsed.value);
    if (refusal) return refusal;
    const body = parsed.value as { id: string; metadata?: { alt_text?: { text: string } } & Record<string, unknown> };
    const m = ownedMedia(body.id, (ctx.user as User).id);
    if (!m) return invalidParam('id', body.id, `Media id ${body.id} not found.`);
    if (m.state !== 'finalized') return invalidParam('id', body.id, `Media id ${body.id} is not finalized.`);
    if (body.metadata?.alt_text) m.altText = body.metadata.alt_text.text;
    return ok({ data: { id: m.id, associated_metadata: body.metadata ?? {} } });
  }

  function oauth2Token(ctx: Ctx): Answer {
    const err = (status: number, error: string, description: string): Answer => ({
      status,
      json: { error, error_description: description },
      contentType: 'application/json; charset=utf-8',
    });
    const ct = ctx.req.headers['content-type'] ?? '';
    let params: Record<string, string> = {};
    if (/^application\/x-www-form-urlencoded\b/i.test(ct)) {
      for (const [k, v] of parseFormPairs(ctx.body.toString('utf8'))) params[k] = v;
    } else if (/^application\/json\b/i.test(ct)) {
      try {
        const v = JSON.parse(ctx.body.toString('utf8')) as unknown;
        if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
        params = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
      } catch {
        return err(400, 'invalid_request', 'Malformed request body.');
      }
    } else {
      return err(400, 'invalid_request', 'Missing required parameter [grant_type].');
    }
    if (!params.grant_type) return err(400, 'invalid_request', 'Missing required parameter [grant_type].');
    if (params.grant_type !== 'refresh_token') return err(400, 'invalid_request', 'Value passed for the grant type was invalid.');
    if (!params.refresh_token) return err(400, 'invalid_request', 'Missing required parameter [refresh_token].');

    // Client authentication: confidential clients use HTTP Basic client_id:client_secret; public ones send client_id.
    let clientId = params.client_id;
    const basic = /^Basic\s+(\S+)$/i.exec(ctx.req.headers.authorization ?? '');
    let basicSecret: string | undefined;
    if (basic) {
      const decoded = Buffer.from(basic[1] ?? '', 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i < 0) return err(401, 'unauthorized_client', 'Missing valid authorization header');
      const id = decodeURIComponent(decoded.slice(0, i));
      if (clientId !== undefined && clientId !== id) return err(401, 'unauthorized_client', 'Missing valid authorization header');
      clientId = id;
      basicSecret = decodeURIComponent(decoded.slice(i + 1));
    }
    const client = clientId ? oauth2Clients.get(clientId) : undefined;
    if (!client) return err(400, 'invalid_request', 'Missing required parameter [client_id].');
    if (client.secret !== undefined) {
      if (basicSecret !== client.secret) return err(401, 'unauthorized_client', 'Missing valid authorization header');
      if (params.client_secret !== undefined && params.client_secret !== client.secret) {
        return err(401, 'unauthorized_client', 'Missing valid authorization header');
      }
    } else if (basic) {
      return err(401, 'unauthorized_client', 'Missing valid authorization header');
    }
    const rt = refreshTokens.get(params.refresh_token);
    if (!rt || !rt.valid || rt.clientId !== client.id) {
      return err(400, 'invalid_request', 'Value passed for the token was invalid.');
    }
    rt.valid = false; // rotation: the used refresh token dies at once
    const issued = issueTokens(client);
    return ok({
      token_type: 'bearer',
      expires_in: Math.floor(accessTtlMs / 1000),
      access_token: issued.access,
      scope: OAUTH2_SCOPE,
      refresh_token: issued.refresh,
    });
  }

  function issueTokens(client: OAuth2Client): { access: string; refresh: string } {
    const access = secret(32);
    const refresh = secret(32);
    accessTokens.set(access, { token: access, userId: client.userId, clientId: client.id, expiresAt: now() + accessTtlMs });
    refreshTokens.set(refresh, { token: refresh, userId: client.userId, clientId: client.id, valid: true });
    return { access, refresh };
  }

  const routes: Route[] = [
    compileRoute('POST', '/2/tweets', true, createPost),
    compileRoute('DELETE', '/2/tweets/{id}', true, deletePost),
    compileRoute('GET', '/2/users/me', true, me),
    compileRoute('GET', '/2/users/{id}/tweets', true, userTweets),
    compileRoute('POST', '/2/media/upload/initialize', true, mediaInitialize),
    compileRoute('POST', '/2/media/upload/{id}/append', true, mediaAppend),
    compileRoute('POST', '/2/media/upload/{id}/finalize', true, mediaFinalize),
    compileRoute('GET', '/2/media/upload', true, mediaStatus),
    compileRoute('POST', '/2/media/metadata', true, mediaMetadata),
    compileRoute('POST', '/2/oauth2/token', false, oauth2Token),
  ];
  // The token endpoint is OAuth's, outside the API document.
  for (const r of routes.filter((r) => r.template !== '/2/oauth2/token')) {
    if (!documentsOperation(r.method, r.template)) throw new Error(`x-emulator: ${r.method} ${r.template} is not in X's OpenAPI document`);
  }

  function takeFault(routeKey: string, concreteKey: string, userId: string | undefined): FaultSpec | undefined {
    for (const f of faults) {
      const s = f.spec;
      if (s.route !== '*' && s.route !== routeKey && s.route !== concreteKey) continue;
      if (s.userId !== undefined && s.userId !== userId) continue;
      if (f.remaining <= 0) continue;
      if (s.probability !== undefined && random() >= s.probability) continue;
      f.remaining -= 1;
      faults = faults.filter((x) => x.remaining > 0);
      return s;
    }
    return undefined;
  }

  // ---- HTTP ----------------------------------------------------------------------------------------------
  function send(res: http.ServerResponse, entry: RequestLogEntry, a: Answer, routeKey?: string): void {
    entry.status = a.status;
    if (routeKey) noteToldHeaders(entry.userId, routeKey, a.headers);
    const payload = a.json === undefined ? '' : JSON.stringify(a.json);
    res.writeHead(a.status, {
      ...(a.headers ?? {}),
      ...(payload ? { 'content-type': a.contentType ?? 'application/json; charset=utf-8' } : {}),
      'content-length': String(Buffer.byteLength(payload)),
    });
    res.end(payload);
  }
  function destroy(req: http.IncomingMessage, entry: RequestLogEntry): void {
    entry.status = 0;
    req.socket.destroy();
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const entry: RequestLogEntry = { method, path: url.pathname, status: 0, at: now(), whileWindowKnownSpent: false };
    log.push(entry);
    let body: Buffer;
    try {
      body = await readBody(req, maxBody);
    } catch (e) {
      if (e instanceof BodyTooLarge) return send(res, entry, problem(413, 'Payload Too Large', `Request body exceeds ${maxBody} bytes.`));
      throw e;
    }
    let route: Route | undefined;
    let match: RegExpExecArray | null = null;
    for (const r of routes) {
      if (r.method !== method) continue;
      match = r.pattern.exec(url.pathname);
      if (match) {
        route = r;
        break;
      }
    }
    if (!route || !match) return send(res, entry, notFound());
    const params: Record<string, string> = {};
    route.keys.forEach((k, i) => (params[k] = decodeURIComponent(match?.[i + 1] ?? '')));
    const ctx: Ctx = { req, url, body, params };
    if (route.auth) {
      const user = authenticate(req, url, body);
      if (!user) return send(res, entry, unauthorized());
      ctx.user = user;
      entry.userId = user.id;
    }
    const routeKey = `${method} ${route.template}`;
    if (entry.userId) {
      const until = knownSpentUntil.get(`${entry.userId} ${routeKey}`);
      entry.whileWindowKnownSpent = until !== undefined && now() < until;
    }

    const fault = takeFault(routeKey, `${method} ${url.pathname}`, entry.userId);
    if (fault) entry.fault = fault.kind;
    const faultStatus = fault?.status ?? 503;
    const faultAnswer = (): Answer => problem(faultStatus, http.STATUS_CODES[faultStatus] ?? 'Error', http.STATUS_CODES[faultStatus] ?? 'Error');
    switch (fault?.kind) {
      case 'latency':
        await new Promise((r) => setTimeout(r, fault.delayMs ?? 1000));
        break;
      case 'error-before':
        return send(res, entry, faultAnswer(), routeKey);
      case 'reset-before':
        return destroy(req, entry);
      case 'rate-limit': {
        const userId = entry.userId ?? 'anonymous';
        const w =
          routeKey === TWEETS_ROUTE
            ? tweetWindows(userId).short
            : windowFor(`${userId} ${routeKey}`, postWindow.limit, postWindow.windowMs);
        const headers = rateHeaders({ ...w, used: w.limit }, routeKey === TWEETS_ROUTE ? tweetWindows(userId).day : undefined);
        return send(res, entry, tooManyRequests(headers), routeKey);
      }
      default:
        break;
    }
    const answer = await route.handler(ctx);
    if (fault?.kind === 'error-after') return send(res, entry, faultAnswer(), routeKey);
    if (fault?.kind === 'reset-after') return destroy(req, entry);
    send(res, entry, answer, routeKey);
  }

  const server = http.createServer((req, res) => {
    if (opts.clockSkewMs !== undefined) res.setHeader('date', new Date(now() + opts.clockSkewMs).toUTCString());
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/problem+json' });
        res.end(JSON.stringify({ title: 'Internal Server Error', detail: String(e), type: 'about:blank', status: 500 }));
      } else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
    addOAuth1User(o = {}) {
      const user = addUser(o.username);
      const app: OAuth1App = { key: secret(18), secret: secret(36) };
      apps.set(app.key, app);
      const tok: OAuth1Token = { token: `${user.id}-${secret(24)}`, secret: secret(33), appKey: app.key, userId: user.id };
      oauth1Tokens.set(tok.token, tok);
      return { userId: user.id, username: user.username, appKey: app.key, appSecret: app.secret, accessToken: tok.token, accessSecret: tok.secret };
    },
    addOAuth2User(o = {}) {
      const user = addUser(o.username);
      const client: OAuth2Client = { id: secret(24), userId: user.id };
      if (o.confidential) client.secret = secret(36);
      oauth2Clients.set(client.id, client);
      const refresh = secret(32);
      refreshTokens.set(refresh, { token: refresh, userId: user.id, clientId: client.id, valid: true });
      const out: ReturnType<XEmulator['addOAuth2User']> = { userId: user.id, username: user.username, clientId: client.id, refreshToken: refresh };
      if (client.secret !== undefined) out.clientSecret = client.secret;
      return out;
    },
    posts(userId) {
      return posts.filter((p) => userId === undefined || p.userId === userId).map((p) => ({ ...p, mediaIds: [...p.mediaIds] }));
    },
    deletePost(id) {
      const post = postsById.get(id);
      if (!post) throw new Error(`no post ${id}`);
      posts.splice(posts.indexOf(post), 1);
      postsById.delete(id);
      duplicateKeys.delete(`${post.userId}\n${post.text.normalize('NFC').trim()}`);
    },
    requests() {
      return log.map((e) => ({ ...e }));
    },
    media() {
      return [...media.values()].map((m) => {
        const out: EmulatedMedia = {
          id: m.id,
          mediaKey: m.mediaKey,
          userId: m.userId,
          mediaType: m.mediaType,
          totalBytes: m.totalBytes,
          receivedBytes: m.receivedBytes,
          state: m.state,
          createdAt: m.createdAt,
        };
        if (m.mediaCategory !== undefined) out.mediaCategory = m.mediaCategory;
        if (m.altText !== undefined) out.altText = m.altText;
        return out;
      });
    },
    injectFault(f) {
      faults.push({ spec: { ...f }, remaining: f.count ?? (f.probability !== undefined ? Number.POSITIVE_INFINITY : 1) });
    },
    clearFaults() {
      faults = [];
    },
    oauth2State(userId) {
      const t = now();
      return {
        validRefreshTokens: [...refreshTokens.values()].filter((r) => r.userId === userId && r.valid).map((r) => r.token),
        revokedRefreshTokens: [...refreshTokens.values()].filter((r) => r.userId === userId && !r.valid).map((r) => r.token),
        validAccessTokens: [...accessTokens.values()].filter((a) => a.userId === userId && t < a.expiresAt).map((a) => a.token),
      };
    },
  };
}
