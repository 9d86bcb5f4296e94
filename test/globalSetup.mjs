// Creates the throwaway database of this test run: an embedded PG 17 cluster in a temporary
// directory, or a database on the server named by ROOT_DATABASE_URL (CI runs both, the second
// against the machine's PG 15). It is migrated from the committed migrations, plus
// migrations/current.sql while a change is in progress (CI checks that it is empty).
import { chmod, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as graphileMigrate from 'graphile-migrate';
import { clearAllPools } from 'graphile-migrate/dist/pgReal.js';
import { startEmbeddedPostgres } from '../server/database/embeddedPostgres.ts';
import { applyMigrations, migrationSettings } from '../server/database/migrations.ts';
import { setupDatabase } from '../server/database/setup.ts';
import { freePort } from '../support/ports.ts';

function withLogin(rootUrl, user, password, database) {
  const url = new URL(rootUrl);
  url.username = user;
  url.password = password;
  url.pathname = `/${database}`;
  return url.toString();
}

export default async function globalSetup() {
  let rootUrl = process.env.ROOT_DATABASE_URL;
  let cluster = null;
  let dataDir = null;
  if (!rootUrl) {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'clerk-pg-sync-test-'));
    // The cluster runs as the postgres OS user when tests run as root: it must reach the directory.
    await chmod(dataDir, 0o755);
    cluster = await startEmbeddedPostgres({ dataDir, port: await freePort(), superuserPassword: 'test-root' });
    rootUrl = cluster.rootUrl;
  }
  const database = `clerk_pg_sync_test_${process.pid}_${Date.now().toString(36)}`;
  const urls = {
    rootUrl,
    ownerUrl: withLogin(rootUrl, 'clerk_pg_sync_test_owner', 'test-owner', database),
    authUrl: withLogin(rootUrl, 'clerk_pg_sync_test_authenticator', 'test-authenticator', database),
  };
  await setupDatabase(urls);
  const quiet = () => undefined;
  await applyMigrations(urls, quiet);
  await graphileMigrate.watch(migrationSettings(urls, quiet), true);
  clearAllPools();

  process.env.TEST_ROOT_DATABASE_URL = rootUrl;
  process.env.TEST_DATABASE_URL = urls.ownerUrl;
  process.env.TEST_AUTH_DATABASE_URL = urls.authUrl;
  process.env.TEST_DATABASE_NAME = database;
  globalThis.__clerkPgSyncTestDatabase = { cluster, dataDir, database, rootUrl };
}
