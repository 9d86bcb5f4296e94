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
  it('are synced: false while they only hold a snapshot, and synced: true once a version arrives', async () => {
    const tag = uniqueTag();
    const membership = fixture('organizationMembership.created', tag);
    const data = membership.data as any;
    const organizationId = data.organization.id as string;
    const userId = data.public_user_data.user_id as string;
    expect((await deliverOverHttp(app.url, membership)).body.status).toBe('processed');
    const token = signToken(key, CLAIM_SHAPES.v1({ userId, orgId: organizationId, role: 'org:member', permissions: [] }));

    // The membership embeds its whole organization (a version) but only a snapshot of its user.
    const before = await graphql(QUERY, token);
    expect(before).toEqual({
      status: 200,
      body: {
        data: {
          currentOrganization: { id: organizationId, name: data.organization.name, synced: true },
          currentUser: { id: userId, firstName: data.public_user_data.first_name, synced: false },
        },
      },
    });

    const user = fixture('user.created', tag);
    Object.assign(user.data as object, { id: userId, first_name: 'Renamed' });
    expect((await deliverOverHttp(app.url, user)).body.status).toBe('processed');
    const after = await graphql(QUERY, token);
    expect(after.body.data.currentUser).toEqual({ id: userId, firstName: 'Renamed', synced: true });
  });
});
