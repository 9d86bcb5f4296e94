// The reference tenant's access matrix over real HTTP: every caller of the role matrix (admin,
// dispatcher, driver, compliance, member, anonymous, another organization's admin) × every fleet
// table × select / insert / update / delete, through the generated GraphQL mutations with RS256
// tokens verified like Clerk's. Each cell asserts its exact outcome: the ids seen, or `ok`,
// FORBIDDEN, NOT_FOUND. The other organization's admin aims its writes at Acme's rows (an insert
// naming Acme's organization, updates and deletes of Acme's ids). A table visitors may write that
// is not listed here fails the first test (the synced tenancy matrix lists the read-only ones).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type RunningApp } from '../../helpers/app.ts';
import { endTestPools, withRootDb } from '../../helpers/db.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/scratchDatabase.ts';
import {
  DOCUMENT, DRIVER, FLEET_ORG, FLEET_USER, IFTA, LOAD, VEHICLE, FLEET_TABLE_NAMES, createFleetWorld, fleetTokenPermissions, spareId, type FleetRole,
} from '../../helpers/fleetWorld.ts';
import { TEST_AZP, makeSigningKey, signToken, v1Claims } from '../../helpers/tokens.ts';

const key = makeSigningKey();
let database: ScratchDatabase;
let app: RunningApp;

const CALLERS: Record<string, { index: number; userId?: string; orgId?: string; role?: FleetRole }> = {
  admin: { index: 1, userId: FLEET_USER.alice, orgId: FLEET_ORG.acme, role: 'org:admin' },
  dispatcher: { index: 2, userId: FLEET_USER.dan, orgId: FLEET_ORG.acme, role: 'org:dispatcher' },
  driver: { index: 3, userId: FLEET_USER.drew, orgId: FLEET_ORG.acme, role: 'org:driver' },
  compliance: { index: 4, userId: FLEET_USER.cora, orgId: FLEET_ORG.acme, role: 'org:compliance' },
  member: { index: 5, userId: FLEET_USER.bob, orgId: FLEET_ORG.acme, role: 'org:member' },
  anonymous: { index: 6 },
  'other organization admin': { index: 7, userId: FLEET_USER.carol, orgId: FLEET_ORG.globex, role: 'org:admin' },
};

