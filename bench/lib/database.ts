// The database every benchmark brings up for itself: a fresh embedded PG 17 cluster in a temporary
// directory, with the product's roles and committed migrations, exactly as a fresh clone gets it.
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../server/database/embeddedPostgres.ts';
import { withLogin } from '../../server/database/environment.ts';
import * as graphileMigrate from 'graphile-migrate';
import { clearAllPools } from 'graphile-migrate/dist/pgReal.js';
import { applyMigrations, migrationSettings } from '../../server/database/migrations.ts';
import { setupDatabase, type DatabaseUrls } from '../../server/database/setup.ts';
import { freePort } from '../../support/ports.ts';

export interface BenchDatabase extends DatabaseUrls {
  /** Superuser connection to the application database (the root URL points at `postgres`). */
  superuserUrl: string;
  port: number;
  dataDir: string;
  /** Runs SQL as the superuser in the application database. */
  sql<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  /** Stops the cluster and restarts it on the same port and data (for the restart scenarios). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const DATABASE = 'clerk_pg_sync_bench';

/**
 * Starts a throwaway cluster, creates roles and database, applies the committed migrations (and
 * migrations/current.sql too with BENCH_INCLUDE_CURRENT=1, to measure work before committing it).
 */
export async function startBenchDatabase(log: (line: string) => void = () => undefined): Promise<BenchDatabase> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'clerk-pg-sync-bench-'));
  // The cluster runs as the postgres OS user when we run as root: it must reach the directory.
  chmodSync(dataDir, 0o755);
  const port = await freePort();
  const start = () => startEmbeddedPostgres({ dataDir, port, superuserPassword: 'bench-root', log });
  let cluster = await start();
  const rootUrl = cluster.rootUrl;
  const urls: DatabaseUrls = {
    rootUrl,
    ownerUrl: withLogin(rootUrl, 'clerk_pg_sync_bench_owner', 'bench-owner', DATABASE),
    authUrl: withLogin(rootUrl, 'clerk_pg_sync_bench_authenticator', 'bench-authenticator', DATABASE),
  };
  const superuserUrl = withLogin(rootUrl, new URL(rootUrl).username, 'bench-root', DATABASE);
  let pool: pg.Pool | undefined;
  const stop = async () => {
    await pool?.end();
    pool = undefined;
    await cluster.stop();
  };
  try {
    await setupDatabase(urls, log);
    await applyMigrations(urls, log);
    if (process.env.BENCH_INCLUDE_CURRENT === '1') {
      await graphileMigrate.watch(migrationSettings(urls, log), true);
      clearAllPools();
    }
  } catch (error) {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    ...urls,
    superuserUrl,
    port,
    dataDir,
    sql: (text, values) => {
      if (!pool) {
        pool = new pg.Pool({ connectionString: superuserUrl, max: 2 });
        // A restart breaks idle connections; the next query simply opens a new one.
        pool.on('error', () => undefined);
      }
      return pool.query(text, values);
    },
    restart: async () => {
      await stop();
      cluster = await start();
    },
    stop: async () => {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates the `bench` schema: baseline tables and functions that stand beside the product's. */
export async function installBaselines(database: BenchDatabase): Promise<void> {
  const owner = decodeURIComponent(new URL(database.ownerUrl).username);
  const script = readFileSync(path.join(process.cwd(), 'bench', 'sql', 'baselines.sql'), 'utf8');
  await database.sql(`set role ${owner}; ${script}; reset role`);
}
