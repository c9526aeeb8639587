/**
 * vitest globalSetup: says once per run which suites are skipped for a missing redis-server or Chromium, and how to
 * install them (the suites themselves skip, or under CI fail: tests/support/real-tools.ts). Said at the end of the
 * run, next to the summary that counts the skipped tests.
 */
import { findTool, inCI, REAL_TOOLS, skipLine } from './real-tools.js';

export default function setup(): () => void {
  const lines = inCI() ? [] : REAL_TOOLS.filter((tool) => findTool(tool) === undefined).map((tool) => skipLine(tool));
  return () => {
    for (const line of lines) process.stderr.write(`\n${line}\n`);
  };
}
