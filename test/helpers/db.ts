// The two ways a test touches the database, in the style of graphile/starter: as the superuser
// (to arrange data) or as a role with JWT claims, as the server does per request. Both run inside
// a transaction that is always rolled back, so tests never see each other's rows.
import pg from 'pg';
import { withTransaction } from '../../server/database/transaction.ts';

export const testDatabase = {
  rootUrl: () => required('TEST_ROOT_DATABASE_URL'),
  ownerUrl: () => required('TEST_DATABASE_URL'),
  authUrl: () => required('TEST_AUTH_DATABASE_URL'),
  name: () => required('TEST_DATABASE_NAME'),
};

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with npm test (globalSetup creates the database)`);
  return value;
}

/**
 * Test pools outlive nothing on purpose, but when jest runs in band the cluster stops in
 * globalTeardown in this same process: a connection still held then reports "terminating
 * connection", which must not crash the run after its tests passed.
 */
function testPool(connectionString: string): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: 4 });
  const ignore = () => undefined;
  pool.on('error', ignore);
  pool.on('connect', (client) => client.on('error', ignore));
  return pool;
}

let rootPool: pg.Pool | undefined;
let ownerPool: pg.Pool | undefined;
let authPool: pg.Pool | undefined;

/** Superuser connections to the test database (the root URL with its database swapped). */
export function getRootPool(): pg.Pool {
  if (!rootPool) {
    const url = new URL(testDatabase.rootUrl());
    url.pathname = `/${testDatabase.name()}`;
    rootPool = testPool(url.toString());
  }
  return rootPool;
}

export function getOwnerPool(): pg.Pool {
  ownerPool ??= testPool(testDatabase.ownerUrl());
  return ownerPool;
}

export function getAuthPool(): pg.Pool {
  authPool ??= testPool(testDatabase.authUrl());
  return authPool;
}

export async function endTestPools(): Promise<void> {
  await Promise.all([rootPool?.end(), ownerPool?.end(), authPool?.end()]);
  rootPool = undefined;
  ownerPool = undefined;
  authPool = undefined;
}

function inRolledBackTransaction<T>(pool: pg.Pool, body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withTransaction(pool, body, { rollback: true });
}

/** Runs as the superuser inside a transaction that is rolled back. */
export function withRootDb<T>(body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return inRolledBackTransaction(getRootPool(), body);
}

export type VisitorRole = 'authenticated' | 'anonymous' | 'clerk_webhook';

/**
 * Becomes `role` with these JWT claims (as the server does per request) inside a rolled-back
 * transaction. Set up data first with `prepare`, which runs as the superuser in the same transaction.
 */
export function withRoleDb<T>(
  role: VisitorRole,
  claims: Record<string, unknown> | null,
  body: (client: pg.PoolClient) => Promise<T>,
  prepare?: (client: pg.PoolClient) => Promise<void>,
): Promise<T> {
  return inRolledBackTransaction(getRootPool(), async (client) => {
    if (prepare) await prepare(client);
    await client.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [
      role,
      claims ? JSON.stringify(claims) : '',
    ]);
    return body(client);
  });
}

/** The Postgres error a statement raised (its code and message), or null when it succeeded. */
export async function sqlErrorOf(client: pg.PoolClient, sql: string, values: unknown[] = []): Promise<{ code: string; message: string } | null> {
  await client.query('savepoint expect_error');
  try {
    await client.query(sql, values);
    await client.query('release savepoint expect_error');
    return null;
  } catch (error) {
    await client.query('rollback to savepoint expect_error');
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  }
}
