// The organization a session token names, over real HTTP with real @clerk/backend verification:
// one organization in any of the claim shapes passes, two different ones (or a non-string id) are
// refused with a sentence naming them, and empty or null claims name nothing.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { endTestPools } from '../../helpers/db.ts';
import { startTestApp, type RunningApp } from '../../helpers/app.ts';
import { makeSigningKey, signToken, v1Claims } from '../../helpers/tokens.ts';

const key = makeSigningKey();
const claims = v1Claims({ userId: 'user_2orgclaims', orgId: 'org_2acme', role: 'org:admin', permissions: [] });
const WHO_AM_I = '{ currentUserId currentOrgId }';

let app: RunningApp;
beforeAll(async () => {
  app = await startTestApp({ CLERK_JWT_KEY: key.publicPem });
});
afterAll(async () => {
  await app.close();
  await endTestPools();
});

async function whoAmI(payload: Record<string, unknown>) {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${signToken(key, payload)}` },
    body: JSON.stringify({ query: WHO_AM_I }),
  });
  return { status: response.status, body: (await response.json()) as any };
}

describe('the organization claims of a session token', () => {
  it.each([
    ['an empty "org.id"', { 'org.id': '' }],
    ['a null "org.id"', { 'org.id': null }],
    ['a null o', { o: null }],
    ['an o without id', { o: { rol: 'admin' } }],
  ])('accepts org_id next to %s: only named organizations count', async (_case, extra) => {
    const { status, body } = await whoAmI({ ...claims, ...extra });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { currentUserId: 'user_2orgclaims', currentOrgId: 'org_2acme' } });
  });

  it('accepts a token naming no organization at all (a personal account)', async () => {
    const { status, body } = await whoAmI({ ...v1Claims({ userId: 'user_2orgclaims' }), o: null, 'org.id': '' });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { currentUserId: 'user_2orgclaims', currentOrgId: null } });
  });

  it('names both organizations when a token holds two', async () => {
    const { status, body } = await whoAmI({ ...claims, 'org.id': 'org_2globex' });
    expect(status).toBe(401);
    expect(body.errors).toEqual([
      {
        message: 'session token rejected: the session token names more than one active organization (org_2acme, org_2globex)',
        extensions: { code: 'UNAUTHENTICATED', reason: 'conflicting-organization-claims' },
      },
    ]);
  });

  it('says why an organization id that is not a string is refused', async () => {
    const { status, body } = await whoAmI({ ...claims, o: { id: 7 } });
    expect(status).toBe(401);
    expect(body.errors).toEqual([
      {
        message: 'session token rejected: the session token names its organization with a value that is not a string',
        extensions: { code: 'UNAUTHENTICATED', reason: 'conflicting-organization-claims' },
      },
    ]);
  });
});
