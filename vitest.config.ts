import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // One real Bluesky PDS on 127.0.0.1 for the whole run, booted on first use (inject('pdsUrl')).
    // The compiled CLI for tests that start it as a process, rebuilt when src/ changed.
    // Which suites a missing redis-server or Chromium skipped, said once at the end (tests/support/real-tools.ts).
    // Every temporary directory of the run under one, removed at the end (tests/support/temp-root.ts).
    globalSetup: ['tests/support/temp-root.ts', 'tests/support/build-cli.ts', 'tests/support/pds/global-setup.ts', 'tests/support/real-tools-setup.ts'],
  },
});
