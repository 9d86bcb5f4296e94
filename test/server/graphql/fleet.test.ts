// The reference tenant's edges over real HTTP: what a driver may and may not do with loads and
// documents, assignment across organizations, access that follows the membership webhooks at once
// (fresher than the token), the audit trail of every write, and the organization's metadata fields.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type RunningApp } from '../../helpers/app.ts';
import { endTestPools } from '../../helpers/db.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/scratchDatabase.ts';
import {
  DOCUMENT, DRIVER, FLEET_ORG, FLEET_ROLE_PERMISSIONS, FLEET_USER, LOAD, VEHICLE, createFleetWorld, fleetTokenPermissions, membershipIdOf, type FleetRole,
} from '../../helpers/fleetWorld.ts';
import { TEST_AZP, makeSigningKey, signToken, v1Claims } from '../../helpers/tokens.ts';
import { deliverOverHttp } from '../../helpers/webhooks.ts';

const key = makeSigningKey();
let database: ScratchDatabase;
let app: RunningApp;

beforeAll(async () => {
  database = await createScratchDatabase('graphql_fleet');
  const client = await database.owner.connect();
  try {
    await createFleetWorld(client);
  } finally {
    client.release();
  }
  app = await startTestApp({ CLERK_JWT_KEY: key.publicPem, CLERK_AUTHORIZED_PARTIES: TEST_AZP }, database);
}, 60_000);
afterAll(async () => {
  await app?.close();
  await database?.drop();
  await endTestPools();
});

const tokenFor = (userId: string, role: FleetRole, orgId: string = FLEET_ORG.acme, permissions = fleetTokenPermissions(role)) =>
  signToken(key, v1Claims({ userId, orgId, role, permissions }));

const AS = {
  admin: () => tokenFor(FLEET_USER.alice, 'org:admin'),
  dispatcher: () => tokenFor(FLEET_USER.dan, 'org:dispatcher'),
  drew: () => tokenFor(FLEET_USER.drew, 'org:driver'),
  compliance: () => tokenFor(FLEET_USER.cora, 'org:compliance'),
};

async function graphql(token: string, query: string, variables: Record<string, unknown> = {}): Promise<{ data?: any; errors?: any[] }> {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { data?: any; errors?: any[] };
}

const codes = (result: { errors?: any[] }) => (result.errors ?? []).map((error) => error.extensions?.code);

const UPDATE_LOAD = `mutation ($id: UUID!, $patch: LoadPatch!) {
  updateLoad(input: { id: $id, patch: $patch }) { load { id status driverId deliveredAt actualMiles notes } }
}`;
const CREATE_LOAD = `mutation ($load: LoadInput!) { createLoad(input: { load: $load }) { load { id organizationId driverId createdBy } } }`;
const CREATE_DOCUMENT = `mutation ($document: ComplianceDocumentInput!) {
  createComplianceDocument(input: { complianceDocument: $document }) { complianceDocument { id status uploadedBy } }
}`;
const LOADS = `{ loads(orderBy: LOAD_NUMBER_ASC) { nodes { id loadNumber status } } }`;

let loadNumber = 0;
const newLoad = (extra: Record<string, unknown> = {}) => ({
  loadNumber: `T-${(loadNumber += 1)}`, customerName: 'Shipper', originCity: 'Dallas', originState: 'TX', destinationCity: 'Memphis', destinationState: 'TN', ...extra,
});

async function loadRow(id: string): Promise<Record<string, any>> {
  const { rows } = await database.owner.query(`select * from app_public.loads where id = $1`, [id]);
  return rows[0];
}

