import { closeSync, constants, fchmodSync, fstatSync, mkdirSync, openSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';

/** Owner read and write only: the state holds sealed tokens, queued texts and who posted what. */
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/**
 * Makes a SQLite database owner-only before SQLite opens it, without a window in which it is not: the file
 * is created with mode 0600 (open with O_CREAT), and SQLite creates its -wal and -shm with the database
 * file's mode. A directory Threadcast creates for it is 0700; an existing one is left as the operator made it.
 * A state file that is already readable by group or others is made 0600 and logged once (after that it is
 * private, so the next start says nothing).
 */
export function preparePrivateDatabase(file: string, log?: Pick<Logger, 'warn'>): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: DIR_MODE });
  tighten(file, constants.O_RDWR | constants.O_CREAT, log);
  // SQLite follows a symlinked database and keeps -wal and -shm beside the real file.
  const real = realpathSync(file);
  for (const suffix of ['-wal', '-shm', '-journal']) tighten(`${real}${suffix}`, constants.O_RDONLY | constants.O_NOFOLLOW, log);
}

function tighten(file: string, flags: number, log: Pick<Logger, 'warn'> | undefined): void {
  let fd: number;
  try {
    fd = openSync(file, flags, FILE_MODE);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // A companion file that does not exist (yet) or is a symlink is not ours to change.
    if (!(flags & constants.O_CREAT) && (code === 'ENOENT' || code === 'ELOOP')) return;
    throw err;
  }
  try {
    const mode = fstatSync(fd).mode & 0o777;
    if ((mode & 0o077) === 0) return;
    const was = `0${mode.toString(8)}`;
    try {
      fchmodSync(fd, FILE_MODE);
      log?.warn({ file, mode: was }, 'state file was readable by group or others; it is now owner-only (0600)');
    } catch (err) {
      log?.warn({ file, mode: was, code: (err as NodeJS.ErrnoException).code }, 'state file is readable by group or others and could not be made owner-only (0600)');
    }
  } finally {
    closeSync(fd);
  }
}
