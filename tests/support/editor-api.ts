/** The app, its store and the editor API server over real HTTP, as `threadcast run` wires them, for API tests. */
import pino from 'pino';
import { App } from '../../src/app/app.js';
import type { Config } from '../../src/config/schema.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';

export interface EditorApi {
  store: Store;
  app: App;
  server: RunningServer;
  close: () => Promise<void>;
}

const devNull = { write: () => true } as unknown as NodeJS.WritableStream;

export async function startEditorApi(config: Config, token: string): Promise<EditorApi> {
  const log = pino({ level: 'silent' });
  const store = await openStore(config.store);
  const app = new App({ config, store, log, out: devNull as never });
  const server = await startServer({ config: () => config, store: () => store, queue: () => app.editorQueue, log, env: { THREADCAST_API_TOKEN: token } });
  return {
    store,
    app,
    server,
    close: async () => {
      await server.close();
      await app.close();
      await store.close();
    },
  };
}
