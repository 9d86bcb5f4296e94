// The reference tenant's data for the GraphQL benchmark, made in SQL as the owner: in each of the
// benchmark organizations, member 1 becomes a dispatcher, members 2–11 drivers with a driver row,
// and the organization gets 5 vehicles and 400 loads (40 per driver, 0 for the rest unassigned).
import type { BenchDatabase } from './database.ts';
import { BENCH_ORGANIZATIONS, MEMBERS_PER_BENCH_ORGANIZATION, benchTenant } from './tenants.ts';

export const DISPATCHER_PERMISSIONS = [
  'org:sys_memberships:read', 'org:dispatcher:create_edit_loads', 'org:dispatcher:assign_drivers',
  'org:dispatcher:view_driver_vehicle_status', 'org:dispatcher:access_dispatch_dashboard',
];
export const DRIVER_PERMISSIONS = ['org:sys_memberships:read', 'org:driver:view_assigned_loads', 'org:driver:update_load_status', 'org:driver:upload_documents', 'org:driver:log_hos'];
export const DRIVERS_PER_ORGANIZATION = 10;
export const LOADS_PER_ORGANIZATION = 400;

/** The dispatcher and the first driver of the n-th benchmark organization. */
export function fleetTenant(n: number): { organizationId: string; dispatcherId: string; driverUserId: string; driverId: string } {
  const first = n * MEMBERS_PER_BENCH_ORGANIZATION;
  return {
    organizationId: benchTenant(n).organizationId,
    dispatcherId: `user_s${first + 1}`,
    driverUserId: `user_s${first + 2}`,
    driverId: `00000000-0000-4000-8000-${String(n * 100 + 2).padStart(12, '0')}`,
  };
}

export async function generateFleet(database: BenchDatabase): Promise<void> {
  const per = MEMBERS_PER_BENCH_ORGANIZATION;
  await database.sql(
    `update app_public.organization_memberships m
        set role = case when (substr(m.user_id, 7)::int % $1) = 1 then 'org:dispatcher' else 'org:driver' end,
            permissions = case when (substr(m.user_id, 7)::int % $1) = 1 then $3::text[] else $4::text[] end
      where m.organization_id = any($5) and (substr(m.user_id, 7)::int % $1) between 1 and $2 + 1`,
    [per, DRIVERS_PER_ORGANIZATION, DISPATCHER_PERMISSIONS, DRIVER_PERMISSIONS, Array.from({ length: BENCH_ORGANIZATIONS }, (_, n) => benchTenant(n).organizationId)],
  );
  await database.sql(
    `insert into app_public.drivers (id, organization_id, user_id, first_name, last_name, license_state, status)
     select ('00000000-0000-4000-8000-' || lpad((o * 100 + d)::text, 12, '0'))::uuid, 'org_s' || o, 'user_s' || (o * $1 + d), 'Driver', d::text, 'TX', 'active'
       from generate_series(0, $2 - 1) o, generate_series(2, $3 + 1) d`,
    [per, BENCH_ORGANIZATIONS, DRIVERS_PER_ORGANIZATION],
  );
  await database.sql(
    `insert into app_public.vehicles (id, organization_id, unit_number, make, model_year)
     select ('00000000-0000-4000-9000-' || lpad((o * 100 + v)::text, 12, '0'))::uuid, 'org_s' || o, 'T-' || v, 'Freightliner', 2022
       from generate_series(0, $1 - 1) o, generate_series(1, 5) v`,
    [BENCH_ORGANIZATIONS],
  );
  // Load i of organization o: driver 2 + i % 12 when that is one of the 10 drivers, else unassigned.
  await database.sql(
    `insert into app_public.loads (organization_id, load_number, customer_name, origin_city, origin_state, destination_city, destination_state,
                                   pickup_scheduled_at, delivery_scheduled_at, driver_id, vehicle_id, status, rate, estimated_miles)
     select 'org_s' || o, 'L-' || i, 'Customer ' || (i % 37), 'Dallas', 'TX', 'Tulsa', 'OK',
            now() + i * interval '1 hour', now() + i * interval '1 hour' + interval '6 hours',
            case when i % 12 < $3 then ('00000000-0000-4000-8000-' || lpad((o * 100 + 2 + i % 12)::text, 12, '0'))::uuid end,
            case when i % 12 < $3 then ('00000000-0000-4000-9000-' || lpad((o * 100 + 1 + i % 5)::text, 12, '0'))::uuid end,
            case when i % 12 < $3 then 'assigned' else 'pending' end::app_public.load_status, 1200 + i, 250 + i % 300
       from generate_series(0, $1 - 1) o, generate_series(1, $2) i`,
    [BENCH_ORGANIZATIONS, LOADS_PER_ORGANIZATION, DRIVERS_PER_ORGANIZATION],
  );
  await database.sql('vacuum analyze');
}

/** Three loads of the n-th benchmark organization, for the update mutation (the load worker takes its requests on its command line, which bounds their number). */
export async function loadIdsOf(database: BenchDatabase, n: number): Promise<string[]> {
  const { rows } = await database.sql<{ id: string }>(`select id from app_public.loads where organization_id = $1 order by load_number limit 3`, [benchTenant(n).organizationId]);
  return rows.map((row) => row.id);
}
