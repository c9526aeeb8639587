import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { link, lstat, open, readlink, realpath, rename, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/**
 * Reading and writing files in a folder that people other than the operator fill (the editor drop folder):
 * only regular files that really live inside it are read, and nothing is ever written through a link.
 */

/** Why a file in the folder is not read: `changed` is no fault, it was being written and is tried again later. */
export type RefusalReason = 'absolute' | 'outside' | 'missing' | 'symlink' | 'not-regular' | 'hard-link' | 'too-large' | 'changed';

export class RefusedFile extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
    this.name = 'RefusedFile';
  }
}

// Where the platform has them (not Windows): O_NOFOLLOW makes open refuse a symlink swapped in after lstat,
// O_NONBLOCK keeps open from waiting for a writer if a FIFO was swapped in.
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** What a path is, when it is not a regular file, in words for the person who put it there. */
function whatItIs(info: Stats): string | undefined {
  if (info.isFile()) return undefined;
  if (info.isSymbolicLink()) return 'is a symbolic link';
  if (info.isDirectory()) return 'is a folder';
  if (info.isFIFO()) return 'is a named pipe (FIFO)';
  if (info.isSocket()) return 'is a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'is a device';
  return 'is not a regular file';
}

/** Refuses what the folder must not read: anything but a regular file, or a file with other names. */
export function checkRegularFile(info: Stats, maxBytes: number): void {
  const what = whatItIs(info);
  if (what) throw new RefusedFile(info.isSymbolicLink() ? 'symlink' : 'not-regular', `${what}: the drop folder reads only regular files`);
  // A hard link is a regular file inside the folder whose content lives elsewhere too: it may be a link to a
  // file outside that whoever made it cannot read (the kernel's protected_hardlinks usually stops that, but
  // not everywhere). An editor's file has one name; copy it in instead of linking it.
  if (info.nlink > 1) throw new RefusedFile('hard-link', `has ${info.nlink} hard links: the drop folder reads only files with a single name; copy the file in instead`);
  if (info.size > maxBytes) throw new RefusedFile('too-large', `is ${info.size} bytes, larger than ${maxBytes}`);
}

/** True when `child` is `parent` or below it; both absolute and already resolved. */
function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

