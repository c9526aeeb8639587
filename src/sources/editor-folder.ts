import { createHash } from 'node:crypto';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import type { Dirent, Stats } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { Delivery } from '../core/delivery.js';
import { describeError, EditorError, unknownChannels } from '../core/errors.js';
import { AnnouncementRequestSchema } from './announcement.js';
import { checkRegularFile, finishInterruptedMove, moveToFreeName, readFileInside, RefusedFile, removeEntry, replaceFile, resolveInside } from './folder-files.js';

/**
 * Announcements dropped as Markdown files into `editor.folder`: each `*.md` is queued once, then renamed
 * to `*.md.queued` (or `*.md.2.queued`… if that name is taken); a file that cannot be queued gets its reason
 * beside it in `*.md.error`.
 *
 * Whoever can write to the folder is not trusted with the server's files: only regular files that really live
 * in the folder are read (no symbolic links, pipes, devices or hard links), and images must be inside it too
 * (see `EditorQueue.add`). `.error` and `.queued` files are never written through a link.
 */

/** Far more than any announcement (at most 20,000 characters) with its front matter: anything bigger is a mistake. */
export const MAX_ANNOUNCEMENT_FILE_BYTES = 1024 * 1024;

/** How long a new file must stay unchanged before it is read; see `scanEditorFolder`. */
export const DEFAULT_SETTLE_MS = 2000;

const FRONT_MATTER_KEYS = ['at', 'channels', 'url', 'image', 'alt'];
const FENCE = /^---[ \t]*$/;

export interface QueuedFile {
  file: string;
  announcementId: string;
  /** Only the deliveries this scan created. */
  deliveryIds: string[];
}

/**
 * `already-queued`: all its deliveries came from an earlier scan that stopped before marking the file
 * (it is marked now). `unchanged-since-error`: its `.error` is at least as new as the file, so it waits
 * for the editor to save it again. `still-being-written`: it changed while this scan looked at it; the next
 * scan tries again. `saved-while-queued`: it was saved again (replaced) while this scan queued it; the next scan
 * queues what it holds then, and what this scan queued is cancelled if that differs.
 */
export interface SkippedFile {
  file: string;
  reason: 'already-queued' | 'unchanged-since-error' | 'still-being-written' | 'saved-while-queued';
  announcementId?: string;
}

/** `errorFile` is set when the reason was written beside the file for the editor. */
export interface FailedFile {
  file: string;
  message: string;
  errorFile?: string;
}

/** Files are named relative to the working directory, as in log lines and `.error` files. */
export interface EditorFolderReport {
  folder: string;
  /** Queued and marked `.md.queued` in this scan. */
  queued: QueuedFile[];
  skipped: SkippedFile[];
  failed: FailedFile[];
  /** The folder itself could not be read (missing, not a folder): nothing in it was looked at. */
  problems: string[];
}

export interface ScanOptions {
  /** How long a file must have stayed unchanged to be read (default `DEFAULT_SETTLE_MS`). */
  settleMs?: number;
  /** How the scan waits `settleMs` (a test can act on the folder meanwhile). */
  wait?: (ms: number) => Promise<void>;
  /**
   * The configured channel ids: a file naming another is told so with its other problems, in one `.error`.
   * Without them the queue still refuses it, but only once everything else in the file is right.
   */
  channels?: readonly string[];
}

/**
 * What a scan needs of the editor queue (`EditorQueue` in src/outbox/editor-queue.ts): described here because the
 * outbox sits above sources (tests/architecture/layers.test.ts); the queue passed in satisfies it as it is.
 */
export interface AnnouncementQueue {
  add(input: unknown, opts: { where: string; id: string; images: { within: string } }): Promise<{ deliveries: ReadonlyArray<Pick<Delivery, 'id'>> }>;
  /** The announcement queued from `file` before it was saved again (see queueFile), until the file is marked. */
  supersededVersion(file: string): Promise<string | undefined>;
  setSupersededVersion(file: string, announcementId: string | undefined): Promise<void>;
  /** Cancels the announcement's deliveries that have not started going out; returns their ids. */
  withdraw(announcementId: string, reason: string): Promise<string[]>;
}

