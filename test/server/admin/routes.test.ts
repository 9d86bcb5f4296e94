// The seeds' admin actions over HTTP: real server, JWTs minted with a local key (CLERK_JWT_KEY),
// the fake Backend API as Clerk, and a database of its own synced from it by the backfill.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createBackendApi } from '../../../server/clerk/backendApi.ts';
import { runBackfill } from '../../../ops/backfill/backfill.ts';
import { FakeClerkBackendApi } from '../../fakes/clerkBackendApi.ts';
import { permissionsOfRole } from '../../fixtures/roleMatrix.ts';
import { startTestApp, type RunningApp } from '../../helpers/app.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/scratchDatabase.ts';
import { countRows, deliverWebhook } from '../../helpers/syncedState.ts';
import { CLAIM_SHAPES, makeSigningKey, signToken, v1Claims, type ClaimShape } from '../../helpers/tokens.ts';

const key = makeSigningKey();
const fake = new FakeClerkBackendApi();
let database: ScratchDatabase;
let app: RunningApp;

// Acme: alice (admin), bob (member), carol (driver); Globex: dave (admin), erin (member).
const people: Record<string, string> = {};
const orgs: Record<string, string> = {};

const permissionsOf = (role: string) => permissionsOfRole(role).filter((key) => !key.startsWith('org:sys_'));

function tokenFor(person: string, shape: ClaimShape = 'v1', overrides: { orgId?: string; role?: string } = {}): string {
  const [org, role] = ({ alice: ['acme', 'org:admin'], bob: ['acme', 'org:member'], carol: ['acme', 'org:driver'], dave: ['globex', 'org:admin'], erin: ['globex', 'org:member'] } as Record<string, [string, string]>)[person];
  const orgRole = overrides.role ?? role;
  return signToken(key, CLAIM_SHAPES[shape]({ userId: people[person], orgId: overrides.orgId ?? orgs[org], role: orgRole, permissions: permissionsOf(orgRole) }));
}

