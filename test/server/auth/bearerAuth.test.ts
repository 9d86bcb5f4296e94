// Bearer verification in front of /graphql, over real HTTP with real @clerk/backend verification:
// every token the server cannot trust is a 401 with a reason, before any GraphQL runs.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { endTestPools } from '../../helpers/db.ts';
import { startTestApp, type RunningApp } from '../../helpers/app.ts';
import {
  TEST_AZP,
  makeSigningKey,
  nowSeconds,
  signHs256WithPublicKey,
  signToken,
  unsignedToken,
  v1Claims,
  withPayload,
} from '../../helpers/tokens.ts';

const key = makeSigningKey();
const otherKey = makeSigningKey();
const claims = v1Claims({ userId: 'user_2alice', orgId: 'org_2acme', role: 'org:admin', permissions: [] });
const WHO_AM_I = '{ currentUserId currentOrgId currentOrgRole }';

let app: RunningApp;
beforeAll(async () => {
  app = await startTestApp({ CLERK_JWT_KEY: key.publicPem, CLERK_AUTHORIZED_PARTIES: `${TEST_AZP},https://app.example.com` });
});
afterAll(async () => {
  await app.close();
  await endTestPools();
});

async function graphql(query: string, authorization?: string) {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

describe('POST /graphql authentication', () => {
  it('runs a verified token as its user and organization', async () => {
    const { status, body } = await graphql(WHO_AM_I, `Bearer ${signToken(key, claims)}`);
    expect(status).toBe(200);
    expect(body).toEqual({ data: { currentUserId: 'user_2alice', currentOrgId: 'org_2acme', currentOrgRole: 'org:admin' } });
  });

  it('runs a request without an Authorization header as anonymous', async () => {
    const { status, body } = await graphql(WHO_AM_I);
    expect(status).toBe(200);
    expect(body).toEqual({ data: { currentUserId: null, currentOrgId: null, currentOrgRole: null } });
  });

  const now = nowSeconds();
  const signed = signToken(key, claims);
  const badTokens: [string, string, string][] = [
    ['expired', signToken(key, { ...claims, iat: now - 600, nbf: now - 600, exp: now - 300 }), 'token-expired'],
    ['not yet valid (future nbf)', signToken(key, { ...claims, nbf: now + 300, exp: now + 600 }), 'token-not-active-yet'],
    ['signed with another key', signToken(otherKey, claims), 'token-invalid-signature'],
    ['unsigned (alg none)', unsignedToken(claims), 'token-invalid-algorithm'],
    ['HS256 keyed with the public key', signHs256WithPublicKey(key, claims), 'token-invalid-algorithm'],
    ['for another authorized party (azp)', signToken(key, { ...claims, azp: 'https://evil.example.com' }), 'token-invalid-authorized-parties'],
    ['tampered (org swapped after signing)', withPayload(signed, { ...claims, org_id: 'org_2globex' }), 'token-invalid-signature'],
    ['garbage', 'not-a-jwt', 'token-invalid'],
    ['three garbage segments', 'abc.def.ghi', 'token-invalid'],
    ['without a subject', signToken(key, { ...claims, sub: undefined }), 'token-verification-failed'],
    ['naming two organizations (org_id and "org.id")', signToken(key, { ...claims, 'org.id': 'org_2globex' }), 'conflicting-organization-claims'],
    ['naming two organizations (org_id and o.id)', signToken(key, { ...claims, o: { id: 'org_2globex', rol: 'admin' } }), 'conflicting-organization-claims'],
    ['naming two organizations (o.id and "org.id")', signToken(key, { sub: claims.sub, iss: claims.iss, azp: claims.azp, iat: claims.iat, nbf: claims.nbf, exp: claims.exp, v: 2, o: { id: 'org_2acme' }, 'org.id': 'org_2globex' }), 'conflicting-organization-claims'],
    ['with an organization id that is not a string', signToken(key, { ...claims, org_id: 42 }), 'conflicting-organization-claims'],
  ];

  it.each(badTokens)('answers 401 to a token %s', async (_case, token, reason) => {
    const { status, headers, body } = await graphql(WHO_AM_I, `Bearer ${token}`);
    expect(status).toBe(401);
    expect(headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([{ message: expect.stringMatching(/^session token rejected: .+/), extensions: { code: 'UNAUTHENTICATED', reason } }]);
  });

  it('accepts the same organization named in several claim shapes', async () => {
    const { status, body } = await graphql(WHO_AM_I, `Bearer ${signToken(key, { ...claims, 'org.id': 'org_2acme', o: { id: 'org_2acme' } })}`);
    expect(status).toBe(200);
    expect(body.data.currentOrgId).toBe('org_2acme');
  });

  it.each([['Basic dXNlcjpwYXNz'], ['Bearer'], [''], ['Token abc'], ['xBearer TOKEN'], ['Bearer TOKEN extra'], ['Bearer\tTOKEN']])(
    'answers 401 to the Authorization header %p',
    async (header) => {
      const { status, headers, body } = await graphql(WHO_AM_I, header.replace('TOKEN', signToken(key, claims)));
      expect(status).toBe(401);
      expect(headers.get('www-authenticate')).toBe('Bearer error="invalid_token", error_description="the Authorization header must be \'Bearer <Clerk session token>\'"');
      expect(body.errors).toEqual([
        { message: 'the Authorization header must be "Bearer <Clerk session token>"', extensions: { code: 'UNAUTHENTICATED', reason: 'malformed-authorization-header' } },
      ]);
    },
  );

  it.each([['bearer TOKEN'], ['BEARER TOKEN'], ['Bearer   TOKEN']])('accepts the Authorization header %p (the scheme in any case, several spaces)', async (header) => {
    const { status, body } = await graphql(WHO_AM_I, header.replace('TOKEN', signToken(key, claims)));
    expect(status).toBe(200);
    expect(body.data.currentUserId).toBe('user_2alice');
  });

  it('quotes nothing raw in WWW-Authenticate: the reason\'s double quotes and backslashes become single quotes', async () => {
    const { status, headers, body } = await graphql(WHO_AM_I, `Bearer ${signToken(key, { ...claims, azp: 'https://evil.example.com/"\\' })}`);
    expect(status).toBe(401);
    expect(body.errors[0].message).toBe(
      'session token rejected: Invalid JWT Authorized party claim (azp) "https://evil.example.com/\\"\\\\". Expected "http://localhost:5173,https://app.example.com".',
    );
    expect(headers.get('www-authenticate')).toBe(
      `Bearer error="invalid_token", error_description="session token rejected: Invalid JWT Authorized party claim (azp) 'https://evil.example.com/'''''. Expected 'http://localhost:5173,https://app.example.com'."`,
    );
  });
});