type Outcome = ({ kind: 'queued' } & QueuedFile) | ({ kind: 'skipped' } & SkippedFile) | ({ kind: 'failed' } & FailedFile);

/** Something the editor can fix in the file; `line` is 1-based in the file, `field` names what is wrong. */
interface Problem {
  line: number;
  field: string;
  detail: string;
}

/** Everything found wrong with a file, in line order: the editor fixes them all in one save, not one per round. */
class FileProblem extends Error {
  readonly problems: Problem[];

  constructor(first: Problem, ...more: Problem[]) {
    super(first.detail);
    this.name = 'FileProblem';
    this.problems = [first, ...more].sort((a, b) => a.line - b.line);
  }
}

const problem = (line: number, field: string, detail: string): FileProblem => new FileProblem({ line, field, detail });

/** A file split into what `EditorQueue.add` takes and where each part sits in the file. */
interface ParsedFile {
  input: Record<string, unknown>;
  /** What is wrong in the front matter that still left the rest readable. */
  problems: Problem[];
  /** The 1-based line where a field is written (or where writing it would fix the problem). */
  lineOf(field: string): number;
}

/** A file in the folder as first seen in this scan. */
interface Candidate {
  name: string;
  file: string;
  where: string;
  look: Stats;
}

/**
 * Queues every new or changed `*.md` directly in `folder`, in name order, so `01-…` goes before `02-…`.
 * One bad file never blocks the others; a missing folder is a problem in the report, not a throw.
 *
 * A file still being written (an upload, a slow copy) must not be queued half-way. A file is read only once
 * it has stayed unchanged (same inode, size, mtime and ctime) for `settleMs`: either its last change is
 * already that old when the scan first looks (ctime is set by the kernel on every write and every touch, so it
 * cannot be faked into the past), or the scan waits `settleMs` once, for all such files together, and looks
 * again. The second look is the fstat of the opened file, and the read must leave it unchanged too. A file
 * that changed is skipped without an `.error`, for the next scan. This needs no memory between scans, so
 * `once` (a single scan) queues a freshly dropped file as `run` does, at the cost of one short wait in a
 * scan that finds a fresh file.
 */
export async function scanEditorFolder(folder: string, queue: AnnouncementQueue, log: Logger, opts: ScanOptions = {}): Promise<EditorFolderReport> {
  const settleMs = opts.settleMs ?? DEFAULT_SETTLE_MS;
  const report: EditorFolderReport = { folder, queued: [], skipped: [], failed: [], problems: [] };
  const listing = await listAnnouncementFiles(folder);
  if (typeof listing === 'string') {
    report.problems.push(listing);
    log.warn({ folder }, listing);
    return report;
  }
  const candidates: Candidate[] = [];
  let unsettled = false;
  for (const name of listing.names) {
    const first = await firstLook(folder, name, log);
    if (first === undefined) continue;
    if ('kind' in first) {
      addToReport(report, first);
      continue;
    }
    candidates.push(first);
    if (Date.now() - lastChangeMs(first.look) < settleMs) unsettled = true;
  }
  if (unsettled) await (opts.wait ?? sleep)(settleMs);
  // One at a time, in order: the queue order is the file order.
  for (const candidate of candidates) {
    const outcome = await processFile(listing.realFolder, folder, candidate, { queue, channels: opts.channels }, log);
    if (outcome) addToReport(report, outcome);
  }
  return report;
}

function addToReport(report: EditorFolderReport, outcome: Outcome): void {
  if (outcome.kind === 'queued') {
    const { kind: _, ...entry } = outcome;
    report.queued.push(entry);
  } else if (outcome.kind === 'skipped') {
    const { kind: _, ...entry } = outcome;
    report.skipped.push(entry);
  } else {
    const { kind: _, ...entry } = outcome;
    report.failed.push(entry);
  }
}

