// The Express application: routes only. Building it needs no network, so tests and the
// entry point construct it the same way.
import express from 'express';
import type { Config } from './config.ts';
import type { DatabasePools } from './database/pools.ts';
import { mountGraphql } from './graphql/index.ts';
import { healthRouter } from './health.ts';
import type { Logger } from './logger.ts';

export interface AppServices {
  config: Config;
  logger: Logger;
  pools: DatabasePools;
  expectedMigrations: string[];
}

export function createApp(services: AppServices): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(healthRouter(services.pools, services.expectedMigrations));
  mountGraphql(app, services);
  return app;
}
