// The reference tenant's own data, for the fleet tests: Acme Freight runs a fleet, Globex runs
// another. Acme's people, one per role of the role matrix:
//   alice (org:admin), dan (org:dispatcher), drew and dora (org:driver), cora (org:compliance),
//   bob (org:member); Globex: carol (org:admin).
// Drew and Dora have driver rows linked to their users; each organization has a vehicle, loads
// (Drew's, Dora's, one unassigned), compliance documents and an IFTA report, plus one spare row per
// table and role that the delete cells of the matrix may remove.
import type pg from 'pg';

/** The reference tenant's tables; the HTTP fleet matrix covers them, the synced tenancy matrix the rest. */
export const FLEET_TABLE_NAMES = ['drivers', 'vehicles', 'loads', 'compliance_documents', 'ifta_reports'];

export const FLEET_ORG = { acme: 'org_2fleet_acme', globex: 'org_2fleet_globex' } as const;
export const FLEET_USER = {
  alice: 'user_2fleet_alice',
  dan: 'user_2fleet_dan',
  drew: 'user_2fleet_drew',
  dora: 'user_2fleet_dora',
  cora: 'user_2fleet_cora',
  bob: 'user_2fleet_bob',
  carol: 'user_2fleet_carol',
} as const;

// The role matrix as Clerk stores it on memberships.
export const FLEET_ROLE_PERMISSIONS = {
  'org:admin': [
    'org:sys_domains:read', 'org:sys_domains:manage', 'org:sys_profile:manage', 'org:sys_profile:delete',
    'org:sys_memberships:read', 'org:sys_memberships:manage', 'org:admin:access_all_reports',
    'org:admin:configure_company_settings', 'org:admin:view_audit_logs', 'org:admin:manage_users_and_roles',
    'org:admin:view_edit_all_loads', 'org:sys_billing:manage', 'org:sys_billing:read',
  ],
  'org:compliance': [
    'org:sys_memberships:read', 'org:compliance:view_compliance_dashboard', 'org:compliance:access_audit_logs',
    'org:compliance:generate_compliance_req', 'org:compliance:upload_review_compliance',
  ],
  'org:dispatcher': [
    'org:sys_memberships:read', 'org:dispatcher:create_edit_loads', 'org:dispatcher:assign_drivers',
    'org:dispatcher:view_driver_vehicle_status', 'org:dispatcher:access_dispatch_dashboard',
  ],
  'org:driver': [
    'org:sys_memberships:read', 'org:driver:view_assigned_loads', 'org:driver:update_load_status',
    'org:driver:upload_documents', 'org:driver:log_hos',
  ],
  'org:member': ['org:sys_memberships:read'],
} as const;
export type FleetRole = keyof typeof FLEET_ROLE_PERMISSIONS;

/** What a session token carries: Clerk leaves system permissions (org:sys_*) out of it. */
export const fleetTokenPermissions = (role: FleetRole) => FLEET_ROLE_PERMISSIONS[role].filter((key) => !key.startsWith('org:sys_'));

export const FLEET_MEMBERS: [string, string, FleetRole][] = [
  [FLEET_USER.alice, FLEET_ORG.acme, 'org:admin'],
  [FLEET_USER.dan, FLEET_ORG.acme, 'org:dispatcher'],
  [FLEET_USER.drew, FLEET_ORG.acme, 'org:driver'],
  [FLEET_USER.dora, FLEET_ORG.acme, 'org:driver'],
  [FLEET_USER.cora, FLEET_ORG.acme, 'org:compliance'],
  [FLEET_USER.bob, FLEET_ORG.acme, 'org:member'],
  [FLEET_USER.carol, FLEET_ORG.globex, 'org:admin'],
];

export const membershipIdOf = (userId: string, orgId: string) => `orgmem_${userId.slice(5)}_${orgId.slice(4)}`;

const uuid = (prefix: string, n: number) => `${prefix}-0000-4000-8000-${String(n).padStart(12, '0')}`;
export const DRIVER = { drew: uuid('d0000000', 1), dora: uuid('d0000000', 2), globex: uuid('d0000000', 3) } as const;
export const VEHICLE = { acme: uuid('e0000000', 1), globex: uuid('e0000000', 2) } as const;
export const LOAD = { drew: uuid('10000000', 1), dora: uuid('10000000', 2), open: uuid('10000000', 3), globex: uuid('10000000', 4) } as const;
export const DOCUMENT = { drew: uuid('c0000000', 1), dora: uuid('c0000000', 2), globex: uuid('c0000000', 3) } as const;
export const IFTA = { acme: uuid('f0000000', 1), globex: uuid('f0000000', 2) } as const;

/** A spare row of `table` (Acme's) for `caller` to try to delete: one per table and caller. */
export const spareId = (table: string, caller: number) =>
  uuid({ drivers: 'd1000000', vehicles: 'e1000000', loads: '11000000', compliance_documents: 'c1000000', ifta_reports: 'f1000000' }[table]!, caller);