/** Names of the candidate files, sorted, and the folder's real path; or a problem with the folder itself. */
async function listAnnouncementFiles(folder: string): Promise<{ names: string[]; realFolder: string } | string> {
  let entries: Dirent[];
  let realFolder: string;
  try {
    if (!(await stat(folder)).isDirectory()) return `editor folder ${folder}: not a folder`;
    realFolder = await realpath(folder);
    entries = await readdir(folder, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `editor folder ${folder}: no such folder` : `editor folder ${folder}: ${describeError(err)}`;
  }
  // Dotfiles are editors' swap and lock files, never announcements. Folders are not looked into; anything else
  // named *.md (a link, a pipe) is looked at, to be refused with a reason beside it.
  const names = entries
    .filter((e) => !e.isDirectory() && e.name.endsWith('.md') && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  return { names, realFolder };
}

/** The file as first seen, or why it is not read (an outcome), or undefined when there is nothing to do. */
async function firstLook(folder: string, name: string, log: Logger): Promise<Candidate | Outcome | undefined> {
  const file = path.join(folder, name);
  // Messages name the file as the editor would type it from where threadcast runs.
  const where = path.relative(process.cwd(), file) || file;
  let look: Stats;
  try {
    // lstat: a link is refused for what it is, never followed.
    look = await lstat(file);
  } catch (err) {
    // Moved away by the editor since the listing: nothing to do with it.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return reportBadFile(file, where, undefined, problem(1, 'file', `cannot read it: ${describeError(err)}`), log);
  }
  if (look.isDirectory()) return undefined;
  if (await errorIsCurrent(file, look)) {
    log.debug({ file: where }, 'skipping a bad announcement file until it is saved again');
    return { kind: 'skipped', file: where, reason: 'unchanged-since-error' };
  }
  if (look.isFile() && look.nlink > 1 && (await finishInterruptedMove(file, '.queued', look))) {
    log.info({ file: where }, 'announcement file was already queued; marked it');
    return { kind: 'skipped', file: where, reason: 'already-queued' };
  }
  try {
    checkRegularFile(look, MAX_ANNOUNCEMENT_FILE_BYTES);
  } catch (err) {
    if (err instanceof RefusedFile) return reportBadFile(file, where, look, refusalProblem(err), log);
    throw err;
  }
  return { name, file, where, look };
}

function refusalProblem(refusal: RefusedFile): FileProblem {
  const detail = refusal.reason === 'too-large' ? `${refusal.message} (1 MiB); an announcement is at most 20,000 characters` : refusal.message;
  return problem(1, 'file', detail);
}

/** Where a file goes: the queue, and the channel ids it may name (when the scan was given them). */
interface Destination {
  queue: AnnouncementQueue;
  channels: readonly string[] | undefined;
}

/** Queues one file, or explains why not; undefined for a file that went away. */
async function processFile(realFolder: string, folder: string, candidate: Candidate, to: Destination, log: Logger): Promise<Outcome | undefined> {
  const { name, file, where, look } = candidate;
  let bytes: Buffer;
  try {
    bytes = await readFileInside(realFolder, folder, name, look, MAX_ANNOUNCEMENT_FILE_BYTES);
  } catch (err) {
    if (err instanceof RefusedFile && err.reason === 'changed') {
      log.info({ file: where }, 'announcement file is still being written; the next scan tries again');
      return { kind: 'skipped', file: where, reason: 'still-being-written' };
    }
    if (err instanceof RefusedFile) return reportBadFile(file, where, look, refusalProblem(err), log);
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return reportBadFile(file, where, look, problem(1, 'file', `cannot read it: ${describeError(err)}`), log);
  }
  try {
    return await queueFile(file, name, where, look, bytes, to, log);
  } catch (err) {
    if (err instanceof FileProblem) return reportBadFile(file, where, look, err, log);
    // Not the file's fault (the store failed, no channel is configured): write no .error, so the next
    // scan tries again without the editor having to touch the file.
    const message = describeError(err);
    log.error({ file: where, err }, `announcement file not queued: ${message}`);
    return { kind: 'failed', file: where, message };
  }
}

/** True while the file's `.error` is at least as new as the file: the editor has not saved it since. */
async function errorIsCurrent(file: string, look: Stats): Promise<boolean> {
  // Only an .error we could have written counts: a link planted under that name is not followed.
  const error = await lstat(`${file}.error`).catch(() => undefined);
  if (error === undefined || !error.isFile()) return false;
  // ctime too: a fixed file copied in with its old mtime kept (rsync -t, cp -p) changed here all the same. The kernel
  // keeps ctime in coarse ticks of a few milliseconds: a change ahead of the clock in the .error's own tick counts as
  // later, so that file is read once more rather than left unread.
  return mtimeInFuture(look) ? error.mtimeMs > look.ctimeMs : error.mtimeMs >= lastChangeMs(look);
}

/**
 * A modification time in the future (the file saved or synced on a machine whose clock is ahead, or set by hand)
 * says nothing of when the file changed here; its ctime, which the kernel sets to its own time on every change, does.
 * Trusted, such a file held every scan for `settleMs` and, once refused, was read and refused again on every scan
 * until the clock caught up.
 */
function mtimeInFuture(look: Stats): boolean {
  return look.mtimeMs > Date.now();
}

/** Its last change of any kind: ctime, which a write or a touch always moves, or a later mtime that is not ahead. */
function lastChangeMs(look: Stats): number {
  return mtimeInFuture(look) ? look.ctimeMs : Math.max(look.ctimeMs, look.mtimeMs);
}

async function queueFile(file: string, name: string, where: string, look: Stats, bytes: Buffer, to: Destination, log: Logger): Promise<Outcome> {
  const parsed = parseAnnouncementFile(decodeUtf8(bytes));
  const problems = [...parsed.problems, ...fieldProblems(parsed), ...channelProblems(parsed, to.channels), ...(await imageProblems(parsed, path.dirname(file)))];
  if (problems.length > 0) throw new FileProblem(problems[0]!, ...problems.slice(1));
  // Stable for the file's name and content: queued again after a crash, it maps to the same deliveries.
  const id = `f-${createHash('sha256').update(name).update('\0').update(bytes).digest('hex').slice(0, 16)}`;
  const queued = await addOrExplain(to.queue, parsed, { where, imagesWithin: path.dirname(file), id });
  // A version queued by an earlier scan just before the file was saved again: this one replaces it. Decided here,
  // not then: a save back to that version's very text (same id) replaces nothing.
  const earlier = await to.queue.supersededVersion(file);
  if (earlier !== undefined && earlier !== id) {
    const withdrawn = await to.queue.withdraw(earlier, `replaced by a later save of ${where}`);
    log.info({ file: where, announcementId: earlier, deliveries: withdrawn }, 'cancelled the version queued before the file was saved again');
  }
  if (!(await markQueued(file, where, look, bytes, log))) {
    await to.queue.setSupersededVersion(file, id);
    return { kind: 'skipped', file: where, reason: 'saved-while-queued', announcementId: id };
  }
  if (earlier !== undefined) await to.queue.setSupersededVersion(file, undefined);
  const deliveryIds = queued.deliveries.map((d) => d.id);
  if (deliveryIds.length === 0) {
    log.info({ file: where, announcementId: id }, 'announcement file was already queued; marked it');
    return { kind: 'skipped', file: where, reason: 'already-queued', announcementId: id };
  }
  log.info({ file: where, announcementId: id, deliveries: deliveryIds }, 'queued announcement file');
  return { kind: 'queued', file: where, announcementId: id, deliveryIds };
}

function decodeUtf8(bytes: Buffer): string {
  try {
    // A leading BOM (some Windows editors add one) would hide the opening `---`.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw problem(1, 'file', 'not UTF-8 text; save it as UTF-8');
  }
}

/** `queue.add`, with a field error turned into a problem at that field's line in the file. */
async function addOrExplain(
  queue: AnnouncementQueue,
  parsed: ParsedFile,
  opts: { where: string; imagesWithin: string; id: string },
): ReturnType<AnnouncementQueue['add']> {
  try {
    return await queue.add(parsed.input, { where: opts.where, id: opts.id, images: { within: opts.imagesWithin } });
  } catch (err) {
    // Only what the file got wrong is the file's problem: a full uploads folder is not, and the next scan tries again.
    if (!(err instanceof EditorError) || err.kind !== 'input' || err.field === undefined) throw err;
    throw problem(parsed.lineOf(err.field), err.field, err.detail ?? err.message);
  }
}

/**
 * Every field the request schema refuses, each at its line. The queue stops at the first; this says them all.
 * Zod checks a rule across fields (an image needs alt text) only once each field is valid, so the fields that
 * passed are checked again on their own (with a stand-in for a refused text, which the rule does not read).
 */
function fieldProblems(parsed: ParsedFile): Problem[] {
  const first = AnnouncementRequestSchema.safeParse(parsed.input);
  if (first.success) return [];
  const faulty = new Set(first.error.issues.flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys : [String(i.path[0] ?? '')])));
  const rest: Record<string, unknown> = Object.fromEntries(Object.entries(parsed.input).filter(([key]) => !faulty.has(key)));
  if (faulty.has('text')) rest.text = 'text';
  const second = AnnouncementRequestSchema.safeParse(rest);
  const across = second.success ? [] : second.error.issues.filter((i) => !faulty.has(String(i.path[0] ?? '')));
  return [...first.error.issues, ...across].flatMap((issue): Problem[] => {
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ line: parsed.lineOf(key), field: key, detail: `unknown field "${key}"` }));
    const field = issue.path.join('.') || 'front matter';
    return [{ line: parsed.lineOf(field), field, detail: issue.message }];
  });
}

