// The API as a frontend uses it: real HTTP, RS256 tokens verified by @clerk/backend, PostGraphile
// over the authenticator login, on a database of its own holding two tenants (tenancyWorld.ts).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FORBIDDEN_MESSAGE } from '../../../server/graphql/maskError.ts';
import { startTestApp, type RunningApp } from '../../helpers/app.ts';
import { endTestPools } from '../../helpers/db.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/scratchDatabase.ts';
import { AUDIT, MEMBERSHIP, ORG, USER, createWorld, tokenPermissions, type RoleKey } from '../../helpers/tenancyWorld.ts';
import { CLAIM_SHAPES, TEST_AZP, makeSigningKey, signToken, type ClaimShape } from '../../helpers/tokens.ts';

const key = makeSigningKey();
const logLines: string[] = [];
let database: ScratchDatabase;
let app: RunningApp;

beforeAll(async () => {
  database = await createScratchDatabase('graphql_tenancy');
  const client = await database.owner.connect();
  try {
    await createWorld(client);
  } finally {
    client.release();
  }
  app = await startTestApp(
    { CLERK_JWT_KEY: key.publicPem, CLERK_AUTHORIZED_PARTIES: TEST_AZP, LOG_LEVEL: 'error' },
    database,
    { write: (line) => logLines.push(line) },
  );
}, 60_000);
afterAll(async () => {
  await app?.close();
  await database?.drop();
  await endTestPools();
});

function tokenFor(userId: string, orgId?: string, role?: RoleKey, shape: ClaimShape = 'v1'): string {
  return signToken(key, CLAIM_SHAPES[shape]({ userId, orgId, role, permissions: role ? tokenPermissions(role) : undefined }));
}

async function graphql(query: string, token?: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { data?: any; errors?: any[] };
}

const ids = (connection: { nodes: { id: string }[] }) => connection.nodes.map((node) => node.id).sort();

const EVERYTHING = `{
  organizations { nodes { id } }
  users { nodes { id } }
  organizationMemberships { nodes { id } }
  auditLogs { nodes { svixId } }
}`;

