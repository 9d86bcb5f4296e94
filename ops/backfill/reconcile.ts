// Reconciliation: what the database still holds but Clerk no longer has (a missed
// `*.deleted` webhook) is deleted through handle_clerk_event with a synthesized deletion event, so
// soft delete, cascades and the audit row are the webhook's own. A candidate is only deleted after
// Clerk, asked by id, confirms it is gone.
import type pg from 'pg';
import { OBJECT_KIND, stillInClerk, type ClerkJson, type ListContext, type ReconciledFamily } from './families.ts';
import { failureMessage, synthesizedEnvelope, type SynthesizedEvent } from '../../server/database/clerkEvents.ts';
import { SYNCED_TABLE, applyMaybeDry, inTransaction } from './store.ts';

export interface ReconcileDeps {
  db: pg.Pool;
  context: ListContext;
  runId: number;
  dryRun: boolean;
  batchSize?: number;
  /**
   * Runs inside each batch's transaction, after its deletions: where the caller keeps its
   * checkpoint. What it returns runs once the transaction has committed.
   */
  onBatch?: (client: pg.PoolClient, family: ReconciledFamily, deleted: number) => Promise<() => void>;
}

interface Candidate {
  id: string;
  organizationId?: string;
  userId?: string;
  /** The membership as last synced, for the full object an organizationMembership.deleted carries. */
  data?: ClerkJson;
}

const DELETED_EVENT: Record<ReconciledFamily, string> = {
  users: 'user.deleted',
  organizations: 'organization.deleted',
  memberships: 'organizationMembership.deleted',
};

/** Rows not deleted in the database that this run did not see in Clerk. */
async function candidatesOf(db: pg.Pool, family: ReconciledFamily, runId: number): Promise<Candidate[]> {
  const unseen = `not exists (select 1 from app_private.backfill_seen s where s.run_id = $1 and s.kind = $2 and s.id = t.id)`;
  if (family === 'memberships') {
    const { rows } = await db.query(
      `select t.id, t.organization_id, t.user_id, t.role, t.role_name, t.permissions, t.public_metadata,
              (extract(epoch from t.clerk_created_at) * 1000)::bigint as created_at,
              (extract(epoch from t.clerk_updated_at) * 1000)::bigint as updated_at
         from ${SYNCED_TABLE.memberships} t
        where t.deleted_at is null and ${unseen}
        order by t.id`,
      [runId, OBJECT_KIND.memberships],
    );
    return rows.map((row) => ({
      id: row.id,
      organizationId: row.organization_id,
      userId: row.user_id,
      data: {
        object: 'organization_membership',
        id: row.id,
        role: row.role,
        role_name: row.role_name,
        permissions: row.permissions,
        public_metadata: row.public_metadata,
        organization: { object: 'organization', id: row.organization_id },
        public_user_data: { user_id: row.user_id },
        created_at: row.created_at === null ? null : Number(row.created_at),
        updated_at: row.updated_at === null ? null : Number(row.updated_at),
      },
    }));
  }
  const { rows } = await db.query(`select t.id from ${SYNCED_TABLE[family]} t where t.deleted_at is null and ${unseen} order by t.id`, [
    runId,
    OBJECT_KIND[family],
  ]);
  return rows.map((row) => ({ id: row.id }));
}

export function deletionEvent(family: ReconciledFamily, candidate: Candidate, now: number): SynthesizedEvent {
  const data = candidate.data ?? { object: OBJECT_KIND[family], id: candidate.id, deleted: true };
  return { svixId: `reconcile:${candidate.id}:deleted`, payload: synthesizedEnvelope(DELETED_EVENT[family], data, now) };
}

/** Deletions go children first, so each object gets its own deletion event and audit row. */
const DELETION_ORDER: ReconciledFamily[] = ['memberships', 'organizations', 'users'];

export interface ReconcileResult {
  deleted: Partial<Record<ReconciledFamily, number>>;
  failures: { id: string; family: string; error: string }[];
}

/**
 * Finds, for every listed family, the rows this run did not see in Clerk, keeps those Clerk
 * confirms are gone, and deletes them. All candidates are gathered before anything is deleted,
 * so a dry run and a real run count the same objects.
 */
export async function reconcile(families: ReconciledFamily[], deps: ReconcileDeps): Promise<ReconcileResult> {
  const gone = new Map<ReconciledFamily, Candidate[]>();
  for (const family of families) {
    const candidates = await candidatesOf(deps.db, family, deps.runId);
    if (!candidates.length) continue;
    const present = await stillInClerk(family, deps.context, candidates);
    gone.set(family, candidates.filter((candidate) => !present.has(candidate.id)));
  }
  const result: ReconcileResult = { deleted: {}, failures: [] };
  const batchSize = deps.batchSize ?? 250;
  const now = Date.now();
  for (const family of DELETION_ORDER) {
    const candidates = gone.get(family) ?? [];
    for (let first = 0; first < candidates.length; first += batchSize) {
      const batch = candidates.slice(first, first + batchSize);
      const committed = await inTransaction(deps.db, async (client) => {
        const results = await applyMaybeDry(client, batch.map((candidate) => deletionEvent(family, candidate, now)), deps.dryRun, 'reconcile');
        const failures = batch.flatMap((candidate, i) => (results[i].status === 'failed' ? [{ id: candidate.id, family, error: failureMessage(results[i]) }] : []));
        const deleted = batch.length - failures.length;
        const afterCommit = (await deps.onBatch?.(client, family, deleted)) ?? (() => undefined);
        return { deleted, failures, afterCommit };
      });
      committed.afterCommit();
      result.deleted[family] = (result.deleted[family] ?? 0) + committed.deleted;
      result.failures.push(...committed.failures);
    }
  }
  return result;
}
