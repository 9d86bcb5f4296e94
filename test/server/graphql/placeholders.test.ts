// A membership can arrive before its user and organization: the rows it leaves are placeholders
// until Clerk's own version comes, and the API says so with `synced`.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type RunningApp } from '../../helpers/app.ts';
import { fixture, uniqueTag } from '../../helpers/clerkEvents.ts';
import { endTestPools } from '../../helpers/db.ts';
import { deliverOverHttp } from '../../helpers/webhooks.ts';
import { CLAIM_SHAPES, TEST_AZP, makeSigningKey, signToken } from '../../helpers/tokens.ts';

const key = makeSigningKey();
let app: RunningApp;

beforeAll(async () => {
  app = await startTestApp({ CLERK_JWT_KEY: key.publicPem, CLERK_AUTHORIZED_PARTIES: TEST_AZP });
});
afterAll(async () => {
  await app.close();
  await endTestPools();
});

async function graphql(query: string, token: string) {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: unknown[] } };
}

const QUERY = '{ currentOrganization { id name synced } currentUser { id firstName synced } }';

describe('placeholder rows', () => {
  it('are synced: false until their own version arrives, then synced: true', async () => {
    const tag = uniqueTag();
    const membership = fixture('organizationMembership.created', tag);
    const organizationId = (membership.data as any).organization.id as string;
    const userId = (membership.data as any).public_user_data.user_id as string;
    expect((await deliverOverHttp(app.url, membership)).body.status).toBe('processed');
    const token = signToken(key, CLAIM_SHAPES.v1({ userId, orgId: organizationId, role: 'org:member', permissions: [] }));

    const before = await graphql(QUERY, token);
    expect(before).toEqual({
      status: 200,
      body: { data: { currentOrganization: { id: organizationId, name: null, synced: false }, currentUser: { id: userId, firstName: null, synced: false } } },
    });

    const organization = fixture('organization.created', tag);
    const user = fixture('user.created', tag);
    Object.assign(organization.data as object, { id: organizationId });
    Object.assign(user.data as object, { id: userId });
    for (const event of [organization, user]) expect((await deliverOverHttp(app.url, event)).body.status).toBe('processed');

    const after = await graphql(QUERY, token);
    expect(after.body.data).toEqual({
      currentOrganization: { id: organizationId, name: (organization.data as any).name, synced: true },
      currentUser: { id: userId, firstName: (user.data as any).first_name, synced: true },
    });
  });
});
