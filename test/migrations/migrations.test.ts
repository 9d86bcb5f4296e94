// Committed migrations are the truth for a fresh database: a reset and a plain migrate must
// produce the same schema (tables, columns, functions, policies, grants, comments).
import { afterAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import * as graphileMigrate from 'graphile-migrate';
import { clearAllPools } from 'graphile-migrate/dist/pgReal.js';
import { applyMigrations, migrationSettings } from '../../server/database/migrations.ts';
import { setupDatabase } from '../../server/database/setup.ts';
import { endTestPools, getRootPool, testDatabase } from '../helpers/db.ts';
import { schemaFingerprint } from '../helpers/schemaFingerprint.ts';

const quiet = () => undefined;
const created: string[] = [];

afterAll(async () => {
  for (const database of created) await getRootPool().query(`drop database if exists ${database} with (force)`);
  await endTestPools();
});

function urlsFor(database: string) {
  const withDatabase = (url: string) => Object.assign(new URL(url), { pathname: `/${database}` }).toString();
  created.push(database);
  return { rootUrl: testDatabase.rootUrl(), ownerUrl: withDatabase(testDatabase.ownerUrl()), authUrl: withDatabase(testDatabase.authUrl()) };
}

async function fingerprint(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await schemaFingerprint(client);
  } finally {
    await client.end();
  }
}

describe('committed migrations', () => {
  it('rebuild the same schema through db:reset as through db:setup + db:migrate', async () => {
    const suffix = Date.now().toString(36);
    const migrated = urlsFor(`${testDatabase.name()}_migrated_${suffix}`);
    await setupDatabase(migrated);
    await applyMigrations(migrated, quiet);

    const reset = urlsFor(`${testDatabase.name()}_reset_${suffix}`);
    await setupDatabase(reset);
    await graphileMigrate.reset(migrationSettings(reset, quiet));
    clearAllPools();

    const [fromMigrate, fromReset] = await Promise.all([fingerprint(migrated.ownerUrl), fingerprint(reset.ownerUrl)]);
    expect(fromMigrate.length).toBeGreaterThan(0);
    expect(fromReset).toEqual(fromMigrate);
  });
});
