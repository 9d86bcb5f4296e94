// jest's globalTeardown when StrykerJS runs the tests (see globalSetup.mjs). Dropping a database
// forces a checkpoint, seconds on a busy disk, once per mutant; so the copies are dropped in
// batches, and run.ts removes the whole cluster at the end.
import pg from 'pg';

const KEEP_AT_MOST = 20;

export default async function globalTeardown() {
  const { rootUrl } = globalThis.__clerkPgSyncTestDatabase;
  const client = new pg.Client({ connectionString: rootUrl });
  await client.connect();
  try {
    const { rows } = await client.query(`select datname from pg_database where datname like 'clerk\\_pg\\_sync\\_mutant\\_%' order by oid`);
    if (rows.length < KEEP_AT_MOST) return;
    for (const { datname } of rows) await client.query(`drop database if exists ${client.escapeIdentifier(datname)} with (force)`);
  } finally {
    await client.end();
  }
}