async function post(path: string, body: unknown, token?: string) {
  const response = await fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

const setRole = (body: unknown, token?: string) => post('/api/admin/set-role', body, token);
const syncUser = (body: unknown, token?: string) => post('/api/users/sync-from-clerk', body, token);

async function roleInDatabase(userId: string, organizationId: string) {
  const { rows } = await database.owner.query(`select role from app_public.organization_memberships where user_id = $1 and organization_id = $2`, [userId, organizationId]);
  return rows[0]?.role;
}

beforeAll(async () => {
  for (const person of ['alice', 'bob', 'carol', 'dave', 'erin']) {
    people[person] = fake.createUser({ firstName: person[0].toUpperCase() + person.slice(1), lastName: 'Tester', email: `${person}@fleet.example` }).id as string;
  }
  orgs.acme = fake.createOrganization({ name: 'Acme Freight' }).id as string;
  orgs.globex = fake.createOrganization({ name: 'Globex Logistics' }).id as string;
  fake.addMembership(orgs.acme, people.alice, 'org:admin');
  fake.addMembership(orgs.acme, people.bob, 'org:member');
  fake.addMembership(orgs.acme, people.carol, 'org:driver');
  fake.addMembership(orgs.globex, people.dave, 'org:admin');
  fake.addMembership(orgs.globex, people.erin, 'org:member');
  await fake.start();
  database = await createScratchDatabase('admin');
  await runBackfill(
    { families: ['users', 'organizations', 'memberships'], resume: false, reconcile: false, dryRun: false },
    { api: createBackendApi({ secretKey: fake.secretKey, apiUrl: fake.url }), db: database.owner },
  );
  app = await startTestApp({ CLERK_JWT_KEY: key.publicPem, CLERK_SECRET_KEY: fake.secretKey, CLERK_API_URL: fake.url }, database);
});

afterAll(async () => {
  await app?.close();
  await fake.stop();
  await database?.drop();
});

describe('POST /api/admin/set-role', () => {
  it('lets an admin change a member\'s role through Clerk and shows it at once; the later webhook is a no-op', async () => {
    const audits = await countRows(database.owner, 'app_public.audit_logs');
    const response = await setRole({ targetUserId: people.bob, role: 'org:dispatcher' }, tokenFor('alice'));
    expect(response).toEqual({
      status: 200,
      body: {
        success: true,
        message: `role of ${people.bob} changed to org:dispatcher`,
        user: { id: people.bob, email: 'bob@fleet.example', firstName: 'Bob', lastName: 'Tester', role: 'org:dispatcher' },
      },
    });
    const inClerk = fake.findMembership(orgs.acme, people.bob)!;
    expect(inClerk.role).toBe('org:dispatcher');
    expect(await roleInDatabase(people.bob, orgs.acme)).toBe('org:dispatcher');
    expect(await countRows(database.owner, 'app_public.audit_logs')).toBe(audits + 1);

    const webhook = await deliverWebhook(database.owner, 'msg_clerk_role_change', 'organizationMembership.updated', inClerk, inClerk.updated_at as number);
    expect(webhook.status).toBe('stale');
    expect(await countRows(database.owner, 'app_public.audit_logs')).toBe(audits + 1);
  });

  it.each(Object.keys(CLAIM_SHAPES) as ClaimShape[])('recognises the admin in a %s token, and a role key without its org: prefix', async (shape) => {
    const role = { neonTemplate: 'compliance', v1: 'driver', v2: 'member' }[shape];
    const response = await setRole({ targetUserId: people.carol, role }, tokenFor('alice', shape));
    expect(response.status).toBe(200);
    expect(response.body.user.role).toBe(`org:${role}`);
    expect(await roleInDatabase(people.carol, orgs.acme)).toBe(`org:${role}`);
  });

  it('answers success without asking Clerk when the member already has the role', async () => {
    const before = fake.requests.length;
    const current = fake.findMembership(orgs.acme, people.bob)!.role as string;
    const response = await setRole({ targetUserId: people.bob, role: current }, tokenFor('alice'));
    expect(response).toMatchObject({ status: 200, body: { success: true, message: `${people.bob} already has the role ${current}`, user: { role: current } } });
    expect(fake.requests.slice(before).some((request) => request.method === 'PATCH')).toBe(false);
  });

  it('refuses a malformed Authorization header at the same gate as /graphql, each in its own answer shape', async () => {
    const headers = { 'Content-Type': 'application/json', Authorization: 'Token not-a-bearer' };
    const admin = await fetch(`${app.url}/api/admin/set-role`, { method: 'POST', headers, body: JSON.stringify({ targetUserId: people.bob, role: 'org:member' }) });
    expect(admin.status).toBe(401);
    expect(admin.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect(await admin.json()).toEqual({ success: false, message: 'the Authorization header must be "Bearer <Clerk session token>"' });
    const graphql = await fetch(`${app.url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(graphql.status).toBe(401);
    expect(((await graphql.json()) as any).errors[0]).toMatchObject({
      message: 'the Authorization header must be "Bearer <Clerk session token>"',
      extensions: { code: 'UNAUTHENTICATED', reason: 'malformed-authorization-header' },
    });
  });

  it('answers 401 without a token or with one it cannot verify', async () => {
    expect(await setRole({ targetUserId: people.bob, role: 'org:member' })).toMatchObject({ status: 401, body: { success: false } });
    const forged = signToken(makeSigningKey(), v1Claims({ userId: people.alice, orgId: orgs.acme, role: 'org:admin', permissions: permissionsOf('org:admin') }));
    expect(await setRole({ targetUserId: people.bob, role: 'org:member' }, forged)).toMatchObject({ status: 401, body: { success: false } });
    const twoOrganizations = signToken(key, { ...v1Claims({ userId: people.alice, orgId: orgs.acme, role: 'org:admin', permissions: permissionsOf('org:admin') }), 'org.id': orgs.globex });
    expect(await setRole({ targetUserId: people.bob, role: 'org:member' }, twoOrganizations)).toMatchObject({ status: 401, body: { success: false, message: expect.stringMatching(/more than one active organization/) } });
  });

  it('answers 403 to a member who is not an admin, and to a token without an organization', async () => {
    const before = fake.findMembership(orgs.acme, people.carol)!.updated_at;
    const response = await setRole({ targetUserId: people.carol, role: 'org:admin' }, tokenFor('bob'));
    expect(response).toEqual({ status: 403, body: { success: false, message: 'only an admin of the organization may change roles' } });
    const noOrg = signToken(key, v1Claims({ userId: people.alice }));
    expect((await setRole({ targetUserId: people.carol, role: 'org:admin' }, noOrg)).status).toBe(403);
    expect(fake.findMembership(orgs.acme, people.carol)!.updated_at).toBe(before);
  });

  it('answers 403 to a token claiming org:admin without a synced admin membership, and Clerk is never asked', async () => {
    const before = fake.requests.length;
    // erin belongs to Globex only: her token claims admin of Acme, where she has no membership.
    const stranger = await setRole({ targetUserId: people.bob, role: 'org:driver' }, tokenFor('erin', 'v1', { orgId: orgs.acme, role: 'org:admin' }));
    expect(stranger).toEqual({ status: 403, body: { success: false, message: 'only an admin of the organization may change roles' } });
    // bob's synced membership says org:member, whatever his token claims.
    const claimed = await setRole({ targetUserId: people.carol, role: 'org:admin' }, tokenFor('bob', 'v2', { role: 'org:admin' }));
    expect(claimed.status).toBe(403);
    expect(fake.requests.slice(before)).toEqual([]);
  });

  it('refuses to change the caller\'s own role', async () => {
    const response = await setRole({ targetUserId: people.alice, role: 'org:member' }, tokenFor('alice'));
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/own role/);
    expect(fake.findMembership(orgs.acme, people.alice)!.role).toBe('org:admin');
  });

  it('answers 404 for a user outside the organization (a member of another one)', async () => {
    const response = await setRole({ targetUserId: people.erin, role: 'org:admin' }, tokenFor('alice'));
    expect(response).toEqual({ status: 404, body: { success: false, message: `${people.erin} is not a member of your organization` } });
    expect(fake.findMembership(orgs.globex, people.erin)!.role).toBe('org:member');
  });

  it('answers 400 for bad input: missing fields, a malformed id, an unknown role, broken JSON', async () => {
    const admin = tokenFor('alice');
    expect((await setRole({ role: 'org:member' }, admin)).status).toBe(400);
    expect((await setRole({ targetUserId: 'bob', role: 'org:member' }, admin)).status).toBe(400);
    const unknown = await setRole({ targetUserId: people.bob, role: 'org:pilot' }, admin);
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toContain('unknown role org:pilot; roles of this organization: org:admin, org:compliance');
    expect(await setRole('{"targetUserId":', admin)).toEqual({ status: 400, body: { success: false, message: 'the body must be valid JSON' } });
  });

  it('validates against the synced roles once roles are synced (a custom role included)', async () => {
    fake.addRole('org:mechanic', 'Mechanic', ['org:sys_memberships:read']);
    const beforeSync = await setRole({ targetUserId: people.bob, role: 'org:mechanic' }, tokenFor('alice'));
    expect(beforeSync.status).toBe(400);
    await runBackfill(
      { families: ['permissions', 'roles'], resume: false, reconcile: false, dryRun: false },
      { api: createBackendApi({ secretKey: fake.secretKey, apiUrl: fake.url }), db: database.owner },
    );
    const afterSync = await setRole({ targetUserId: people.bob, role: 'mechanic' }, tokenFor('alice'));
    expect(afterSync).toMatchObject({ status: 200, body: { user: { role: 'org:mechanic' } } });
    const unknown = await setRole({ targetUserId: people.bob, role: 'org:pilot' }, tokenFor('alice'));
    expect(unknown.body.message).toBe(
      'unknown role org:pilot; roles of this organization: org:admin, org:compliance, org:dispatcher, org:driver, org:mechanic, org:member',
    );
  });

  it('answers 503 when Clerk keeps failing, and changes nothing', async () => {
    const before = await roleInDatabase(people.bob, orgs.acme);
    fake.injectFault({ status: 502, count: 3, match: (request) => request.method === 'PATCH' });
    const response = await setRole({ targetUserId: people.bob, role: 'org:compliance' }, tokenFor('alice'));
    expect(response.status).toBe(503);
    expect(await roleInDatabase(people.bob, orgs.acme)).toBe(before);
  });
});

describe('POST /api/users/sync-from-clerk', () => {
  it('lets a user sync themselves', async () => {
    fake.updateUser(people.carol, { first_name: 'Caroline' });
    const response = await syncUser({ clerkUserId: people.carol }, tokenFor('carol'));
    expect(response).toEqual({
      status: 200,
      body: {
        success: true,
        status: 'processed',
        message: 'user synced from Clerk',
        user: { id: people.carol, email: 'carol@fleet.example', firstName: 'Caroline', lastName: 'Tester' },
      },
    });
    const { rows } = await database.owner.query(`select first_name from app_public.users where id = $1`, [people.carol]);
    expect(rows[0].first_name).toBe('Caroline');
    expect((await syncUser({ clerkUserId: people.carol }, tokenFor('carol'))).body).toMatchObject({ status: 'duplicate', message: 'user already up to date' });
  });

  it('lets an admin sync a member of the organization, not someone outside it', async () => {
    fake.updateUser(people.bob, { last_name: 'Builder' });
    expect((await syncUser({ clerkUserId: people.bob }, tokenFor('alice'))).body).toMatchObject({ success: true, user: { lastName: 'Builder' } });
    expect((await syncUser({ clerkUserId: people.erin }, tokenFor('alice'))).status).toBe(404);
  });

  it('answers 403 when a member syncs someone else, 401 without a token, 400 for a bad id', async () => {
    expect((await syncUser({ clerkUserId: people.alice }, tokenFor('bob'))).status).toBe(403);
    expect((await syncUser({ clerkUserId: people.alice })).status).toBe(401);
    expect((await syncUser({ clerkUserId: 'alice' }, tokenFor('alice'))).status).toBe(400);
  });

  it('answers 403 when a token claims admin of an organization the caller has no admin membership in', async () => {
    const before = fake.requests.length;
    expect((await syncUser({ clerkUserId: people.bob }, tokenFor('erin', 'v1', { orgId: orgs.acme, role: 'org:admin' }))).status).toBe(403);
    expect((await syncUser({ clerkUserId: people.alice }, tokenFor('bob', 'v1', { role: 'org:admin' }))).status).toBe(403);
    expect(fake.requests.slice(before)).toEqual([]);
  });

  it('answers 404 for a member Clerk no longer has', async () => {
    fake.deleteUser(people.erin);
    const response = await syncUser({ clerkUserId: people.erin }, tokenFor('dave'));
    expect(response).toEqual({ status: 404, body: { success: false, message: `Clerk has no user ${people.erin}` } });
  });
});
