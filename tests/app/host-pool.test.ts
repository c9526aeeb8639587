/**
 * HostPool.acquire: a slot held across work that ends elsewhere than it began (App.fetchOne takes a parse slot
 * inside its network slot and gives it back after the parse). The round-level limits are tested against a real
 * server in poll-round.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { HostPool } from '../../src/app/host-pool.js';

const settled = () => new Promise((r) => setImmediate(r));

describe('HostPool.acquire', () => {
  it('holds a slot until its release is called, and a second call of the same release frees nothing more', async () => {
    const pool = new HostPool(1, 1);
    const first = await pool.acquire('a.example');
    let second: (() => void) | undefined;
    void pool.acquire('b.example').then((r) => (second = r));
    let third: (() => void) | undefined;
    void pool.acquire('c.example').then((r) => (third = r));
    await settled();
    expect(second).toBeUndefined();
    first();
    await settled();
    expect(second).toBeDefined();
    first();
    await settled();
    expect(third).toBeUndefined();
    second!();
    await settled();
    expect(third).toBeDefined();
  });

  it('counts held slots per host as run does: a full host lets another host pass', async () => {
    const pool = new HostPool(3, 1);
    await pool.acquire('a.example');
    let sameHost = false;
    void pool.acquire('a.example').then(() => (sameHost = true));
    let otherHost = false;
    void pool.acquire('b.example').then(() => (otherHost = true));
    await settled();
    expect(sameHost).toBe(false);
    expect(otherHost).toBe(true);
  });
});