/**
 * Channels the file names that are not configured, said as the queue would say them. No channel configured at
 * all is not the file's fault: the queue reports that, without an `.error`.
 */
function channelProblems(parsed: ParsedFile, configured: readonly string[] | undefined): Problem[] {
  const named = parsed.input.channels;
  if (configured === undefined || configured.length === 0 || !Array.isArray(named)) return [];
  const unknown = named.filter((c): c is string => typeof c === 'string' && !configured.includes(c));
  if (unknown.length === 0) return [];
  return [{ line: parsed.lineOf('channels'), field: 'channels', detail: unknownChannels(unknown, configured) }];
}

/**
 * The image named, looked for as the queue will look (inside the folder, a regular file): said with the other
 * problems. Its size is left to the queue, which reports it once all else is right.
 */
async function imageProblems(parsed: ParsedFile, folder: string): Promise<Problem[]> {
  const image = parsed.input.image;
  if (typeof image !== 'string' || image === '') return [];
  try {
    await resolveInside(folder, image, Number.MAX_SAFE_INTEGER);
    return [];
  } catch (err) {
    if (!(err instanceof RefusedFile)) throw err;
    const detail = err.reason === 'missing' || err.reason === 'absolute' || err.reason === 'outside' ? err.message : `${image} ${err.message}`;
    return [{ line: parsed.lineOf('image'), field: 'image', detail }];
  }
}