describe('a driver', () => {
  it("sees only their own loads, never another driver's", async () => {
    const { data, errors } = await graphql(AS.drew(), `query ($other: UUID!) { loads { nodes { id } } load(id: $other) { id } currentDriverId }`, { other: LOAD.dora });
    expect(errors).toBeUndefined();
    expect(data).toEqual({ loads: { nodes: [{ id: LOAD.drew }] }, load: null, currentDriverId: DRIVER.drew });
  });

  it("cannot edit another driver's load: not found", async () => {
    const before = await loadRow(LOAD.dora);
    const result = await graphql(AS.drew(), UPDATE_LOAD, { id: LOAD.dora, patch: { status: 'delivered' } });
    expect(codes(result)).toEqual(['NOT_FOUND']);
    expect(result.errors![0].message).toMatch(/^No such row in loads/);
    expect(await loadRow(LOAD.dora)).toEqual(before);
  });

  it('may change only the status and delivery fields of their own load', async () => {
    const before = await loadRow(LOAD.drew);
    for (const patch of [{ notes: 'call me' }, { rate: '9999.00' }, { status: 'in_transit', customerName: 'Someone else' }, { loadNumber: 'MINE' }]) {
      expect(codes(await graphql(AS.drew(), UPDATE_LOAD, { id: LOAD.drew, patch }))).toEqual(['FORBIDDEN']);
    }
    expect(await loadRow(LOAD.drew)).toEqual(before);

    const delivered = await graphql(AS.drew(), UPDATE_LOAD, {
      id: LOAD.drew,
      patch: { status: 'delivered', deliveredAt: '2026-03-02T15:30:00Z', actualMiles: 262, deliveryNotes: 'Dock 4' },
    });
    expect(delivered.errors).toBeUndefined();
    expect(delivered.data.updateLoad.load).toEqual({ id: LOAD.drew, status: 'delivered', driverId: DRIVER.drew, deliveredAt: '2026-03-02T15:30:00.000000+00:00', actualMiles: 262, notes: null });
  });

  it('cannot assign themselves a load, nor hand theirs to another driver', async () => {
    expect(codes(await graphql(AS.drew(), UPDATE_LOAD, { id: LOAD.open, patch: { driverId: DRIVER.drew } }))).toEqual(['NOT_FOUND']);
    expect(codes(await graphql(AS.drew(), UPDATE_LOAD, { id: LOAD.drew, patch: { driverId: DRIVER.dora } }))).toEqual(['FORBIDDEN']);
    expect(codes(await graphql(AS.drew(), UPDATE_LOAD, { id: LOAD.drew, patch: { vehicleId: null } }))).toEqual(['FORBIDDEN']);
    expect(codes(await graphql(AS.drew(), CREATE_LOAD, { load: newLoad({ driverId: DRIVER.drew }) }))).toEqual(['FORBIDDEN']);
    expect((await loadRow(LOAD.open)).driver_id).toBeNull();
    expect((await loadRow(LOAD.drew)).driver_id).toBe(DRIVER.drew);
  });

  it('uploads pending documents about themselves or their loads, and cannot verify them', async () => {
    const own = await graphql(AS.drew(), CREATE_DOCUMENT, { document: { documentType: 'bill_of_lading', title: 'BOL L-1', loadId: LOAD.drew, driverId: DRIVER.drew } });
    expect(own.errors).toBeUndefined();
    expect(own.data.createComplianceDocument.complianceDocument).toMatchObject({ status: 'pending', uploadedBy: FLEET_USER.drew });
    for (const document of [
      { documentType: 'cdl', title: "Dora's", driverId: DRIVER.dora },
      { documentType: 'bill_of_lading', title: "Dora's load", loadId: LOAD.dora },
      { documentType: 'cdl', title: 'Self-verified', driverId: DRIVER.drew, status: 'verified' },
    ]) {
      expect(codes(await graphql(AS.drew(), CREATE_DOCUMENT, { document }))).toEqual(['FORBIDDEN']);
    }
    const verify = `mutation ($id: UUID!) { updateComplianceDocument(input: { id: $id, patch: { status: verified } }) { complianceDocument { id } } }`;
    expect(codes(await graphql(AS.drew(), verify, { id: DOCUMENT.drew }))).toEqual(['NOT_FOUND']);
    const verified = await graphql(AS.compliance(), verify, { id: own.data.createComplianceDocument.complianceDocument.id });
    expect(verified.errors).toBeUndefined();
  });
});

describe('a dispatcher', () => {
  it('assigns a driver and vehicle of their own organization, never of another', async () => {
    const assigned = await graphql(AS.dispatcher(), UPDATE_LOAD, { id: LOAD.open, patch: { driverId: DRIVER.dora, status: 'assigned' } });
    expect(assigned.errors).toBeUndefined();
    expect(assigned.data.updateLoad.load).toMatchObject({ driverId: DRIVER.dora, status: 'assigned' });

    const crossDriver = await graphql(AS.dispatcher(), UPDATE_LOAD, { id: LOAD.open, patch: { driverId: DRIVER.globex } });
    expect(codes(crossDriver)).toEqual(['BAD_USER_INPUT']);
    expect(crossDriver.errors![0].message).toBe('A referenced row does not exist in your organization (or is still referenced).');
    const crossVehicle = await graphql(AS.dispatcher(), CREATE_LOAD, { load: newLoad({ vehicleId: VEHICLE.globex }) });
    expect(codes(crossVehicle)).toEqual(['BAD_USER_INPUT']);
    expect((await loadRow(LOAD.open)).driver_id).toBe(DRIVER.dora);
  });

  it("cannot write into another organization's data", async () => {
    expect(codes(await graphql(AS.dispatcher(), CREATE_LOAD, { load: newLoad({ organizationId: FLEET_ORG.globex }) }))).toEqual(['FORBIDDEN']);
    expect(codes(await graphql(AS.dispatcher(), UPDATE_LOAD, { id: LOAD.globex, patch: { notes: 'mine now' } }))).toEqual(['NOT_FOUND']);
    const { rows } = await database.owner.query(`select count(*)::int as n from app_public.loads where organization_id = $1`, [FLEET_ORG.globex]);
    expect(rows[0].n).toBe(1);
  });

  it('needs org:dispatcher:assign_drivers to assign', async () => {
    const withoutAssign = tokenFor(FLEET_USER.dan, 'org:dispatcher', FLEET_ORG.acme, ['org:dispatcher:create_edit_loads']);
    expect(codes(await graphql(withoutAssign, UPDATE_LOAD, { id: LOAD.open, patch: { driverId: null } }))).toEqual(['FORBIDDEN']);
    expect(codes(await graphql(withoutAssign, CREATE_LOAD, { load: newLoad({ driverId: DRIVER.dora }) }))).toEqual(['FORBIDDEN']);
    const unassigned = await graphql(withoutAssign, CREATE_LOAD, { load: newLoad() });
    expect(unassigned.errors).toBeUndefined();
    expect(unassigned.data.createLoad.load).toMatchObject({ organizationId: FLEET_ORG.acme, driverId: null, createdBy: FLEET_USER.dan });
  });
});

