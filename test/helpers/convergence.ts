// What "exactly once" and "converged" mean, as queries: the ledger holds every message once, no
// message's effect was written twice, and the synced rows equal those of applying the same messages
// one by one in the order they happened (computed on a copy of the story under other ids, in a
// transaction that is rolled back).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { handleClerkEvent, type Queryable } from '../../server/database/clerkEvents.ts';
import { withTransaction } from '../../server/database/transaction.ts';
import type { Delivery } from './clerkStory.ts';

const SYNCED_TABLES = ['users', 'organizations', 'organization_memberships'];

/** The synced rows of one story, with its prefix replaced so two stories can be compared. */
export async function syncedState(client: Queryable, prefix: string): Promise<Record<string, string[]>> {
  const state: Record<string, string[]> = {};
  for (const table of SYNCED_TABLES) {
    // Columns filled by the database clock (synced_at and the like) differ between any two runs.
    const { rows: volatile } = await client.query<{ column_name: string }>(
      `select column_name from information_schema.columns
        where table_schema = 'app_public' and table_name = $1 and column_default ilike '%now()%'`,
      [table],
    );
    const drop = volatile.map((row) => ` - '${row.column_name}'`).join('');
    const { rows } = await client.query<{ row: string }>(
      `select replace((to_jsonb(t)${drop})::text, $1, '~') as row from app_public.${table} t where t.id like '%' || $1 || '%' order by 1`,
      [prefix],
    );
    state[table] = rows.map((row) => row.row);
  }
  return state;
}

/**
 * The state after applying the story in the order things happened, one delivery at a time,
 * under `referencePrefix` instead of `prefix`; rolled back afterwards.
 */
export function inOrderState(client: pg.ClientBase, deliveries: Delivery[], prefix: string, referencePrefix: string): Promise<Record<string, string[]>> {
  return withTransaction(
    client,
    async (tx) => {
      for (const delivery of [...deliveries].sort((a, b) => a.at - b.at)) {
        await handleClerkEvent(tx, delivery.body.replaceAll(prefix, referencePrefix), delivery.svixId.replaceAll(prefix, referencePrefix));
      }
      return syncedState(tx, referencePrefix);
    },
    { rollback: true },
  );
}

export interface LedgerCheck {
  /** Messages of the story with no ledger row. */
  missing: string[];
  /** Ledger rows whose outcome is not processed or stale. */
  unexpectedOutcomes: { svix_id: string; outcome: string; error_message: string | null }[];
  /** (message, object) pairs with more than one audit row: an effect applied twice. */
  doubleAudits: { svix_id: string; entity_id: string; n: number }[];
}

export async function checkLedger(client: Queryable, deliveries: Delivery[]): Promise<LedgerCheck> {
  const ids = deliveries.map((delivery) => delivery.svixId);
  const { rows: ledger } = await client.query<{ svix_id: string; outcome: string; error_message: string | null }>(
    `select svix_id, outcome, error_message from app_private.webhook_events where svix_id = any($1)`,
    [ids],
  );
  const seen = new Set(ledger.map((row) => row.svix_id));
  const { rows: doubleAudits } = await client.query<{ svix_id: string; entity_id: string; n: number }>(
    `select svix_id, entity_id, count(*)::int as n from app_public.audit_logs where svix_id = any($1)
      group by svix_id, entity_kind, entity_id having count(*) > 1`,
    [ids],
  );
  return {
    missing: ids.filter((id) => !seen.has(id)),
    unexpectedOutcomes: ledger.filter((row) => row.outcome !== 'processed' && row.outcome !== 'stale'),
    doubleAudits,
  };
}

/**
 * The story's synced rows next to those of in-order application (computed on a connection of its
 * own, since it needs a transaction), ready for `expect(actual).toEqual(reference)`.
 */
export async function inOrderComparison(
  database: pg.Pool | pg.Client,
  deliveries: Delivery[],
  prefix: string,
): Promise<{ actual: Record<string, string[]>; reference: Record<string, string[]> }> {
  const client = database instanceof pg.Pool ? await database.connect() : database;
  try {
    const actual = await syncedState(client, prefix);
    const reference = await inOrderState(client, deliveries, prefix, `rf${randomBytes(4).toString('hex')}`);
    return { actual, reference };
  } finally {
    if (client !== database) (client as pg.PoolClient).release();
  }
}
