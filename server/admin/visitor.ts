// What the admin routes ask the database about the caller, answered as the caller: a transaction
// as `authenticated` with the verified claims (the same settings PostGraphile uses), so the claim
// helpers decide who and where the caller is, and row-level security decides whom they can see.
import type pg from 'pg';
import type { SessionClaims } from '../auth/verifySessionToken.ts';
import { MANAGE_MEMBERS_PERMISSION, REFERENCE_ROLES } from '../clerk/referenceRoles.ts';
import { pgSettingsFor } from '../auth/pgSettings.ts';
import { withTransaction } from '../database/transaction.ts';

export interface Caller {
  userId: string | null;
  organizationId: string | null;
  /**
   * An admin of the active organization by its synced, live membership there (role org:admin, or
   * the permission to manage members), in an organization that is not deleted. A token's claims
   * alone are not enough: they name the organization, the database says who administers it.
   */
  isAdmin: boolean;
}

export interface Member {
  membershipId: string;
  role: string | null;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
}

export function asVisitor<T>(pool: pg.Pool, claims: SessionClaims, body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withTransaction(pool, body, { readOnly: true, rollback: true, settings: pgSettingsFor(claims) });
}

export async function describeCaller(client: pg.PoolClient): Promise<Caller> {
  // Row-level security shows the caller only live memberships of their active organization, and
  // that organization only while it is not deleted.
  const { rows } = await client.query(
    `select app_public.current_user_id() as user_id,
            app_public.current_org_id() as organization_id,
            exists (
              select from app_public.organization_memberships m
                join app_public.organizations o on o.id = m.organization_id
               where m.user_id = app_public.current_user_id()
                 and m.organization_id = app_public.current_org_id()
                 and (m.role = 'org:admin' or $1 = any(m.permissions))
            ) as is_admin`,
    [MANAGE_MEMBERS_PERMISSION],
  );
  return { userId: rows[0].user_id, organizationId: rows[0].organization_id, isAdmin: Boolean(rows[0].is_admin) };
}

/** The user's live membership in the caller's active organization, as row-level security lets the caller see it. */
export async function memberOfActiveOrganization(client: pg.PoolClient, userId: string): Promise<Member | null> {
  const { rows } = await client.query(
    `select m.id, m.role, u.email, u.first_name, u.last_name
       from app_public.organization_memberships m
       left join app_public.users u on u.id = m.user_id
      where m.user_id = $1 and m.organization_id = app_public.current_org_id()
      limit 1`,
    [userId],
  );
  const row = rows[0];
  return row ? { membershipId: row.id, role: row.role, email: row.email, firstName: row.first_name, lastName: row.last_name } : null;
}

/**
 * Role keys a member may be given: the instance's synced roles (app_public.roles, kept by role.*
 * webhooks and the backfill). Before any role is synced, FleetFusion's reference roles
 * (server/clerk/referenceRoles.ts) plus every role a synced membership of the organization holds, so a fresh deployment
 * still works.
 */
export async function assignableRoles(client: pg.PoolClient): Promise<string[]> {
  const { rows: synced } = await client.query<{ key: string }>(`select key from app_public.roles where deleted_at is null and key is not null order by key`);
  if (synced.length) return synced.map((row) => row.key);
  const { rows } = await client.query<{ role: string }>(
    `select distinct role from app_public.organization_memberships where role is not null and organization_id = app_public.current_org_id()`,
  );
  return [...new Set([...REFERENCE_ROLES.map((role) => role.key), ...rows.map((row) => row.role)])].sort();
}
