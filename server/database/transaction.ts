// The one transaction helper: begin, run, commit (or roll back), release. Every caller that needs
// more than one statement in a transaction (the admin actions' caller checks, the backfill's
// batches and bookkeeping, the test helpers) goes through it.
import type pg from 'pg';
import { isTransientSqlState, sqlStateOf } from './clerkEvents.ts';

export interface TransactionOptions {
  /** `begin read only`. */
  readOnly?: boolean;
  /** Transaction-local settings (`set_config(name, value, true)`), e.g. a visitor's role and JWT claims. */
  settings?: Record<string, string>;
  /** Roll back even when `body` succeeds: a look that must leave nothing behind (tests, dry checks). */
  rollback?: boolean;
  /**
   * Run the whole transaction again, up to this many attempts in all, when Postgres rolled it back
   * for a transient reason (deadlock, serialization failure, lock timeout, lost connection). `body`
   * must then keep its effects inside the transaction, or recompute them on each attempt.
   */
  attempts?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A pool (a connection is checked out and released) or a connection already held. */
export type TransactionTarget = pg.Pool | pg.ClientBase;

const isPool = (db: TransactionTarget): db is pg.Pool => typeof (db as pg.Pool).totalCount === 'number';

async function once<T, C extends pg.ClientBase>(db: TransactionTarget, body: (client: C) => Promise<T>, options: TransactionOptions): Promise<T> {
  const client = (isPool(db) ? await db.connect() : db) as C;
  let broken: unknown;
  try {
    await client.query(options.readOnly ? 'begin read only' : 'begin');
    for (const [name, value] of Object.entries(options.settings ?? {})) {
      await client.query('select set_config($1, $2, true)', [name, value]);
    }
    const result = await body(client);
    if (!options.rollback) {
      await client.query('commit');
    } else {
      await client.query('rollback').catch((failure: unknown) => (broken = failure));
    }
    return result;
  } catch (error) {
    // A connection that cannot even roll back is not handed to the next caller.
    await client.query('rollback').catch((failure: unknown) => (broken = failure));
    throw error;
  } finally {
    if (client !== db) (client as unknown as pg.PoolClient).release(broken instanceof Error ? broken : undefined);
  }
}

/**
 * Runs `body` on one connection inside a transaction, and returns what it returned. Retries
 * (`attempts`) need a pool: a held connection that failed is usually not worth retrying on.
 */
export async function withTransaction<T>(db: pg.Pool, body: (client: pg.PoolClient) => Promise<T>, options?: TransactionOptions): Promise<T>;
export async function withTransaction<T, C extends pg.ClientBase>(db: C, body: (client: C) => Promise<T>, options?: TransactionOptions): Promise<T>;
export async function withTransaction<T>(db: TransactionTarget, body: (client: never) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 1);
  for (let attempt = 1; ; attempt++) {
    try {
      return await once(db, body as (client: pg.ClientBase) => Promise<T>, options);
    } catch (error) {
      if (attempt >= attempts || !isTransientSqlState(sqlStateOf(error))) throw error;
      await sleep(50 * 2 ** attempt * (0.5 + Math.random()));
    }
  }
}
