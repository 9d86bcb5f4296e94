// jest's globalSetup when StrykerJS runs the tests (test/mutation/run.ts starts it). Stryker runs
// jest once per mutant; booting and migrating a cluster each time would cost more than the tests.
// run.ts keeps one cluster with a migrated template database for the whole run; each jest run
// gets its own copy of the template (copied inside Postgres, well under a second), dropped
// later by test/mutation/globalTeardown.mjs, so no run sees rows another one wrote.
import pg from 'pg';
import { restrictDatabaseAccess } from '../../server/database/setup.ts';

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: start mutation runs with npm run mutation`);
  return value;
}

export default async function globalSetup() {
  const rootUrl = required('MUTATION_ROOT_DATABASE_URL');
  const template = required('MUTATION_TEMPLATE_DATABASE');
  const owner = required('MUTATION_OWNER_ROLE');
  const authenticator = required('MUTATION_AUTHENTICATOR_ROLE');
  const database = `clerk_pg_sync_mutant_${process.pid}_${Date.now().toString(36)}`;
  const client = new pg.Client({ connectionString: rootUrl });
  await client.connect();
  try {
    await client.query(`create database ${client.escapeIdentifier(database)} template ${client.escapeIdentifier(template)} owner ${client.escapeIdentifier(owner)}`);
    // Database-level grants live in pg_database, which a copy does not inherit.
    await restrictDatabaseAccess(client, database, owner, authenticator);
  } finally {
    await client.end();
  }
  const loginTo = (variable) => {
    const url = new URL(required(variable));
    url.pathname = `/${database}`;
    return url.toString();
  };
  process.env.TEST_ROOT_DATABASE_URL = rootUrl;
  process.env.TEST_DATABASE_URL = loginTo('MUTATION_OWNER_URL');
  process.env.TEST_AUTH_DATABASE_URL = loginTo('MUTATION_AUTH_URL');
  process.env.TEST_DATABASE_NAME = database;
  globalThis.__clerkPgSyncTestDatabase = { cluster: null, dataDir: null, database, rootUrl };
}