/** Inserts the world as the owner or superuser (outside a request, so no visitor rules apply). */
export async function createFleetWorld(client: pg.PoolClient | pg.Client, spareCallers = 0): Promise<void> {
  await client.query(
    `insert into app_public.organizations (id, name, slug, public_metadata) values
       ($1, 'Acme Freight', 'acme-freight', '{"mcNumber": "MC-123456", "dotNumber": "1234567", "companyName": "Acme Freight LLC"}'),
       ($2, 'Globex Logistics', 'globex-logistics', '{}')`,
    [FLEET_ORG.acme, FLEET_ORG.globex],
  );
  await client.query(
    `insert into app_public.users (id, first_name, email) select id, initcap(split_part(id, '_', 3)), split_part(id, '_', 3) || '@example.com' from unnest($1::text[]) as id`,
    [Object.values(FLEET_USER)],
  );
  for (const [userId, orgId, role] of FLEET_MEMBERS) {
    await client.query(
      `insert into app_public.organization_memberships (id, organization_id, user_id, role, permissions) values ($1, $2, $3, $4, $5)`,
      [membershipIdOf(userId, orgId), orgId, userId, role, FLEET_ROLE_PERMISSIONS[role]],
    );
  }
  await client.query(
    `insert into app_public.drivers (id, organization_id, user_id, first_name, last_name, license_state) values
       ($1, $4, $5, 'Drew', 'Miles', 'TX'), ($2, $4, $6, 'Dora', 'Lane', 'OK'), ($3, $7, null, 'Gus', 'Globex', 'NM')`,
    [DRIVER.drew, DRIVER.dora, DRIVER.globex, FLEET_ORG.acme, FLEET_USER.drew, FLEET_USER.dora, FLEET_ORG.globex],
  );
  await client.query(
    `insert into app_public.vehicles (id, organization_id, unit_number) values ($1, $3, 'T-100'), ($2, $4, 'G-1')`,
    [VEHICLE.acme, VEHICLE.globex, FLEET_ORG.acme, FLEET_ORG.globex],
  );
  await client.query(
    `insert into app_public.loads (id, organization_id, load_number, customer_name, origin_city, origin_state, destination_city, destination_state, driver_id, vehicle_id, status)
     values ($1, $5, 'L-1', 'Shipper A', 'Dallas', 'TX', 'Tulsa', 'OK', $6, $8, 'assigned'),
            ($2, $5, 'L-2', 'Shipper B', 'Austin', 'TX', 'Denver', 'CO', $7, null, 'assigned'),
            ($3, $5, 'L-3', 'Shipper C', 'Houston', 'TX', 'Omaha', 'NE', null, null, 'pending'),
            ($4, $9, 'G-1', 'Globex Co', 'Santa Fe', 'NM', 'Reno', 'NV', $10, $11, 'assigned')`,
    [LOAD.drew, LOAD.dora, LOAD.open, LOAD.globex, FLEET_ORG.acme, DRIVER.drew, DRIVER.dora, VEHICLE.acme, FLEET_ORG.globex, DRIVER.globex, VEHICLE.globex],
  );
  await client.query(
    `insert into app_public.compliance_documents (id, organization_id, document_type, title, driver_id) values
       ($1, $4, 'cdl', 'Drew CDL', $5), ($2, $4, 'medical_card', 'Dora medical card', $6), ($3, $7, 'cdl', 'Gus CDL', $8)`,
    [DOCUMENT.drew, DOCUMENT.dora, DOCUMENT.globex, FLEET_ORG.acme, DRIVER.drew, DRIVER.dora, FLEET_ORG.globex, DRIVER.globex],
  );
  await client.query(
    `insert into app_public.ifta_reports (id, organization_id, year, quarter, total_miles) values ($1, $3, 2026, 1, 48000), ($2, $4, 2026, 1, 9000)`,
    [IFTA.acme, IFTA.globex, FLEET_ORG.acme, FLEET_ORG.globex],
  );
  for (let caller = 1; caller <= spareCallers; caller += 1) {
    const org = FLEET_ORG.acme;
    await client.query(`insert into app_public.drivers (id, organization_id, first_name, last_name) values ($1, $2, 'Spare', 'Driver')`, [spareId('drivers', caller), org]);
    await client.query(`insert into app_public.vehicles (id, organization_id, unit_number) values ($1, $2, $3)`, [spareId('vehicles', caller), org, `S-${caller}`]);
    await client.query(
      `insert into app_public.loads (id, organization_id, load_number, customer_name, origin_city, origin_state, destination_city, destination_state)
       values ($1, $2, $3, 'Spare', 'Abilene', 'TX', 'Waco', 'TX')`,
      [spareId('loads', caller), org, `S-${caller}`],
    );
    await client.query(`insert into app_public.compliance_documents (id, organization_id, document_type, title) values ($1, $2, 'inspection', 'Spare')`, [spareId('compliance_documents', caller), org]);
    await client.query(`insert into app_public.ifta_reports (id, organization_id, year, quarter) values ($1, $2, $3, 1)`, [spareId('ifta_reports', caller), org, 2000 + caller]);
  }
}