beforeAll(async () => {
  database = await createScratchDatabase('graphql_fleet_matrix');
  const client = await database.owner.connect();
  try {
    await createFleetWorld(client, Object.keys(CALLERS).length);
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

function tokenOf(caller: string): string | undefined {
  const { userId, orgId, role } = CALLERS[caller];
  return userId ? signToken(key, v1Claims({ userId, orgId, role, permissions: role ? fleetTokenPermissions(role) : [] })) : undefined;
}

async function graphql(caller: string, query: string, variables: Record<string, unknown> = {}): Promise<{ data?: any; errors?: any[] }> {
  const token = tokenOf(caller);
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { data?: any; errors?: any[] };
}

type Outcome = string[] | 'ok' | 'FORBIDDEN' | 'NOT_FOUND' | string;

/** `ok` when the mutation returned its row, else the error code; never a silent success. */
function writeOutcome(result: { data?: any; errors?: any[] }, field: string, entity: string): Outcome {
  if (result.errors?.length) return result.errors.map((error) => error.extensions?.code ?? error.message).join(', ');
  return result.data?.[field]?.[entity]?.id ? 'ok' : `silent: ${JSON.stringify(result.data)}`;
}

interface FleetTable {
  type: string;
  field: string;
  entity: string;
  /** Acme's rows, spare ones included. */
  acme: string[];
  /** A new row for the caller with this index, in Acme's organization. */
  create: (index: number) => Record<string, unknown>;
  /** The Acme row every caller tries to change, and the change. */
  target: string;
  patch: Record<string, unknown>;
}

const spares = (table: string) => Object.values(CALLERS).map(({ index }) => spareId(table, index));

export const FLEET_TABLES: Record<string, FleetTable> = {
  drivers: {
    type: 'Driver', field: 'drivers', entity: 'driver',
    acme: [DRIVER.drew, DRIVER.dora, ...spares('drivers')],
    create: () => ({ organizationId: FLEET_ORG.acme, firstName: 'New', lastName: 'Hire', status: 'active' }),
    target: DRIVER.dora, patch: { notes: 'checked' },
  },
  vehicles: {
    type: 'Vehicle', field: 'vehicles', entity: 'vehicle',
    acme: [VEHICLE.acme, ...spares('vehicles')],
    create: (index) => ({ organizationId: FLEET_ORG.acme, unitNumber: `N-${index}`, modelYear: 2024 }),
    target: VEHICLE.acme, patch: { odometerMiles: 120500 },
  },
  loads: {
    type: 'Load', field: 'loads', entity: 'load',
    acme: [LOAD.drew, LOAD.dora, LOAD.open, ...spares('loads')],
    create: (index) => ({
      organizationId: FLEET_ORG.acme, loadNumber: `N-${index}`, customerName: 'New shipper',
      originCity: 'El Paso', originState: 'TX', destinationCity: 'Phoenix', destinationState: 'AZ', rate: '1850.00', estimatedMiles: 430,
    }),
    target: LOAD.drew, patch: { status: 'in_transit' },
  },
  compliance_documents: {
    type: 'ComplianceDocument', field: 'complianceDocuments', entity: 'complianceDocument',
    acme: [DOCUMENT.drew, DOCUMENT.dora, ...spares('compliance_documents')],
    create: () => ({ organizationId: FLEET_ORG.acme, documentType: 'medical_card', title: 'Medical card', driverId: DRIVER.drew }),
    target: DOCUMENT.dora, patch: { status: 'verified' },
  },
  ifta_reports: {
    type: 'IftaReport', field: 'iftaReports', entity: 'iftaReport',
    acme: [IFTA.acme, ...spares('ifta_reports')],
    create: (index) => ({ organizationId: FLEET_ORG.acme, year: 2050 + index, quarter: 2, totalMiles: 51000 }),
    target: IFTA.acme, patch: { taxDue: '812.40' },
  },
};

const GLOBEX: Record<string, string[]> = {
  drivers: [DRIVER.globex], vehicles: [VEHICLE.globex], loads: [LOAD.globex], compliance_documents: [DOCUMENT.globex], ifta_reports: [IFTA.globex],
};

const ALL = (table: string) => FLEET_TABLES[table].acme;
const NONE: string[] = [];
const F = 'FORBIDDEN';
const N = 'NOT_FOUND';

// [select, insert, update, delete] per caller and table.
const EXPECTED: Record<string, Record<string, [string[] | string, string, string, string]>> = {
  admin: {
    drivers: [ALL('drivers'), 'ok', 'ok', 'ok'],
    vehicles: [ALL('vehicles'), 'ok', 'ok', 'ok'],
    loads: [ALL('loads'), 'ok', 'ok', 'ok'],
    compliance_documents: [ALL('compliance_documents'), 'ok', 'ok', 'ok'],
    ifta_reports: [ALL('ifta_reports'), 'ok', 'ok', 'ok'],
  },
  dispatcher: {
    drivers: [ALL('drivers'), F, N, N],
    vehicles: [ALL('vehicles'), F, N, N],
    loads: [ALL('loads'), 'ok', 'ok', N],
    compliance_documents: [NONE, F, N, N],
    ifta_reports: [NONE, F, N, N],
  },
  driver: {
    drivers: [[DRIVER.drew], F, N, N],
    vehicles: [NONE, F, N, N],
    loads: [[LOAD.drew], F, 'ok', N],
    compliance_documents: [[DOCUMENT.drew], 'ok', N, N],
    ifta_reports: [NONE, F, N, N],
  },
  compliance: {
    drivers: [ALL('drivers'), F, N, N],
    vehicles: [ALL('vehicles'), F, N, N],
    loads: [NONE, F, N, N],
    compliance_documents: [ALL('compliance_documents'), 'ok', 'ok', 'ok'],
    ifta_reports: [ALL('ifta_reports'), 'ok', 'ok', 'ok'],
  },
  member: Object.fromEntries(Object.keys(FLEET_TABLES).map((table) => [table, [NONE, F, N, N]])),
  anonymous: Object.fromEntries(Object.keys(FLEET_TABLES).map((table) => [table, [F, F, F, F]])),
  'other organization admin': Object.fromEntries(Object.keys(FLEET_TABLES).map((table) => [table, [GLOBEX[table], F, N, N]])),
};

async function selectOutcome(caller: string, table: string): Promise<Outcome> {
  const { field } = FLEET_TABLES[table];
  const result = await graphql(caller, `{ ${field} { nodes { id } } }`);
  if (result.errors?.length) return result.errors.map((error) => error.extensions?.code ?? error.message).join(', ');
  return result.data[field].nodes.map((node: { id: string }) => node.id).sort();
}

async function insertOutcome(caller: string, table: string): Promise<Outcome> {
  const { type, entity, create } = FLEET_TABLES[table];
  const result = await graphql(caller, `mutation ($row: ${type}Input!) { create${type}(input: { ${entity}: $row }) { ${entity} { id } } }`, {
    row: create(CALLERS[caller].index),
  });
  return writeOutcome(result, `create${type}`, entity);
}

async function updateOutcome(caller: string, table: string): Promise<Outcome> {
  const { type, entity, target, patch } = FLEET_TABLES[table];
  const result = await graphql(caller, `mutation ($id: UUID!, $patch: ${type}Patch!) { update${type}(input: { id: $id, patch: $patch }) { ${entity} { id } } }`, {
    id: target,
    patch,
  });
  return writeOutcome(result, `update${type}`, entity);
}

async function deleteOutcome(caller: string, table: string): Promise<Outcome> {
  const { type, entity } = FLEET_TABLES[table];
  const result = await graphql(caller, `mutation ($id: UUID!) { delete${type}(input: { id: $id }) { ${entity} { id } } }`, {
    id: spareId(table, CALLERS[caller].index),
  });
  return writeOutcome(result, `delete${type}`, entity);
}

describe('the fleet access matrix over HTTP', () => {
  it('covers every table visitors may write', async () => {
    const writable = await withRootDb(async (client) => {
      const { rows } = await client.query(
        `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'app_public' and c.relkind in ('r', 'v', 'm', 'p')
            and (has_table_privilege('authenticated', c.oid, 'insert, update, delete')
                 or has_any_column_privilege('authenticated', c.oid, 'insert, update'))
          order by 1`,
      );
      return rows.map((row) => row.relname);
    });
    expect(writable).toEqual(Object.keys(FLEET_TABLES).sort());
    expect(FLEET_TABLE_NAMES).toEqual(Object.keys(FLEET_TABLES));
  });

  // Reads first, while every row is there; then each caller's writes. Writes touch different rows
  // per caller (their own new row, their own spare row to delete) or are idempotent (the update).
  it('lets every caller read exactly its rows', async () => {
    const seen: Record<string, Record<string, Outcome>> = {};
    const expected: Record<string, Record<string, Outcome>> = {};
    for (const caller of Object.keys(CALLERS)) {
      seen[caller] = {};
      expected[caller] = {};
      for (const table of Object.keys(FLEET_TABLES)) {
        seen[caller][table] = await selectOutcome(caller, table);
        const want = EXPECTED[caller][table][0];
        expected[caller][table] = Array.isArray(want) ? [...want].sort() : want;
      }
    }
    expect(seen).toEqual(expected);
  });

  it.each(Object.keys(CALLERS))('%s: inserts, updates and deletes exactly as the role matrix says', async (caller) => {
    const outcomes: Record<string, Outcome[]> = {};
    const expected: Record<string, Outcome[]> = {};
    for (const table of Object.keys(FLEET_TABLES)) {
      outcomes[table] = [await insertOutcome(caller, table), await updateOutcome(caller, table), await deleteOutcome(caller, table)];
      expected[table] = EXPECTED[caller][table].slice(1);
    }
    expect(outcomes).toEqual(expected);
  });
});