/** Splits optional YAML front matter (between a first `---` line and the next) from the body text. */
function parseAnnouncementFile(text: string): ParsedFile {
  const lines = text.split(/\r?\n/);
  if (!FENCE.test(lines[0] ?? '')) return withBody({}, () => undefined, lines, 0, []);
  const close = lines.findIndex((l, i) => i > 0 && FENCE.test(l));
  if (close < 0) throw problem(1, 'front matter', 'the front matter starts with --- but no later line is ---; close it with a --- line');
  const { values, keyLine, problems } = parseFrontMatter(lines.slice(1, close).join('\n'));
  return withBody(values, keyLine, lines, close + 1, problems);
}

/** The front matter's values (channels normalised to a list) and the file line of each key. */
function parseFrontMatter(yamlText: string): { values: Record<string, unknown>; keyLine: (key: string) => number | undefined; problems: Problem[] } {
  const lineCounter = new LineCounter();
  // The core schema keeps an unquoted `at: 2026-12-01T09:00:00+01:00` a string (YAML 1.1 would make it a Date).
  const doc = parseDocument(yamlText, { schema: 'core', lineCounter, prettyErrors: false, uniqueKeys: true });
  // Front matter starts on the file's second line.
  const fileLine = (offset: number) => lineCounter.linePos(offset).line + 1;
  // Past a syntax error the values cannot be trusted: the YAML errors are all there is to say.
  const [firstError, ...moreErrors] = doc.errors.map((e) => ({ line: fileLine(e.pos[0]), field: 'front matter', detail: `YAML: ${e.message.split('\n')[0]}` }));
  if (firstError) throw new FileProblem(firstError, ...moreErrors);
  const values: unknown = doc.toJS() ?? {};
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw problem(2, 'front matter', `write the front matter as "key: value" lines (${FRONT_MATTER_KEYS.join(', ')})`);
  }
  const lineOfKey = (key: string) => {
    const offset = keyOffset(doc, key);
    return offset === undefined ? undefined : fileLine(offset);
  };
  const { text, ...record } = values as Record<string, unknown>;
  const problems = text === undefined ? [] : [{ line: lineOfKey('text') ?? 2, field: 'text', detail: 'the text is the body below the front matter, not a front matter key' }];
  return { values: withChannelList(record), keyLine: lineOfKey, problems };
}