// Clerk's membership webhooks, signed like Svix's, for users added to Acme by these tests.
function membershipEvent(type: string, userId: string, role: FleetRole, updatedAt: number) {
  return {
    type,
    object: 'event',
    timestamp: updatedAt,
    data: {
      id: membershipIdOf(userId, FLEET_ORG.acme),
      object: 'organization_membership',
      role,
      role_name: role,
      permissions: FLEET_ROLE_PERMISSIONS[role],
      created_at: 1_760_000_000_000,
      updated_at: updatedAt,
      public_metadata: {},
      // Clerk embeds the organization as it is: a version of its own, applied like organization.updated.
      organization: {
        id: FLEET_ORG.acme, object: 'organization', name: 'Acme Freight', slug: 'acme-freight',
        public_metadata: { mcNumber: 'MC-123456', dotNumber: '1234567', companyName: 'Acme Freight LLC' }, created_at: 1_700_000_000_000, updated_at: 1_700_000_000_000,
      },
      public_user_data: { user_id: userId, first_name: 'New', last_name: 'Member', identifier: `${userId}@example.com`, image_url: '', has_image: false },
    },
  };
}

async function deliver(event: unknown): Promise<void> {
  const response = await deliverOverHttp(app.url, event);
  expect(response).toMatchObject({ status: 200, body: { status: 'processed' } });
}

describe('access follows the membership webhooks, not the token', () => {
  it('lets a member act before their webhook arrives, and stops a removed one at once', async () => {
    const userId = 'user_2fleet_rex';
    const token = tokenFor(userId, 'org:dispatcher');
    // No membership synced yet: the token is trusted as issued.
    const early = await graphql(token, CREATE_LOAD, { load: newLoad() });
    expect(early.errors).toBeUndefined();
    expect((await graphql(token, LOADS)).data.loads.nodes.length).toBeGreaterThan(0);

    await deliver(membershipEvent('organizationMembership.created', userId, 'org:dispatcher', 1_770_000_000_000));
    expect((await graphql(token, LOADS)).data.loads.nodes.length).toBeGreaterThan(0);
    expect((await graphql(token, `{ currentOrganization { id } }`)).data).toEqual({ currentOrganization: { id: FLEET_ORG.acme } });

    await deliver(membershipEvent('organizationMembership.deleted', userId, 'org:dispatcher', 1_770_000_100_000));
    // The same, still valid token: nothing to read, nothing to change.
    expect(await graphql(token, LOADS)).toEqual({ data: { loads: { nodes: [] } } });
    expect(codes(await graphql(token, CREATE_LOAD, { load: newLoad() }))).toEqual(['FORBIDDEN']);
    expect(codes(await graphql(token, UPDATE_LOAD, { id: early.data.createLoad.load.id, patch: { notes: 'still here?' } }))).toEqual(['NOT_FOUND']);
    const { data } = await graphql(token, `{ currentPermissions hasPermission(permission: "org:dispatcher:create_edit_loads") }`);
    expect(data).toEqual({ currentPermissions: [], hasPermission: false });
    // Nor the organization itself: its row, its members, its billing (a user always sees their own row).
    const organization = await graphql(token, `{ currentOrganization { id } organizations { nodes { id } } organizationMemberships { nodes { id } } users { nodes { id } } billingSubscriptions { nodes { id } } }`);
    expect(organization).toEqual({
      data: { currentOrganization: null, organizations: { nodes: [] }, organizationMemberships: { nodes: [] }, users: { nodes: [{ id: userId }] }, billingSubscriptions: { nodes: [] } },
    });
  });

  it('takes write access away from a demoted dispatcher at once', async () => {
    const userId = 'user_2fleet_sam';
    const token = tokenFor(userId, 'org:dispatcher');
    await deliver(membershipEvent('organizationMembership.created', userId, 'org:dispatcher', 1_770_000_000_000));
    expect((await graphql(token, CREATE_LOAD, { load: newLoad() })).errors).toBeUndefined();

    await deliver(membershipEvent('organizationMembership.updated', userId, 'org:member', 1_770_000_200_000));
    expect(codes(await graphql(token, CREATE_LOAD, { load: newLoad() }))).toEqual(['FORBIDDEN']);
    expect(codes(await graphql(token, UPDATE_LOAD, { id: LOAD.open, patch: { notes: 'demoted' } }))).toEqual(['NOT_FOUND']);
    expect(await graphql(token, LOADS)).toEqual({ data: { loads: { nodes: [] } } });
    const { data } = await graphql(token, `{ currentPermissions }`);
    expect(data).toEqual({ currentPermissions: ['org:sys_memberships:read'] });
  });
});

