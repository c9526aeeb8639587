/**
 * `threadcast doctor` on a Mastodon channel through the real CLI, against the strict Mastodon stand-in: a good
 * token names the account and the instance's limits; a refused one is a credentials failure; never the token.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, writeFile, type CliResult } from '../support/cli.js';
import { startMastodonStandin, type MastodonStandin } from '../support/mastodon-standin/index.js';

interface Row {
  check: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  detail: string;
  fix?: string;
}

let standin: MastodonStandin;
beforeAll(async () => {
  standin = await startMastodonStandin({ maxCharacters: 1000 });
});
afterAll(async () => {
  await standin.stop();
});

function doctor(extra: string, env: NodeJS.ProcessEnv): Promise<CliResult> {
  const dir = tempDir('threadcast-doctor-masto-');
  const config = writeFile(
    dir,
    'threadcast.yaml',
    `store: sqlite:${path.join(dir, 'state.sqlite')}
log: { level: warn, format: json }
sources: []
channels:
  - id: masto
    platform: mastodon
    instance: ${standin.url}
    accessToken: \${MASTODON_ACCESS_TOKEN}
${extra}`,
  );
  return runCli(['--config', config, 'doctor', '--json'], { cwd: dir, env, timeoutMs: 45_000 });
}

function rowOf(result: CliResult): Row {
  const rows = (JSON.parse(result.stdout) as { checks: Row[] }).checks;
  const row = rows.find((r) => r.check === 'channel masto');
  expect(row, JSON.stringify(rows)).toBeDefined();
  return row!;
}

describe('threadcast doctor on a Mastodon channel', { timeout: 60_000 }, () => {
  it("a good token: ok with @user@host and the instance's limits; a maxCharacters other than the instance's warns with the fix", async () => {
    const account = standin.addAccount('townhall');
    const host = new URL(standin.url).host;

    const matching = await doctor('    maxCharacters: 1000\n', { MASTODON_ACCESS_TOKEN: account.token });
    expect(matching.code, matching.stdout + matching.stderr).toBe(0);
    const ok = rowOf(matching);
    expect(ok.status).toBe('ok');
    expect(ok.detail).toContain(`@townhall@${host} — account id ${account.id}`);
    expect(ok.detail).toContain('the instance allows 1000 characters a status (a URL counts 23); maxCharacters 1000');

    const stock = await doctor('', { MASTODON_ACCESS_TOKEN: account.token });
    const warned = rowOf(stock);
    expect(warned.status).toBe('warn');
    expect(warned.detail).toContain(`@townhall@${host}`);
    expect(warned.detail).toContain('composing for the default 500');
    expect(warned.fix).toContain('set maxCharacters: 1000 on channel masto');
    for (const result of [matching, stock]) expect(`${result.stdout}${result.stderr}`).not.toContain(account.token);
    expect(standin.requests.filter((r) => r.path === '/api/v1/accounts/verify_credentials').map((r) => r.status)).toEqual([200, 200]);
    expect(standin.violations).toEqual([]);
  });

  it('a refused token: a credentials failure naming the scopes and the variable it was read from, exit 1, the token never printed', async () => {
    const token = 'refused-token-0123456789abcdef';
    const result = await doctor('', { MASTODON_ACCESS_TOKEN: token });
    expect(result.code).toBe(1);
    const row = rowOf(result);
    expect(row.status).toBe('fail');
    expect(row.detail).toContain('refused the access token (401)');
    expect(row.fix).toContain('write:statuses write:media read:accounts read:statuses');
    expect(row.fix).toContain('accessToken ← MASTODON_ACCESS_TOKEN');
    expect(`${result.stdout}${result.stderr}`).not.toContain(token);
    expect(standin.violations).toEqual([]);
  });
});