function keyOffset(doc: Document, key: string): number | undefined {
  if (!isMap(doc.contents)) return undefined;
  const pair = doc.contents.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
  return pair && isScalar(pair.key) ? pair.key.range?.[0] : undefined;
}

/** `channels: bsky, x` is as good as a YAML list: editors write whichever comes to mind. */
function withChannelList(values: Record<string, unknown>): Record<string, unknown> {
  const channels = values.channels;
  if (typeof channels !== 'string') return values;
  return { ...values, channels: channels.split(',').map((c) => c.trim()).filter((c) => c !== '') };
}

function withBody(values: Record<string, unknown>, keyLine: (key: string) => number | undefined, lines: string[], bodyStart: number, problems: Problem[]): ParsedFile {
  const body = lines.slice(bodyStart).join('\n').trim();
  const firstText = lines.findIndex((l, i) => i >= bodyStart && l.trim() !== '');
  const bodyLine = (firstText < 0 ? bodyStart : firstText) + 1;
  const fenceLine = bodyStart > 0 ? 1 : bodyLine;
  return {
    input: { text: body, ...values },
    problems,
    // A missing alt is fixed next to the image it describes; other missing keys go in the front matter.
    lineOf: (field) => {
      const key = field.split('.')[0]!;
      if (key === 'text') return bodyLine;
      return keyLine(key) ?? (key === 'alt' ? keyLine('image') : undefined) ?? fenceLine;
    },
  };
}

/**
 * A crash leaves `name.md` (queued again, deduplicated by id), or `name.md` and its marker as one file with two
 * names (finished by the next scan's `finishInterruptedMove`), or the marker. An earlier marker of the same
 * name is kept: the new one takes the next free name.
 */
async function markQueued(file: string, where: string, look: Stats, bytes: Buffer, log: Logger): Promise<boolean> {
  const marker = await moveToFreeName(file, '.queued', look, bytes);
  if (marker === undefined) {
    log.info({ file: where }, 'announcement file was saved again while it was queued; the next scan queues the new version in its place');
    return false;
  }
  // Queued all the same: a stale .error left behind only shows an old problem.
  await removeEntry(`${file}.error`).catch((err) => log.warn({ file: where, err }, `could not remove ${file}.error: ${describeError(err)}`));
  return true;
}

/** Writes the problem beside the file, where the editor looks; `look` is the file as it was read. */
async function reportBadFile(file: string, where: string, look: Stats | undefined, found: FileProblem, log: Logger): Promise<Outcome> {
  const lines = found.problems.map((p) => `${where}:${p.line}: ${p.field}: ${p.detail}`);
  const message = lines.join('\n');
  const errorFile = `${file}.error`;
  found.problems.forEach((p, i) => log.warn({ file: where, line: p.line, field: p.field }, `announcement file not queued: ${lines[i]}`));
  try {
    await replaceFile(errorFile, `${message}\n${hintFor(where, lines.length)}\n`);
  } catch (err) {
    log.error({ file: where, err }, `could not write ${errorFile}: ${describeError(err)}`);
    return { kind: 'failed', file: where, message };
  }
  // Saved again while we worked: drop the .error, or it would hide the new version until the next save.
  if (look && (await savedSince(file, look))) {
    await removeEntry(errorFile);
    return { kind: 'failed', file: where, message };
  }
  return { kind: 'failed', file: where, message, errorFile };
}

async function savedSince(file: string, look: Stats): Promise<boolean> {
  const now = await lstat(file).catch(() => look);
  return now.mtimeMs !== look.mtimeMs;
}

function hintFor(where: string, count: number): string {
  return (
    `To fix ${count === 1 ? 'it' : `these ${count} problems`}, edit ${where} (front matter keys between two --- lines: ${FRONT_MATTER_KEYS.join(', ')}; ` +
    'the announcement text below them) and save it: the next scan retries it. Until then it is skipped.'
  );
}
