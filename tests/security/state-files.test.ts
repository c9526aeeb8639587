/**
 * The SQLite state (sealed tokens, queued texts, who posted what) is owner-only on disk (issue #13): the
 * database and the -wal and -shm SQLite creates beside it are 0600 whatever the umask, a data directory
 * Threadcast creates is 0700, and a state file left readable by others is tightened and logged once.
 */
import Database from 'better-sqlite3';
import { chmodSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { tempDir } from '../support/cli.js';

const modeOf = (file: string) => statSync(file).mode & 0o777;
const octal = (mode: number) => `0${mode.toString(8)}`;
const COMPANIONS = ['', '-wal', '-shm'];

const open: Store[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

/** Opens the store and writes through both of its tables, so SQLite has created -wal and -shm. */
async function openAndWrite(file: string, log?: pino.Logger): Promise<Store> {
  const store = await openStore(`sqlite:${file}`, { log });
  open.push(store);
  await store.kv.set('k', 'v');
  await store.acquireLease('leader', 'me', 60_000, Date.now());
  return store;
}

function withUmask<T>(mask: number, fn: () => Promise<T>): Promise<T> {
  const previous = process.umask(mask);
  return fn().finally(() => process.umask(previous));
}

function capturingLogger() {
  const lines: string[] = [];
  const log = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
  return { log, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('SQLite state files', () => {
  for (const mask of [0o000, 0o022]) {
    it(`are created 0600, in a created directory of 0700, under umask ${octal(mask)}`, async () => {
      const root = tempDir('threadcast-modes-');
      const file = path.join(root, 'data', 'nested', 'threadcast.sqlite');
      await withUmask(mask, () => openAndWrite(file));
      for (const suffix of COMPANIONS) {
        expect(existsSync(file + suffix), `${suffix || 'database'} exists`).toBe(true);
        expect(octal(modeOf(file + suffix)), `mode of ${path.basename(file + suffix)}`).toBe('0600');
      }
      expect(octal(modeOf(path.join(root, 'data')))).toBe('0700');
      expect(octal(modeOf(path.dirname(file)))).toBe('0700');
    });
  }

  it('that already exist readable by others are made 0600 and logged once, without their contents', async () => {
    const dir = tempDir('threadcast-loose-');
    const file = path.join(dir, 'threadcast.sqlite');
    // An older Threadcast (or a copy) left the database, -wal and -shm world-readable; it is still open.
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    old.exec("CREATE TABLE secret (v TEXT); INSERT INTO secret VALUES ('sealed-token-bytes')");
    for (const suffix of COMPANIONS) chmodSync(file + suffix, 0o644);

    const first = capturingLogger();
    await openAndWrite(file, first.log);
    for (const suffix of COMPANIONS) expect(octal(modeOf(file + suffix)), `mode of ${path.basename(file + suffix)}`).toBe('0600');
    expect(first.records().map((r) => ({ level: r.level, file: r.file, mode: r.mode }))).toEqual(
      COMPANIONS.map((suffix) => ({ level: 40, file: file + suffix, mode: '0644' })),
    );
    expect(JSON.stringify(first.records())).not.toContain('sealed-token-bytes');

    await Promise.all(open.splice(0).map((s) => s.close()));
    old.close();
    const second = capturingLogger();
    await openAndWrite(file, second.log);
    expect(second.records()).toEqual([]);
  });

  it('are made private even when nobody listens for the warning', async () => {
    const dir = tempDir('threadcast-loose-quiet-');
    const file = path.join(dir, 'threadcast.sqlite');
    new Database(file).close();
    chmodSync(file, 0o664);
    const store = new SqliteStore(file);
    open.push(store);
    expect(octal(modeOf(file))).toBe('0600');
  });
});