describe('the audit trail', () => {
  it('records every write with its actor and changed fields, readable by compliance', async () => {
    const created = await graphql(AS.admin(), `mutation { createVehicle(input: { vehicle: { unitNumber: "AUD-1", make: "Volvo" } }) { vehicle { id } } }`);
    const vehicleId = created.data.createVehicle.vehicle.id;
    await graphql(AS.admin(), `mutation ($id: UUID!) { updateVehicle(input: { id: $id, patch: { odometerMiles: 1000, make: "Volvo" } }) { vehicle { id } } }`, { id: vehicleId });
    await graphql(AS.admin(), `mutation ($id: UUID!) { deleteVehicle(input: { id: $id }) { vehicle { id } } }`, { id: vehicleId });
    const refused = await graphql(AS.dispatcher(), `mutation ($id: UUID!) { deleteVehicle(input: { id: $id }) { vehicle { id } } }`, { id: VEHICLE.acme });
    expect(codes(refused)).toEqual(['NOT_FOUND']);

    const { data, errors } = await graphql(
      AS.compliance(),
      `query ($id: String!) { auditLogs(condition: { entityId: $id }, orderBy: ID_ASC) { nodes { organizationId entityKind entityId action actorId changes svixId eventType } } }`,
      { id: vehicleId },
    );
    expect(errors).toBeUndefined();
    const rows = data.auditLogs.nodes;
    expect(rows.map((row: any) => [row.entityKind, row.action, row.actorId, row.organizationId, row.svixId, row.eventType])).toEqual([
      ['vehicles', 'created', FLEET_USER.alice, FLEET_ORG.acme, null, null],
      ['vehicles', 'updated', FLEET_USER.alice, FLEET_ORG.acme, null, null],
      ['vehicles', 'deleted', FLEET_USER.alice, FLEET_ORG.acme, null, null],
    ]);
    expect(rows[0].changes).toMatchObject({ unit_number: { before: null, after: 'AUD-1' }, make: { before: null, after: 'Volvo' }, status: { before: null, after: 'active' } });
    expect(rows[0].changes).not.toHaveProperty('notes');
    // Only what changed: the make was sent again unchanged; updated_at is bookkeeping.
    expect(rows[1].changes).toEqual({ odometer_miles: { before: null, after: 1000 } });
    expect(rows[2].changes).toMatchObject({ unit_number: { before: 'AUD-1', after: null } });
  });

  it("has a row for each of the driver's and dispatcher's writes, and keeps the sync's rows as they were", async () => {
    const { rows } = await database.owner.query(
      `select entity_kind, action, actor_id, changes from app_public.audit_logs where entity_id = $1 and actor_id is not null order by id`,
      [LOAD.drew],
    );
    expect(rows).toContainEqual(expect.objectContaining({ entity_kind: 'loads', action: 'updated', actor_id: FLEET_USER.drew, changes: expect.objectContaining({ status: { before: 'assigned', after: 'delivered' } }) }));
    const sync = await database.owner.query(
      `select actor_id, svix_id, event_type from app_public.audit_logs where entity_kind = 'organization_memberships' order by id`,
    );
    expect(sync.rows.length).toBeGreaterThan(0);
    for (const row of sync.rows) {
      expect(row.actor_id).toBeNull();
      expect(row.svix_id).toMatch(/^msg_/);
      expect(row.event_type).toMatch(/^organizationMembership\./);
    }
  });
});

describe('the organization', () => {
  it('exposes mcNumber, dotNumber and companyName from its public metadata', async () => {
    const { data, errors } = await graphql(AS.dispatcher(), `{ currentOrganization { mcNumber dotNumber companyName } }`);
    expect(errors).toBeUndefined();
    expect(data.currentOrganization).toEqual({ mcNumber: 'MC-123456', dotNumber: '1234567', companyName: 'Acme Freight LLC' });
  });
});
