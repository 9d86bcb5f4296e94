// What the app is built from: configuration, the logger, the database pools and the migrations
// `/readyz` expects. main.ts and the tests assemble it; app.ts and the routes only read it.
import type { Config } from './config.ts';
import type { DatabasePools } from './database/pools.ts';
import type { Logger } from './logger.ts';

export interface AppServices {
  config: Config;
  logger: Logger;
  pools: DatabasePools;
  expectedMigrations: string[];
}
