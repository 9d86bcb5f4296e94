// A real app on a real port over the test database, as server/main.ts builds it.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp, type App } from '../../server/app.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { committedMigrations } from '../../server/database/migrations.ts';
import { startLiveRelay } from '../../server/database/liveChanges.ts';
import { createPools } from '../../server/database/pools.ts';
import { createLogger } from '../../server/logger.ts';
import type { AppServices } from '../../server/services.ts';
import { testDatabase } from './db.ts';

export const TEST_WEBHOOK_SECRET = 'whsec_dGVzdC1zZWNyZXQtZm9yLWNsZXJrLXBnLXN5bmM=';

export interface RunningApp {
  url: string;
  services: AppServices;
  /** Subscriptions over websockets on this app. */
  websockets: App['websockets'];
  close(): Promise<void>;
}

/**
 * Starts the app on 127.0.0.1 with a free port; `env` overrides the test configuration. Log
 * lines go to `logDestination` when given (set LOG_LEVEL in `env` to see them).
 */
export async function startTestApp(
  env: NodeJS.ProcessEnv = {},
  databaseUrls: { ownerUrl: string; authUrl: string } = { ownerUrl: testDatabase.ownerUrl(), authUrl: testDatabase.authUrl() },
  logDestination?: { write(line: string): void },
): Promise<RunningApp> {
  const config: Config = loadConfig({
    NODE_ENV: 'test',
    CLERK_WEBHOOK_SIGNING_SECRET: TEST_WEBHOOK_SECRET,
    DATABASE_URL: databaseUrls.ownerUrl,
    AUTH_DATABASE_URL: databaseUrls.authUrl,
    ...env,
  });
  const logger = createLogger({ NODE_ENV: 'test', LOG_LEVEL: env.LOG_LEVEL ?? 'silent' }, logDestination);
  const pools = createPools(databaseUrls, logger, { instanceIds: config.clerk.instanceIds, webhookPoolSize: config.webhookPoolSize });
  const services: AppServices = { config, logger, pools, expectedMigrations: committedMigrations() };
  const app = await createApp(services);
  const relay = startLiveRelay({ pool: pools.webhook, intervalMs: config.live.relayIntervalMs, logger });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  app.websockets.attach(server);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    services,
    websockets: app.websockets,
    close: async () => {
      await app.websockets.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await relay.stop();
      await pools.end();
    },
  };
}
