/**
 * One contender in the multi-process races of store-contract.test.ts, run as its own process (node + tsx):
 *   claim-race-worker.ts <owner>
 * It is kept for several rounds (starting node + tsx is the slow part), driven by lines on stdin:
 *   open <payload.json>  open the store the payload names, connect, then print "ready"
 *   go                   run the round, print one JSON line {"won": [...ids]}, close the store
 *   exit                 quit
 * The parent sends "go" to every worker only once all are ready, so they contend from the same moment.
 * Modes:
 *   claim  – claimDelivery on every id (the deliveries exist)
 *   create – createDelivery of every delivery
 *   naive  – a plain keyv get-then-set "claim": the negative control, which is expected to double-claim
 *   spend  – addToTotal of 1 to the total `spend` under the limit `limit`, once per id; "won" the ids it added for
 *   naive-spend – the same through a kv get, a check and a kv set: the negative control for spend
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Delivery } from '../../src/core/delivery.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';

interface Payload {
  url: string;
  mode: 'claim' | 'create' | 'naive' | 'spend' | 'naive-spend';
  ids: string[];
  deliveries?: Delivery[];
  limit?: number;
}

const owner = process.argv[2];
if (!owner) throw new Error('usage: claim-race-worker.ts <owner>');

async function run(store: Store, payload: Payload): Promise<string[]> {
  const won: string[] = [];
  const now = Date.now();
  if (payload.mode === 'claim') {
    for (const id of payload.ids) if (await store.claimDelivery(id, owner!, 600_000, now)) won.push(id);
  } else if (payload.mode === 'create') {
    for (const d of payload.deliveries ?? []) if (await store.createDelivery(d)) won.push(d.id);
  } else if (payload.mode === 'spend') {
    for (const id of payload.ids) if ((await store.addToTotal('spend', 1, payload.limit)) !== undefined) won.push(id);
  } else if (payload.mode === 'naive-spend') {
    for (const id of payload.ids) {
      const spent = ((await store.kv.get('spend')) as number | undefined) ?? 0;
      if (spent + 1 > payload.limit!) continue;
      await new Promise((r) => setTimeout(r, 1));
      await store.kv.set('spend', spent + 1);
      won.push(id);
    }
  } else {
    for (const id of payload.ids) {
      if ((await store.kv.get(`naive-claim:${id}`)) === undefined) {
        await new Promise((r) => setTimeout(r, 1));
        await store.kv.set(`naive-claim:${id}`, owner);
        won.push(id);
      }
    }
  }
  return won;
}

let store: Store | undefined;
let payload: Payload | undefined;
for await (const line of createInterface({ input: process.stdin })) {
  const [command, arg] = line.trim().split(' ');
  if (command === 'open') {
    payload = JSON.parse(readFileSync(arg!, 'utf8')) as Payload;
    store = await openStore(payload.url);
    // Connected and warm before the start line, so the race is about the claims, not about start-up.
    await store.claimHolder('warm-up', 0);
    await store.kv.get('warm-up');
    process.stdout.write('ready\n');
  } else if (command === 'go') {
    const won = await run(store!, payload!);
    await store!.close();
    process.stdout.write(`${JSON.stringify({ won })}\n`);
  } else if (command === 'exit') {
    break;
  }
}
await store?.close();
