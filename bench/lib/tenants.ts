// Tenant data made in SQL, straight into the synced tables (as Clerk's history would have left
// them, without replaying it): `benchOrganizations` organizations of exactly 50 members each,
// whose admins the GraphQL benchmark signs in as, and the rest spread over the other organizations.
import type { BenchDatabase } from './database.ts';

export interface TenantShape {
  users: number;
  organizations: number;
  memberships: number;
}

export const MEMBERS_PER_BENCH_ORGANIZATION = 50;
export const BENCH_ORGANIZATIONS = 20;
export const MEMBER_PERMISSIONS = ['org:sys_memberships:read', 'org:driver:view_assigned_loads', 'org:driver:log_hos'];
export const ADMIN_PERMISSIONS = ['org:sys_memberships:read', 'org:sys_memberships:manage', 'org:admin:view_audit_logs', 'org:sys_domains:read'];

/** The organization and the admin of the n-th benchmark organization. */
export function benchTenant(n: number): { organizationId: string; userId: string } {
  return { organizationId: `org_s${n}`, userId: `user_s${n * MEMBERS_PER_BENCH_ORGANIZATION}` };
}

const IMAGE = 'https://img.clerk.com/eyJ0eXBlIjoiZGVmYXVsdCIsImlpZCI6Imluc18yd0JoTHNieURXRzJmV0FIZjJYNnFvQmQ4SUgifQ';

/** Adds users, organizations and memberships up to `shape` (rows already there are kept). */
export async function generateTenants(database: BenchDatabase, shape: TenantShape, log: (line: string) => void = () => undefined): Promise<void> {
  if (shape.memberships < BENCH_ORGANIZATIONS * MEMBERS_PER_BENCH_ORGANIZATION || shape.organizations <= BENCH_ORGANIZATIONS) {
    throw new Error(`the tenant data needs more than ${BENCH_ORGANIZATIONS} organizations and ${BENCH_ORGANIZATIONS * MEMBERS_PER_BENCH_ORGANIZATION} memberships`);
  }
  const count = async (table: string, prefix: string) =>
    (await database.sql<{ n: number }>(`select count(*)::int as n from app_public.${table} where id like $1`, [`${prefix}\\_s%`])).rows[0].n;
  const timed = async (what: string, sql: string, values: unknown[]) => {
    const started = performance.now();
    await database.sql(sql, values);
    log(`  ${what} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  };
  await timed(
    `users up to ${shape.users}`,
    `insert into app_public.users (id, email, first_name, last_name, image_url, public_metadata, onboarding_complete, role,
                                   last_sign_in_at, last_active_at, clerk_created_at, clerk_updated_at)
     select 'user_s' || g, 'driver' || g || '@fleet.example', 'First' || g, 'Last' || g, $3,
            jsonb_build_object('onboardingComplete', true, 'role', 'driver'), true, 'driver',
            now(), now(), now() - interval '30 days', now() - interval '1 day'
       from generate_series($1::int, $2::int - 1) g`,
    [await count('users', 'user'), shape.users, IMAGE],
  );
  await timed(
    `organizations up to ${shape.organizations}`,
    `insert into app_public.organizations (id, name, slug, image_url, max_allowed_memberships, admin_delete_enabled, public_metadata,
                                           clerk_created_at, clerk_updated_at)
     select 'org_s' || g, 'Fleet ' || g, 'fleet-s' || g, $3, 100, true,
            jsonb_build_object('mcNumber', (5600000000 + g)::text, 'dotNumber', 'US DOT ' || (1000000 + g), 'companyName', 'Fleet ' || g || ' LLC'),
            now() - interval '30 days', now() - interval '1 day'
       from generate_series($1::int, $2::int - 1) g`,
    [await count('organizations', 'org'), shape.organizations, IMAGE],
  );
  const firstMembership = await count('organization_memberships', 'orgmem');
  await timed(
    `memberships up to ${shape.memberships}`,
    `insert into app_public.organization_memberships (id, organization_id, user_id, role, role_name, permissions, clerk_created_at, clerk_updated_at)
     select 'orgmem_s' || g,
            'org_s' || case when g < k * per then g / per else k + g % (organizations - k) end,
            'user_s' || g % users,
            case when g % per = 0 then 'org:admin' else 'org:driver' end,
            case when g % per = 0 then 'Admin' else 'Driver' end,
            case when g % per = 0 then $7::text[] else $8::text[] end,
            now() - interval '30 days', now() - interval '1 day'
       from generate_series($1::int, $2::int - 1) g,
            (select $3::int as k, $4::int as per, $5::int as organizations, $6::int as users) as shape`,
    [
      firstMembership,
      shape.memberships,
      BENCH_ORGANIZATIONS,
      MEMBERS_PER_BENCH_ORGANIZATION,
      shape.organizations,
      shape.users,
      ADMIN_PERMISSIONS,
      MEMBER_PERMISSIONS,
    ],
  );
  await timed(
    `${shape.memberships - firstMembership} audit rows (one per new membership)`,
    `insert into app_public.audit_logs (organization_id, entity_kind, entity_id, action, changes, svix_id, event_type, occurred_at)
     select m.organization_id, 'organization_memberships', m.id, 'created',
            jsonb_build_object('role', jsonb_build_object('before', null, 'after', m.role)),
            'msg_s' || m.id, 'organizationMembership.created', m.clerk_created_at
       from generate_series($1::int, $2::int - 1) g
       join app_public.organization_memberships m on m.id = 'orgmem_s' || g`,
    [firstMembership, shape.memberships],
  );
  await database.sql('vacuum analyze');
}
