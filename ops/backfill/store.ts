// The backfill's side of the database: its run/checkpoint rows, and the one way it changes synced
// data, app_private.handle_clerk_event (the webhook's own entry point, so ordering guards, audit
// and soft delete are never copied here).
import type pg from 'pg';
import {
  handleClerkEvents,
  type EventSource,
  type HandleClerkEventResult,
  type SynthesizedEvent,
} from '../../server/database/clerkEvents.ts';
import { withTransaction } from '../../server/database/transaction.ts';
import type { Cursor, FamilyName } from './families.ts';

export interface RunOptions {
  families: FamilyName[];
  reconcile: boolean;
  dryRun: boolean;
  /** Only objects changed at or after this time (ISO 8601); a resumed run keeps its cutoff. */
  since?: string;
}

export type Outcome = 'created' | 'updated' | 'stale' | 'unchanged' | 'ignored' | 'failed' | 'deleted';
export type FamilyCounts = Partial<Record<Outcome, number>>;
export type RunCounts = Partial<Record<string, FamilyCounts>>;

export interface RunRow {
  id: number;
  status: string;
  options: RunOptions;
  completedFamilies: string[];
  family: string | null;
  cursor: Cursor | null;
  counts: RunCounts;
}

function runFromRow(row: Record<string, unknown>): RunRow {
  return {
    id: Number(row.id),
    status: row.status as string,
    options: row.options as RunOptions,
    completedFamilies: row.completed_families as string[],
    family: row.family as string | null,
    cursor: row.cursor as Cursor | null,
    counts: row.counts as RunCounts,
  };
}

const RUN_COLUMNS = 'id, status, options, completed_families, family, cursor, counts';

/** The newest run that stopped before completing, if any. */
export async function findResumableRun(db: pg.Pool | pg.PoolClient): Promise<RunRow | null> {
  const { rows } = await db.query(
    `select ${RUN_COLUMNS} from app_private.backfill_runs
      where status in ('running', 'failed') and not (options->>'dryRun')::boolean
      order by id desc limit 1`,
  );
  return rows[0] ? runFromRow(rows[0]) : null;
}

/**
 * Starts a run. A real run supersedes the unfinished ones (their seen sets are dropped); a dry
 * run leaves them resumable.
 */
export async function startRun(db: pg.Pool, options: RunOptions): Promise<RunRow> {
  return withTransaction(db, async (client) => {
    const { rows: stale } = await client.query(
      `update app_private.backfill_runs set status = 'superseded', finished_at = now()
        where status in ('running', 'failed') and ($1 or (options->>'dryRun')::boolean) returning id`,
      [!options.dryRun],
    );
    if (stale.length) await client.query('delete from app_private.backfill_seen where run_id = any($1)', [stale.map((row) => row.id)]);
    const { rows } = await client.query(`insert into app_private.backfill_runs (options) values ($1) returning ${RUN_COLUMNS}`, [options]);
    return runFromRow(rows[0]);
  });
}

export async function reopenRun(db: pg.Pool, runId: number): Promise<void> {
  await db.query(`update app_private.backfill_runs set status = 'running', error = null, updated_at = now() where id = $1`, [runId]);
}

export async function saveCheckpoint(
  client: pg.PoolClient,
  runId: number,
  checkpoint: { family: string | null; cursor: Cursor | null; counts: RunCounts; completedFamily?: string },
): Promise<void> {
  await client.query(
    `update app_private.backfill_runs
        set family = $2, cursor = $3, counts = $4, updated_at = now(),
            completed_families = case when $5::text is null or $5 = any(completed_families) then completed_families
                                      else completed_families || $5::text end
      where id = $1`,
    [runId, checkpoint.family, checkpoint.cursor, checkpoint.counts, checkpoint.completedFamily ?? null],
  );
}

export async function finishRun(db: pg.Pool, runId: number, status: 'completed' | 'failed', error?: string): Promise<void> {
  await withTransaction(db, async (client) => {
    await client.query(
      `update app_private.backfill_runs set status = $2, error = $3, finished_at = case when $2 = 'completed' then now() end, updated_at = now() where id = $1`,
      [runId, status, error ?? null],
    );
    if (status === 'completed') await client.query('delete from app_private.backfill_seen where run_id = $1', [runId]);
  });
}

export async function markSeen(client: pg.PoolClient, runId: number, kind: string, ids: string[]): Promise<void> {
  if (!ids.length) return;
  await client.query(
    `insert into app_private.backfill_seen (run_id, kind, id) select $1, $2, unnest($3::text[]) on conflict do nothing`,
    [runId, kind, ids],
  );
}

/**
 * The ledger outcome of the keys already recorded. A replayed object whose key is there is the
 * same event again: handle_clerk_event would answer duplicate, so it is not sent at all (a nightly
 * rerun then costs one index lookup per object instead of a ledger write).
 */
export async function recordedOutcomes(client: pg.PoolClient, svixIds: string[]): Promise<Map<string, string>> {
  const { rows } = await client.query<{ svix_id: string; outcome: string }>(
    'select svix_id, outcome from app_private.webhook_events where svix_id = any($1::text[])',
    [svixIds],
  );
  return new Map(rows.map((row) => [row.svix_id, row.outcome]));
}

const TRANSACTION_ATTEMPTS = 5;

/**
 * Runs a batch in a transaction, again (up to 5 times) when Postgres rolled it back for a
 * transient reason: a batch locks many rows and can deadlock with a live webhook touching the same
 * ones. `body` must keep its effects inside the transaction (or recompute them on each attempt).
 */
export function inTransaction<T>(db: pg.Pool, body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withTransaction(db, body, { attempts: TRANSACTION_ATTEMPTS });
}

/**
 * Applies events inside the caller's transaction. A dry run applies them under a savepoint it
 * then rolls back: the outcomes are exactly what a real run would report, and nothing stays.
 */
export async function applyMaybeDry(client: pg.PoolClient, events: SynthesizedEvent[], dryRun: boolean, source: EventSource): Promise<HandleClerkEventResult[]> {
  if (!dryRun) return handleClerkEvents(client, events, source);
  await client.query('savepoint dry_run');
  try {
    return await handleClerkEvents(client, events, source);
  } finally {
    await client.query('rollback to savepoint dry_run');
  }
}

/** Synced tables by family; a family whose table does not exist yet has none. */
export const SYNCED_TABLE: Record<FamilyName, string> = {
  permissions: 'app_public.permissions',
  roles: 'app_public.roles',
  users: 'app_public.users',
  organizations: 'app_public.organizations',
  memberships: 'app_public.organization_memberships',
  invitations: 'app_public.organization_invitations',
};

export async function syncedTableExists(db: pg.Pool | pg.PoolClient, family: FamilyName): Promise<boolean> {
  const { rows } = await db.query<{ exists: boolean }>('select to_regclass($1) is not null as exists', [SYNCED_TABLE[family]]);
  return rows[0].exists;
}

/**
 * Which of these ids already hold a synced version, to tell a creation from an update. A
 * placeholder (created for a membership that arrived first, clerk_updated_at null) does not count.
 */
export async function existingIds(client: pg.PoolClient, family: FamilyName, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const { rows } = await client.query<{ id: string }>(
    `select id from ${SYNCED_TABLE[family]} where id = any($1::text[]) and clerk_updated_at is not null`,
    [ids],
  );
  return new Set(rows.map((row) => row.id));
}
