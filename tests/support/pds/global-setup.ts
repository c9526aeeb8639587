/**
 * vitest globalSetup: one real PDS (behind the test harness) for the whole run, on 127.0.0.1.
 *
 * The harness URL is provided at once as `inject('pdsUrl')`; the PDS itself boots on the first
 * request to it (≈ 5–7 s, mostly module loading), so runs that never touch it do not pay for it.
 * Set THREADCAST_PDS_EAGER=1 to boot it before any test starts instead.
 *
 * In a test:
 *   import { inject } from 'vitest';
 *   import { pdsClient } from '../../support/pds/client.js';
 *   const pds = pdsClient(inject('pdsUrl'));
 */
import type { TestProject } from 'vitest/node';
import { startPds, type PdsHandle } from './start-pds.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the shared test PDS and its `/_harness/*` routes, e.g. `http://127.0.0.1:41234`. */
    pdsUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const eager = /^(1|true|yes)$/i.test(process.env['THREADCAST_PDS_EAGER'] ?? '');
  const pds: PdsHandle = await startPds({ lazy: !eager });
  project.provide('pdsUrl', pds.url);
  return async () => {
    const bootMs = pds.bootMs;
    await pds.stop();
    if (process.env['THREADCAST_PDS_DEBUG'] && bootMs !== undefined) {
      console.error(`[pds] test PDS at ${pds.url} booted in ${bootMs} ms`);
    }
  };
}
