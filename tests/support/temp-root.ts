/**
 * vitest globalSetup: every temporary directory of a run (tests make a few hundred: stores, drop folders, a PDS's
 * data, redis-server's socket) goes under one directory of the system's, removed when the run ends. Each test file
 * makes its own with os.tmpdir(), which reads TMPDIR, and the workers that run them start after this.
 * Listed first, so its removal runs after the other setups' teardowns (the PDS's among them).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  // Short: Chromium makes a socket in a folder under it, and a socket's path has at most 104 bytes on macOS.
  const root = mkdtempSync(path.join(tmpdir(), 'tc-'));
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  };
}
