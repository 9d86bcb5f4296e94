// Development tokens must pass the very verification real Clerk tokens go through
// (@clerk/backend with CLERK_JWT_KEY), carry the claims the SQL helpers read, and fail on any other key.
import { describe, expect, it } from '@jest/globals';
import { createSessionTokenVerifier } from '../../server/auth/verifySessionToken.ts';
import { generateSessionTokenKey, mintDevSessionToken, sessionTokenPublicKey } from '../../server/devSessionToken.ts';
import { loadConfig } from '../../server/config.ts';

const key = generateSessionTokenKey();
const verifierFor = (privateKey: string) => createSessionTokenVerifier(loadConfig({ CLERK_JWT_KEY: sessionTokenPublicKey(privateKey) }).clerk);
const claims = { userId: 'user_dev', orgId: 'org_dev', role: 'org:driver', permissions: ['org:driver:log_hos'], ttlSeconds: 600, authorizedParty: 'http://localhost:3000' };

describe('development session tokens', () => {
  it('verify with the public key derived from the development key, with v1 organization claims', async () => {
    const outcome = await verifierFor(key)(mintDevSessionToken(key, claims));
    expect(outcome).toMatchObject({ ok: true, claims: { sub: 'user_dev', org_id: 'org_dev', org_role: 'org:driver', org_permissions: ['org:driver:log_hos'] } });
  });

  it('are refused under any other key, and once expired', async () => {
    expect(await verifierFor(generateSessionTokenKey())(mintDevSessionToken(key, claims))).toMatchObject({ ok: false, status: 401 });
    const expired = mintDevSessionToken(key, claims, new Date(Date.now() - 3_600_000));
    expect(await verifierFor(key)(expired)).toMatchObject({ ok: false, status: 401, reason: 'token-expired' });
  });
});