describe('the GraphQL API', () => {
  it("never lets two organizations' data cross", async () => {
    const acme = await graphql(EVERYTHING, tokenFor(USER.alice, ORG.acme, 'org:admin'));
    const globex = await graphql(EVERYTHING, tokenFor(USER.carol, ORG.globex, 'org:admin'));
    expect(acme.errors).toBeUndefined();
    expect(ids(acme.data.organizations)).toEqual([ORG.acme]);
    expect(ids(acme.data.users)).toEqual([USER.alice, USER.bob, USER.frank]);
    expect(ids(acme.data.organizationMemberships)).toEqual([MEMBERSHIP.aliceAcme, MEMBERSHIP.bobAcme, MEMBERSHIP.frankAcme, MEMBERSHIP.ginaAcme]);
    expect(acme.data.auditLogs.nodes.map((row: any) => row.svixId).sort()).toEqual([AUDIT.acmeCreated, AUDIT.acmeMember]);
    expect(ids(globex.data.organizations)).toEqual([ORG.globex]);
    expect(ids(globex.data.users)).toEqual([USER.carol, USER.frank]);
    expect(ids(globex.data.organizationMemberships)).toEqual([MEMBERSHIP.carolGlobex, MEMBERSHIP.frankGlobex]);
    expect(globex.data.auditLogs.nodes).toEqual([{ svixId: AUDIT.globexCreated }]);

    const lookup = await graphql(`query ($id: String!) { organization(id: $id) { id } }`, tokenFor(USER.alice, ORG.acme, 'org:admin'), { id: ORG.globex });
    expect(lookup).toEqual({ data: { organization: null } });
  });

  it.each(Object.keys(CLAIM_SHAPES) as ClaimShape[])('shows members their organization and its members (%s token)', async (shape) => {
    const { data, errors } = await graphql(
      `{
        currentUser { id firstName }
        currentOrganization {
          name
          organizationMemberships(orderBy: ID_ASC) { nodes { role user { id firstName } } }
        }
      }`,
      tokenFor(USER.bob, ORG.acme, 'org:member', shape),
    );
    expect(errors).toBeUndefined();
    expect(data).toEqual({
      currentUser: { id: USER.bob, firstName: 'Bob' },
      currentOrganization: {
        name: 'Acme Freight',
        organizationMemberships: {
          nodes: [
            { role: 'org:admin', user: { id: USER.alice, firstName: 'Alice' } },
            { role: 'org:member', user: { id: USER.bob, firstName: 'Bob' } },
            { role: 'org:member', user: { id: USER.frank, firstName: 'Frank' } },
            // Gina's user row is deleted (hidden); her membership has not ended yet.
            { role: 'org:member', user: null },
          ],
        },
      },
    });
  });

  it.each(Object.keys(CLAIM_SHAPES) as ClaimShape[])('shows audit logs to admins, not to members (%s token)', async (shape) => {
    const query = `{ hasPermission(permission: "org:admin:view_audit_logs") auditLogs { totalCount } }`;
    const admin = await graphql(query, tokenFor(USER.alice, ORG.acme, 'org:admin', shape));
    const member = await graphql(query, tokenFor(USER.bob, ORG.acme, 'org:member', shape));
    expect(admin).toEqual({ data: { hasPermission: true, auditLogs: { totalCount: 2 } } });
    expect(member).toEqual({ data: { hasPermission: false, auditLogs: { totalCount: 0 } } });
  });

  it("scopes data by the token's organization claim: the claim is the key", async () => {
    // Frank belongs to both tenants; each token opens exactly one of them.
    const query = `{ currentOrgId organizations { nodes { id } } organizationMemberships { nodes { id } } }`;
    const atAcme = await graphql(query, tokenFor(USER.frank, ORG.acme, 'org:member'));
    const atGlobex = await graphql(query, tokenFor(USER.frank, ORG.globex, 'org:compliance'));
    expect(atAcme.data.currentOrgId).toBe(ORG.acme);
    expect(ids(atAcme.data.organizations)).toEqual([ORG.acme]);
    expect(atAcme.data.organizationMemberships.nodes).toHaveLength(4);
    expect(atGlobex.data.currentOrgId).toBe(ORG.globex);
    expect(ids(atGlobex.data.organizations)).toEqual([ORG.globex]);
    expect(ids(atGlobex.data.organizationMemberships)).toEqual([MEMBERSHIP.carolGlobex, MEMBERSHIP.frankGlobex]);
    // Without an organization in the token, the same user sees only their own profile.
    const personal = await graphql(EVERYTHING, tokenFor(USER.frank));
    expect(personal.data).toEqual({ organizations: { nodes: [] }, users: { nodes: [{ id: USER.frank }] }, organizationMemberships: { nodes: [] }, auditLogs: { nodes: [] } });
  });

  it('answers "who am I" questions of anonymous visitors with null', async () => {
    const { data, errors } = await graphql(`{ currentUserId currentOrgId currentOrgRole currentPermissions hasPermission(permission: "org:sys_memberships:read") currentUser { id } currentOrganization { id } }`);
    expect(errors).toBeUndefined();
    expect(data).toEqual({ currentUserId: null, currentOrgId: null, currentOrgRole: null, currentPermissions: [], hasPermission: false, currentUser: null, currentOrganization: null });
  });

  it('answers null for an organization that is deleted and a user not synced yet', async () => {
    const { data, errors } = await graphql(`{ currentUser { id } currentOrganization { id } }`, tokenFor('user_2notsyncedyet', ORG.gone, 'org:admin'));
    expect(errors).toBeUndefined();
    expect(data).toEqual({ currentUser: null, currentOrganization: null });
  });

  it('shows anonymous visitors nothing tenant-scoped, with a clear permission error', async () => {
    const { data, errors } = await graphql(`{ currentUserId organizations { nodes { id } } users { nodes { id } } }`);
    expect(data).toEqual({ currentUserId: null, organizations: null, users: null });
    expect(errors).toEqual([
      { message: FORBIDDEN_MESSAGE, locations: expect.any(Array), path: ['organizations'], extensions: { code: 'FORBIDDEN' } },
      { message: FORBIDDEN_MESSAGE, locations: expect.any(Array), path: ['users'], extensions: { code: 'FORBIDDEN' } },
    ]);
  });

  it('keeps SQL errors to itself: the client gets a reference, the log gets the details', async () => {
    const { errors } = await graphql(`{ auditLog(id: "99999999999999999999") { id } }`, tokenFor(USER.alice, ORG.acme, 'org:admin'));
    expect(errors).toHaveLength(1);
    const [error] = errors!;
    expect(error.message).toMatch(/^An unexpected error occurred \(reference [0-9a-f-]{36}\)\.$/);
    expect(JSON.stringify(error)).not.toMatch(/bigint|range|select|app_public/i);
    expect(logLines.some((line) => line.includes(error.extensions.reference) && /out of range/.test(line))).toBe(true);
  });

  it('answers the example query of docs/graphql.md', async () => {
    const page = readFileSync('docs/graphql.md', 'utf8');
    const example = /# The GraphQL API[\s\S]*?```graphql\n([\s\S]*?)```/.exec(page)![1];
    const { data, errors } = await graphql(example, tokenFor(USER.alice, ORG.acme, 'org:admin'));
    expect(errors).toBeUndefined();
    expect(data.currentUser.id).toBe(USER.alice);
    expect(data.currentOrganization.organizationMemberships.nodes).toHaveLength(4);
    expect(data.currentOrganization.auditLogs.nodes).toHaveLength(2);
    expect(data.hasPermission).toBe(true);
  });

  it('offers no mutations of synced data', async () => {
    for (const [mutation, field] of [
      ['mutation { updateOrganization(input: { id: "org_2acme", patch: {} }) { clientMutationId } }', 'updateOrganization'],
      ['mutation { createOrganizationMembership(input: {}) { clientMutationId } }', 'createOrganizationMembership'],
      ['mutation { deleteUser(input: { id: "user_2bob" }) { clientMutationId } }', 'deleteUser'],
    ]) {
      const response = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor(USER.alice, ORG.acme, 'org:admin')}` },
        body: JSON.stringify({ query: mutation }),
      });
      expect(response.status).toBe(400);
      const { errors } = await response.json();
      expect(errors).toHaveLength(1);
      expect(errors[0].message).toMatch(new RegExp(`^Cannot query field "${field}" on type "Mutation"\\.`));
    }
  });
});
