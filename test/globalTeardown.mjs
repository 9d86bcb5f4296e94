import { rm } from 'node:fs/promises';
import pg from 'pg';

export default async function globalTeardown() {
  const { cluster, dataDir, database, rootUrl } = globalThis.__clerkPgSyncTestDatabase;
  if (cluster) {
    await cluster.stop();
    await rm(dataDir, { recursive: true, force: true });
    return;
  }
  const client = new pg.Client({ connectionString: rootUrl });
  await client.connect();
  try {
    await client.query(`drop database if exists ${client.escapeIdentifier(database)} with (force)`);
  } finally {
    await client.end();
  }
}
