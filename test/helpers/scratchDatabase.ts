// A database of its own for tests that commit a lot (the backfill writes tens of thousands of
// rows): same cluster, same roles, migrated like the run's database (committed migrations plus
// migrations/current.sql), dropped afterwards. Other test files never see its rows.
import * as graphileMigrate from 'graphile-migrate';
import { clearAllPools } from 'graphile-migrate/dist/pgReal.js';
import pg from 'pg';
import { applyMigrations, migrationSettings } from '../../server/database/migrations.ts';
import { setupDatabase } from '../../server/database/setup.ts';
import { testDatabase } from './db.ts';

export interface ScratchDatabase {
  /** The superuser on this database. */
  rootUrl: string;
  ownerUrl: string;
  authUrl: string;
  owner: pg.Pool;
  drop(): Promise<void>;
}

function onDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function createScratchDatabase(label: string): Promise<ScratchDatabase> {
  const database = `${testDatabase.name()}_${label}`.slice(0, 63);
  const rootUrl = testDatabase.rootUrl();
  const urls = { rootUrl, ownerUrl: onDatabase(testDatabase.ownerUrl(), database), authUrl: onDatabase(testDatabase.authUrl(), database) };
  // Role grants and database creation are not safe to run concurrently (test files run in
  // parallel), so scratch databases are created one at a time.
  const lock = new pg.Client({ connectionString: rootUrl });
  await lock.connect();
  try {
    await lock.query(`select pg_advisory_lock(hashtext('clerk-pg-sync scratch database'))`);
    await setupDatabase(urls);
    const quiet = () => undefined;
    try {
      await applyMigrations(urls, quiet);
      await graphileMigrate.watch(migrationSettings(urls, quiet), true);
    } finally {
      clearAllPools();
    }
  } finally {
    await lock.end();
  }
  const owner = new pg.Pool({ connectionString: urls.ownerUrl, max: 4 });
  return {
    rootUrl: onDatabase(rootUrl, database),
    ownerUrl: urls.ownerUrl,
    authUrl: urls.authUrl,
    owner,
    drop: async () => {
      await owner.end();
      const root = new pg.Client({ connectionString: rootUrl });
      await root.connect();
      try {
        await root.query(`drop database if exists ${root.escapeIdentifier(database)} with (force)`);
      } finally {
        await root.end();
      }
    },
  };
}
