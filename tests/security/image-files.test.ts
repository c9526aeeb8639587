/**
 * Local image files named by editors are read by the publisher long after they were checked. Protects: a file
 * swapped for a symbolic link (or a pipe) after it was queued is refused, never followed or waited on.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ThreadcastError } from '../../src/core/errors.js';
import { loadImage } from '../../src/media/images.js';
import { tempDir } from '../support/cli.js';

const OPTS = { timeoutMs: 2_000, allowPrivateHosts: [] as string[] };

describe('local image files', () => {
  it('reads a regular file', async () => {
    const dir = tempDir('threadcast-img-');
    writeFileSync(path.join(dir, 'ok.png'), 'not really a png, but bytes');
    expect((await loadImage(path.join(dir, 'ok.png'), OPTS)).toString()).toBe('not really a png, but bytes');
  });

  it('refuses an image that was replaced by a link to a secret after it was checked', async () => {
    const dir = tempDir('threadcast-img-');
    const secret = path.join(dir, 'outside-secret.txt');
    writeFileSync(secret, 'BLUESKY_APP_PASSWORD=hunter2');
    const drop = path.join(dir, 'drop');
    mkdirSync(drop);
    const image = path.join(drop, 'photo.png');
    writeFileSync(image, 'png bytes');
    // Queued with its checked real path; then someone who can write the folder swaps it.
    rmSync(image);
    symlinkSync(secret, image);
    const err = await loadImage(image, OPTS).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ThreadcastError);
    expect((err as ThreadcastError).kind).toBe('permanent');
    expect((err as Error).message).toContain('symbolic link');
  });

  it('refuses a pipe without waiting for a writer', async () => {
    const dir = tempDir('threadcast-img-');
    const fifo = path.join(dir, 'photo.png');
    execFileSync('mkfifo', [fifo]);
    await expect(loadImage(fifo, OPTS)).rejects.toThrow(/not a regular file/);
  }, 5_000);
});
