import { createHash } from 'node:crypto';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { Dirent, Stats } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { describeError, EditorError } from '../core/errors.js';
import type { EditorQueue } from '../outbox/editor-queue.js';

/**
 * Announcements dropped as Markdown files into `editor.folder`: each `*.md` is queued once, then renamed
 * to `*.md.queued`; a file that cannot be queued gets its reason beside it in `*.md.error`.
 */

/** Far more than any announcement (at most 20,000 characters) with its front matter: anything bigger is a mistake. */
export const MAX_ANNOUNCEMENT_FILE_BYTES = 1024 * 1024;

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
 * for the editor to save it again.
 */
export interface SkippedFile {
  file: string;
  reason: 'already-queued' | 'unchanged-since-error';
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

type Outcome = ({ kind: 'queued' } & QueuedFile) | ({ kind: 'skipped' } & SkippedFile) | ({ kind: 'failed' } & FailedFile);

/** Something the editor can fix in the file; `line` is 1-based in the file, `field` names what is wrong. */
class FileProblem extends Error {
  constructor(
    readonly line: number,
    readonly field: string,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'FileProblem';
  }
}

/** A file split into what `EditorQueue.add` takes and where each part sits in the file. */
interface ParsedFile {
  input: Record<string, unknown>;
  /** The 1-based line where a field is written (or where writing it would fix the problem). */
  lineOf(field: string): number;
}

/**
 * Queues every new or changed `*.md` directly in `folder`, in name order, so `01-…` goes before `02-…`.
 * One bad file never blocks the others; a missing folder is a problem in the report, not a throw.
 */
export async function scanEditorFolder(folder: string, queue: Pick<EditorQueue, 'add'>, log: Logger): Promise<EditorFolderReport> {
  const report: EditorFolderReport = { folder, queued: [], skipped: [], failed: [], problems: [] };
  const names = await listAnnouncementFiles(folder);
  if (typeof names === 'string') {
    report.problems.push(names);
    log.warn({ folder }, names);
    return report;
  }
  // One at a time, in order: the queue order is the file order.
  for (const name of names) {
    const outcome = await processFile(folder, name, queue, log);
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

/** Names of the candidate files, sorted; or a problem with the folder itself. */
async function listAnnouncementFiles(folder: string): Promise<string[] | string> {
  let entries: Dirent[];
  try {
    if (!(await stat(folder)).isDirectory()) return `editor folder ${folder}: not a folder`;
    entries = await readdir(folder, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `editor folder ${folder}: no such folder` : `editor folder ${folder}: ${describeError(err)}`;
  }
  // Dotfiles are editors' swap and lock files, never announcements. Symlinks are checked when read.
  return entries
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && e.name.endsWith('.md') && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
}

/** Queues one file, or explains why not; undefined for names that turn out not to be files. */
async function processFile(folder: string, name: string, queue: Pick<EditorQueue, 'add'>, log: Logger): Promise<Outcome | undefined> {
  const file = path.join(folder, name);
  // Messages name the file as the editor would type it from where threadcast runs.
  const where = path.relative(process.cwd(), file) || file;
  let info: Stats;
  try {
    info = await stat(file);
  } catch (err) {
    // Moved away by the editor since the listing: nothing to do with it.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return reportBadFile(file, where, undefined, new FileProblem(1, 'file', `cannot read it: ${describeError(err)}`), log);
  }
  if (!info.isFile()) return undefined;
  if (await errorIsCurrent(file, info)) {
    log.debug({ file: where }, 'skipping a bad announcement file until it is saved again');
    return { kind: 'skipped', file: where, reason: 'unchanged-since-error' };
  }
  try {
    return await queueFile(file, name, where, info, queue, log);
  } catch (err) {
    if (err instanceof FileProblem) return reportBadFile(file, where, info, err, log);
    // Not the file's fault (the store failed, no channel is configured): write no .error, so the next
    // scan tries again without the editor having to touch the file.
    const message = describeError(err);
    log.error({ file: where, err }, `announcement file not queued: ${message}`);
    return { kind: 'failed', file: where, message };
  }
}

/** True while the file's `.error` is at least as new as the file: the editor has not saved it since. */
async function errorIsCurrent(file: string, info: Stats): Promise<boolean> {
  try {
    return (await stat(`${file}.error`)).mtimeMs >= info.mtimeMs;
  } catch {
    return false;
  }
}

async function queueFile(file: string, name: string, where: string, info: Stats, queue: Pick<EditorQueue, 'add'>, log: Logger): Promise<Outcome> {
  if (info.size > MAX_ANNOUNCEMENT_FILE_BYTES) {
    throw new FileProblem(1, 'file', `${info.size} bytes is larger than ${MAX_ANNOUNCEMENT_FILE_BYTES} (1 MiB); an announcement is at most 20,000 characters`);
  }
  const bytes = await readBytes(file);
  const parsed = parseAnnouncementFile(decodeUtf8(bytes));
  // Stable for the file's name and content: queued again after a crash, it maps to the same deliveries.
  const id = `f-${createHash('sha256').update(name).update('\0').update(bytes).digest('hex').slice(0, 16)}`;
  const queued = await addOrExplain(queue, parsed, { where, baseDir: path.dirname(file), id });
  await markQueued(file);
  const deliveryIds = queued.deliveries.map((d) => d.id);
  if (deliveryIds.length === 0) {
    log.info({ file: where, announcementId: id }, 'announcement file was already queued; marked it');
    return { kind: 'skipped', file: where, reason: 'already-queued', announcementId: id };
  }
  log.info({ file: where, announcementId: id, deliveries: deliveryIds }, 'queued announcement file');
  return { kind: 'queued', file: where, announcementId: id, deliveryIds };
}

async function readBytes(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new FileProblem(1, 'file', `cannot read it: ${describeError(err)}`);
  }
}

function decodeUtf8(bytes: Buffer): string {
  try {
    // A leading BOM (some Windows editors add one) would hide the opening `---`.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new FileProblem(1, 'file', 'not UTF-8 text; save it as UTF-8');
  }
}

/** `queue.add`, with a field error turned into a problem at that field's line in the file. */
async function addOrExplain(
  queue: Pick<EditorQueue, 'add'>,
  parsed: ParsedFile,
  opts: { where: string; baseDir: string; id: string },
): ReturnType<EditorQueue['add']> {
  try {
    return await queue.add(parsed.input, opts);
  } catch (err) {
    if (!(err instanceof EditorError) || err.field === undefined) throw err;
    throw new FileProblem(parsed.lineOf(err.field), err.field, withoutPrefixes(err.message, [`${opts.where}: `, `${err.field}: `]));
  }
}

/** EditorError messages start with the place and the field; the .error line puts those in its own format. */
function withoutPrefixes(message: string, prefixes: string[]): string {
  return prefixes.reduce((m, p) => (m.startsWith(p) ? m.slice(p.length) : m), message);
}

/** Splits optional YAML front matter (between a first `---` line and the next) from the body text. */
function parseAnnouncementFile(text: string): ParsedFile {
  const lines = text.split(/\r?\n/);
  if (!FENCE.test(lines[0] ?? '')) return withBody({}, () => undefined, lines, 0);
  const close = lines.findIndex((l, i) => i > 0 && FENCE.test(l));
  if (close < 0) throw new FileProblem(1, 'front matter', 'the front matter starts with --- but no later line is ---; close it with a --- line');
  const { values, keyLine } = parseFrontMatter(lines.slice(1, close).join('\n'));
  return withBody(values, keyLine, lines, close + 1);
}

/** The front matter's values (channels normalised to a list) and the file line of each key. */
function parseFrontMatter(yamlText: string): { values: Record<string, unknown>; keyLine: (key: string) => number | undefined } {
  const lineCounter = new LineCounter();
  // The core schema keeps an unquoted `at: 2026-12-01T09:00:00+01:00` a string (YAML 1.1 would make it a Date).
  const doc = parseDocument(yamlText, { schema: 'core', lineCounter, prettyErrors: false, uniqueKeys: true });
  // Front matter starts on the file's second line.
  const fileLine = (offset: number) => lineCounter.linePos(offset).line + 1;
  const error = doc.errors[0];
  if (error) throw new FileProblem(fileLine(error.pos[0]), 'front matter', `YAML: ${error.message.split('\n')[0]}`);
  const values: unknown = doc.toJS() ?? {};
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new FileProblem(2, 'front matter', `write the front matter as "key: value" lines (${FRONT_MATTER_KEYS.join(', ')})`);
  }
  const lineOfKey = (key: string) => {
    const offset = keyOffset(doc, key);
    return offset === undefined ? undefined : fileLine(offset);
  };
  const record = values as Record<string, unknown>;
  if ('text' in record) throw new FileProblem(lineOfKey('text') ?? 2, 'text', 'the text is the body below the front matter, not a front matter key');
  return { values: withChannelList(record), keyLine: lineOfKey };
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

function withBody(values: Record<string, unknown>, keyLine: (key: string) => number | undefined, lines: string[], bodyStart: number): ParsedFile {
  const body = lines.slice(bodyStart).join('\n').trim();
  const firstText = lines.findIndex((l, i) => i >= bodyStart && l.trim() !== '');
  const bodyLine = (firstText < 0 ? bodyStart : firstText) + 1;
  const fenceLine = bodyStart > 0 ? 1 : bodyLine;
  return {
    input: { text: body, ...values },
    // A missing alt is fixed next to the image it describes; other missing keys go in the front matter.
    lineOf: (field) => {
      const key = field.split('.')[0]!;
      if (key === 'text') return bodyLine;
      return keyLine(key) ?? (key === 'alt' ? keyLine('image') : undefined) ?? fenceLine;
    },
  };
}

/** Atomic: a crash leaves either `name.md` (queued again, deduplicated by id) or `name.md.queued`. */
async function markQueued(file: string): Promise<void> {
  await rename(file, `${file}.queued`);
  await rm(`${file}.error`, { force: true });
}

/** Writes the problem beside the file, where the editor looks; `info` is the file as it was read. */
async function reportBadFile(file: string, where: string, info: Stats | undefined, problem: FileProblem, log: Logger): Promise<Outcome> {
  const message = `${where}:${problem.line}: ${problem.field}: ${problem.detail}`;
  const errorFile = `${file}.error`;
  log.warn({ file: where, line: problem.line, field: problem.field }, `announcement file not queued: ${message}`);
  try {
    await writeFile(errorFile, `${message}\n${hintFor(where)}\n`);
  } catch (err) {
    log.error({ file: where, err }, `could not write ${errorFile}: ${describeError(err)}`);
    return { kind: 'failed', file: where, message };
  }
  // Saved again while we worked: drop the .error, or it would hide the new version until the next save.
  if (info && (await savedSince(file, info))) {
    await rm(errorFile, { force: true });
    return { kind: 'failed', file: where, message };
  }
  return { kind: 'failed', file: where, message, errorFile };
}

async function savedSince(file: string, info: Stats): Promise<boolean> {
  const now = await stat(file).catch(() => info);
  return now.mtimeMs !== info.mtimeMs;
}

function hintFor(where: string): string {
  return (
    `To fix it, edit ${where} (front matter keys between two --- lines: ${FRONT_MATTER_KEYS.join(', ')}; ` +
    'the announcement text below them) and save it: the next scan retries it. Until then it is skipped.'
  );
}
