// What the synced tables hold, in a shape comparable with the fake Backend API's snapshot, and a
// way to deliver a webhook event straight to handle_clerk_event (as the webhook route does).
import type pg from 'pg';
import { handleClerkEvent, synthesizedEnvelope } from '../../server/database/clerkEvents.ts';
import type { FakeClerkBackendApi } from '../fakes/clerkBackendApi.ts';

export interface SyncedState {
  users: string[];
  organizations: string[];
  memberships: string[];
}

const ms = (column: string) => `(extract(epoch from ${column}) * 1000)::bigint`;

/** Live rows as `id@updated_at` (memberships also `organization/user/role`), sorted. */
export async function syncedState(db: pg.Pool): Promise<SyncedState> {
  const list = async (sql: string) => (await db.query<{ line: string }>(sql)).rows.map((row) => row.line);
  return {
    users: await list(`select id || '@' || ${ms('clerk_updated_at')} as line from app_public.users where deleted_at is null order by id`),
    organizations: await list(`select id || '@' || ${ms('clerk_updated_at')} as line from app_public.organizations where deleted_at is null order by id`),
    memberships: await list(
      `select id || '@' || ${ms('clerk_updated_at')} || ' ' || organization_id || '/' || user_id || '/' || role as line
         from app_public.organization_memberships where deleted_at is null order by id`,
    ),
  };
}

/** The same view of what Clerk (the fake) holds. */
export function clerkState(fake: FakeClerkBackendApi): SyncedState {
  const snapshot = fake.snapshot();
  const line = (object: Record<string, any>) => `${object.id}@${object.updated_at}`;
  return {
    users: snapshot.users.map(line).sort(),
    organizations: snapshot.organizations.map(line).sort(),
    memberships: snapshot.memberships
      .map((membership: Record<string, any>) => `${line(membership)} ${membership.organization.id}/${membership.public_user_data.user_id}/${membership.role}`)
      .sort(),
  };
}

export function deliverWebhook(db: pg.Pool, svixId: string, type: string, data: Record<string, unknown>, timestamp = Date.now()) {
  return handleClerkEvent(db, JSON.stringify(synthesizedEnvelope(type, data, timestamp)), svixId);
}

export async function countRows(db: pg.Pool, table: string, where = 'true'): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from ${table} where ${where}`);
  return rows[0].n;
}
