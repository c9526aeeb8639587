import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstat, mkdir, open, readdir, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import { EditorError } from '../core/errors.js';

/** The largest image an editor may upload; the publisher scales it down to each platform's own limit. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/** Image formats taken, told by their first bytes (never by the name or the type the browser claims). */
const SIGNATURES: Array<{ ext: string; type: string; matches: (b: Buffer) => boolean }> = [
  { ext: 'png', type: 'image/png', matches: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { ext: 'jpg', type: 'image/jpeg', matches: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { ext: 'gif', type: 'image/gif', matches: (b) => b.subarray(0, 6).toString('latin1') === 'GIF87a' || b.subarray(0, 6).toString('latin1') === 'GIF89a' },
  { ext: 'webp', type: 'image/webp', matches: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
];

/** Uploads the API takes at once: each holds up to MAX_UPLOAD_BYTES in memory until it is written. */
export const MAX_UPLOADS_IN_FLIGHT = 4;

/** An upload's id is the file name the server gave it: 32 hex digits and the extension of its real format. */
export const UPLOAD_ID = /^[0-9a-f]{32}\.(png|jpg|gif|webp)$/;

/**
 * Where uploaded images live: an `uploads` folder beside the SQLite file, or `data/uploads` under the working
 * directory for an in-memory or Redis store. Only Threadcast names files in it: the API's uploads, and the copies
 * of images named in drop files (src/outbox/editor-queue.ts).
 */
export function uploadsDir(config: Pick<Config, 'store'>): string {
  const file = config.store.startsWith('sqlite:') ? config.store.slice('sqlite:'.length) : '';
  const base = file && file !== ':memory:' ? path.dirname(path.resolve(file)) : path.resolve('data');
  return path.join(base, 'uploads');
}

export interface StoredUpload {
  id: string;
  type: string;
  bytes: number;
}

/** Whether the bytes are an image of a format taken, told by its first bytes. */
export function isTakenImage(data: Buffer): boolean {
  return SIGNATURES.some((s) => s.matches(data));
}

/** The most bytes the uploads folder may hold, from `editor.uploadsMaxMiB`. */
export function uploadsLimit(config: Pick<Config, 'editor'>): number {
  return config.editor.uploadsMaxMiB * 1024 * 1024;
}

/**
 * The server's own files in the uploads folder (none when there is no folder yet): regular files with a name it
 * gave. A link, a folder or any other file there is never counted, nor touched.
 */
async function ownUploads(dir: string): Promise<Array<{ name: string; file: string; stat: Stats }>> {
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  const found: Array<{ name: string; file: string; stat: Stats }> = [];
  for (const name of names.filter((n) => UPLOAD_ID.test(n))) {
    const file = path.join(dir, name);
    const stat = await lstat(file).catch(() => undefined);
    if (stat?.isFile()) found.push({ name, file, stat });
  }
  return found;
}

/** The bytes of the server's own files in the uploads folder. */
export async function uploadsBytes(dir: string): Promise<number> {
  return (await ownUploads(dir)).reduce((total, { stat }) => total + stat.size, 0);
}

/**
 * Checks the bytes are an image of a format taken, and keeps them under a new random name, while the folder stays
 * within `maxTotalBytes`: editors cannot fill the disk, one upload after another. `field` names the image in the
 * refusal as the door names it (a drop file's `news/x.md:4: image`).
 */
export async function storeUpload(dir: string, data: Buffer, maxTotalBytes: number, field = 'image'): Promise<StoredUpload> {
  const format = SIGNATURES.find((s) => s.matches(data));
  if (!format) throw new EditorError('input', `${field}: not a PNG, JPEG, GIF or WebP image`, 'image', 'not a PNG, JPEG, GIF or WebP image');
  const used = await uploadsBytes(dir);
  if (used + data.length > maxTotalBytes) {
    const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
    throw new EditorError(
      'full',
      `${field}: the uploads folder holds ${mib(used)} MiB and may hold ${mib(maxTotalBytes)} (editor.uploadsMaxMiB); images no delivery names go after a week, or the operator can remove old ones`,
      'image',
    );
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const id = `${randomBytes(16).toString('hex')}.${format.ext}`;
  // 'wx': a name that exists is never overwritten (and never followed if it is a link).
  await writeFile(path.join(dir, id), data, { flag: 'wx', mode: 0o600 });
  return { id, type: format.type, bytes: data.length };
}

/** The bytes of upload `id`; `id` must be one the server gave (UPLOAD_ID), so it never names another file. */
export async function readUpload(dir: string, id: string): Promise<Buffer> {
  if (!UPLOAD_ID.test(id)) throw new EditorError('not-found', `no uploaded image ${id}`);
  const handle = await open(path.join(dir, id), 'r').catch(() => {
    throw new EditorError('not-found', `no uploaded image ${id}`);
  });
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/**
 * How long an upload may go unnamed by any delivery before it is taken for abandoned: an image uploaded for a draft
 * that was never queued, or the copy of a drop file's image that a crash left beside the one queued. A week, so a
 * draft the page keeps (with its image) across a few days still finds its image.
 */
export const ABANDONED_UPLOAD_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Removes the uploads no delivery names (`named`: file names, as UPLOAD_ID gives them) that are older than
 * ABANDONED_UPLOAD_MS, and returns their names (only the server's own files: see ownUploads). An upload a delivery
 * names is kept whatever its age: the history shows it, and a failed delivery may be sent again.
 */
export async function removeAbandonedUploads(dir: string, named: ReadonlySet<string>, now: number): Promise<string[]> {
  const removed: string[] = [];
  for (const { name, file, stat } of await ownUploads(dir)) {
    if (named.has(name) || now - stat.mtimeMs < ABANDONED_UPLOAD_MS) continue;
    await unlink(file).then(
      () => removed.push(name),
      (err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      },
    );
  }
  return removed;
}