/** Same file, same content as far as the file system tells: identity, size and both change times. */
function sameLook(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

/**
 * The bytes of `name` in the folder whose real path is `realFolder`, provided it is still the regular file
 * `look` (from lstat) saw: opened without following links, then checked on the handle itself (fstat), so
 * nothing swapped in between the check and the open is read. `changed` when it was written to meanwhile.
 */
export async function readFileInside(realFolder: string, folder: string, name: string, look: Stats, maxBytes: number): Promise<Buffer> {
  const file = path.join(folder, name);
  let real: string;
  try {
    real = await realpath(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new RefusedFile('changed', 'was moved away while it was read');
    throw err;
  }
  // Only a link swapped in since `look` leads elsewhere: the name comes from the folder's own listing.
  if (path.dirname(real) !== realFolder) throw new RefusedFile('outside', 'leads outside the drop folder: the drop folder reads only regular files inside it');
  let handle: FileHandle;
  try {
    handle = await open(file, READ_FLAGS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new RefusedFile('symlink', 'is a symbolic link: the drop folder reads only regular files');
    if (code === 'ENOENT') throw new RefusedFile('changed', 'was moved away while it was read');
    throw err;
  }
  return readAsSeen(handle, look, maxBytes);
}

/**
 * The bytes of an opened file, provided it is the regular file `look` saw (checked on the handle, before and after
 * reading); closes the handle. `changed` when it was written to meanwhile.
 */
async function readAsSeen(handle: FileHandle, look: Stats, maxBytes: number): Promise<Buffer> {
  try {
    const opened = await handle.stat();
    checkRegularFile(opened, maxBytes);
    if (!sameLook(opened, look)) throw new RefusedFile('changed', 'changed while it was read');
    // One byte more than its size shows a file that grew. Written to while we read, what we hold may be half
    // old, half new: either way it is read again on the next scan.
    const bytes = await readUpTo(handle, opened.size + 1);
    if (bytes.length !== opened.size || !sameLook(await handle.stat(), look)) throw new RefusedFile('changed', 'changed while it was read');
    return bytes;
  } finally {
    await handle.close();
  }
}

async function readUpTo(handle: FileHandle, limit: number): Promise<Buffer> {
  const buffer = Buffer.alloc(limit);
  let filled = 0;
  while (filled < limit) {
    const { bytesRead } = await handle.read(buffer, filled, limit - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

/**
 * A path an editor wrote in a file in `folder` (an image), resolved inside it: relative, not leading out,
 * a regular file with a single name, and its real path inside the folder's real path. Returns the real path,
 * so no link in between is followed later.
 *
 * The path is walked one name at a time, and a link on the way is read (never followed by the system) and walked
 * in its turn, so nothing outside the folder is ever looked at: a link to `/` in the folder must not let a drop
 * file ask whether `/root` is a folder or `/etc/x` exists (the refusal, written to `.error`, would say).
 */
export async function resolveInside(folder: string, given: string, maxBytes: number): Promise<string> {
  return (await walkInside(folder, given, maxBytes)).real;
}

/**
 * The bytes of the file `resolveInside` finds, read from the very file it checked: opened without following a
 * link and compared with what the walk saw (device, inode, size, times), so a folder on the way swapped for a link
 * between the walk and the open is refused rather than read through.
 */
export async function readInside(folder: string, given: string, maxBytes: number): Promise<Buffer> {
  const { real, look } = await walkInside(folder, given, maxBytes);
  let handle: FileHandle;
  try {
    handle = await open(real, READ_FLAGS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'ENOENT' || code === 'ENOTDIR') throw new RefusedFile('changed', 'changed while it was read');
    throw err;
  }
  return readAsSeen(handle, look, maxBytes);
}

/** resolveInside's walk: the real path and what lstat saw there. */
async function walkInside(folder: string, given: string, maxBytes: number): Promise<{ real: string; look: Stats }> {
  if (path.isAbsolute(given)) throw new RefusedFile('absolute', `${given} is an absolute path; name a file inside the drop folder, relative to it`);
  const realFolder = await realpath(folder);
  if (!isInside(realFolder, path.resolve(realFolder, given))) throw new RefusedFile('outside', `${given} leads outside the drop folder; name a file inside it`);
  const throughLink = () => new RefusedFile('outside', `${given} leads outside the drop folder through a linked folder; name a file inside it`);
  const pending = names(given);
  let current = realFolder;
  let links = 0;
  while (pending.length > 0) {
    const name = pending.shift()!;
    if (name === '..') {
      current = path.dirname(current);
      if (!isInside(realFolder, current)) throw throughLink();
      continue;
    }
    const next = path.join(current, name);
    let info: Stats;
    try {
      info = await lstat(next);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new RefusedFile('missing', `no such file ${given}`);
      throw err;
    }
    if (pending.length === 0) {
      checkRegularFile(info, maxBytes);
      return { real: next, look: info };
    }
    if (!info.isSymbolicLink()) {
      if (!info.isDirectory()) throw new RefusedFile('missing', `no such file ${given}`);
      current = next;
      continue;
    }
    // A linked folder on the way: walked by what it says, from where it is (an absolute target from the root).
    if (++links > MAX_LINKS) throw new RefusedFile('symlink', `${given} goes through more than ${MAX_LINKS} links (a loop?); name the file itself`);
    const target = await readlink(next);
    if (path.isAbsolute(target)) {
      const from = path.resolve(target);
      if (!isInside(realFolder, from)) throw throughLink();
      current = realFolder;
      pending.unshift(...names(path.relative(realFolder, from)));
    } else {
      pending.unshift(...names(target));
    }
  }
  // Only `.` and `..` were named: the folder itself, or one inside it.
  throw new RefusedFile('not-regular', `${given} is a folder: the drop folder reads only regular files`);
}

/** As many links as Linux follows in one path (its ELOOP limit). */
const MAX_LINKS = 40;

/** The names of a relative path, without empty ones and `.`. */
function names(relative: string): string[] {
  return relative.split(path.sep).filter((n) => n !== '' && n !== '.');
}

/**
 * Writes `text` to `file`, replacing what is there without ever writing through it: a fresh dotfile (created
 * exclusively, so not a link planted under that name) renamed over `file` (rename replaces a link, it never
 * follows one, and a hard-linked `file` keeps its other name's content).
 */
export async function replaceFile(file: string, text: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(temp, text, { flag: 'wx' });
  try {
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/** Removes the directory entry `file` (a link itself, never what it points to); quiet if absent or a folder. */
export async function removeEntry(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'EISDIR' && code !== 'EPERM') throw err;
  }
}

/** `file` + `suffix`, then `file.2` + `suffix`, `file.3` + `suffix`…: the names `moveToFreeName` tries, in order. */
function* namesFor(file: string, suffix: string): Generator<string> {
  yield `${file}${suffix}`;
  for (let n = 2; ; n++) yield `${file}.${n}${suffix}`;
}

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/**
 * Renames `file` to the first free name of `namesFor(file, suffix)`, never replacing anything there, and
 * returns that name; undefined when `file` is no longer the file `expected` (saved again meanwhile, replaced or
 * rewritten in place: it stays, to be read anew). A hard link fails on an existing name, so it claims the name
 * atomically; then the old name goes. On file systems without hard links, the name is checked free just before a
 * rename.
 */
export async function moveToFreeName(file: string, suffix: string, expected: Stats, expectedBytes: Buffer): Promise<string | undefined> {
  // The same file, unchanged: a save that writes into it in place (nano, `echo >`) keeps its inode but not, as a
  // rule, its modification time or size. Not ctime: the hard link below changes that. A rewrite that keeps both
  // (the same length, within the file system's time resolution) is told by its bytes.
  const same = async (name: string) => {
    const info = await lstat(name).catch(() => undefined);
    if (info === undefined || info.dev !== expected.dev || info.ino !== expected.ino || info.size !== expected.size || info.mtimeMs !== expected.mtimeMs) return false;
    return (await bytesOf(name, expectedBytes.length + 1))?.equals(expectedBytes) === true;
  };
  let linksWork = true;
  for (const target of namesFor(file, suffix)) {
    if (linksWork) {
      try {
        await link(file, target);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? '';
        if (code === 'EEXIST') continue;
        if (!NO_HARD_LINKS.has(code)) throw err;
        linksWork = false;
      }
      if (linksWork) {
        if (!(await same(target))) {
          await unlink(target);
          return undefined;
        }
        await unlink(file);
        return target;
      }
    }
    if (await lstat(target).then(() => true, () => false)) continue;
    if (!(await same(file))) return undefined;
    await rename(file, target);
    return target;
  }
  return undefined;
}

/** At most `max` bytes of a regular file, not followed if it is a link; undefined when it cannot be read. */
async function bytesOf(file: string, max: number): Promise<Buffer | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(file, READ_FLAGS);
  } catch {
    return undefined;
  }
  try {
    return await readUpTo(handle, max);
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

/**
 * After a crash between `moveToFreeName`'s link and unlink, `file` and its marker are one file with two names.
 * True (and the old name removed) when that is so, finishing the move.
 */
export async function finishInterruptedMove(file: string, suffix: string, info: Stats): Promise<boolean> {
  for (const name of namesFor(file, suffix)) {
    const other = await lstat(name).catch(() => undefined);
    if (!other) return false;
    if (other.dev === info.dev && other.ino === info.ino) {
      await unlink(file);
      return true;
    }
  }
  return false;
}
