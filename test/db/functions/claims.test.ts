// The claim helpers every policy uses, checked against Clerk's own reading of the same claims
// (@clerk/backend's signedInAuthObject) for every token shape.
import { afterAll, describe, expect, it } from '@jest/globals';
import { signedInAuthObject } from '@clerk/backend/internal';
import fc from 'fast-check';
import { endTestPools, getRootPool, withRoleDb, withRootDb } from '../../helpers/db.ts';
import { CLAIM_SHAPES, sessionBase, v2Claims, type ClaimShape } from '../../helpers/tokens.ts';

afterAll(endTestPools);

const ADMIN = {
  userId: 'user_2alice',
  orgId: 'org_2acme',
  role: 'org:admin',
  permissions: ['org:admin:view_audit_logs', 'org:admin:access_all_reports', 'org:dispatcher:assign_drivers'],
};

async function helpersAs(claims: Record<string, unknown> | null) {
  return withRoleDb(claims ? 'authenticated' : 'anonymous', claims, async (client) => {
    const { rows } = await client.query(
      `select app_public.current_user_id() as user_id, app_public.current_org_id() as org_id, app_public.current_org_role() as org_role`,
    );
    return rows[0];
  });
}

async function permissionsIn(claims: unknown): Promise<string[] | null> {
  return withRootDb(async (client) => {
    const { rows } = await client.query('select app_private.permissions_in_claims($1::jsonb) as keys', [JSON.stringify(claims)]);
    return rows[0].keys;
  });
}

describe.each(Object.keys(CLAIM_SHAPES) as ClaimShape[])('claim helpers reading a %s token', (shape) => {
  const claims = CLAIM_SHAPES[shape](ADMIN);

  it('name the user, organization and role', async () => {
    await expect(helpersAs(claims)).resolves.toEqual({ user_id: ADMIN.userId, org_id: ADMIN.orgId, org_role: 'org:admin' });
  });

  it('find the permissions the token carries', async () => {
    expect((await permissionsIn(claims))?.sort()).toEqual([...ADMIN.permissions].sort());
  });

  it('see no organization in a token issued outside one', async () => {
    const personal = CLAIM_SHAPES[shape]({ userId: ADMIN.userId });
    await expect(helpersAs(personal)).resolves.toEqual({ user_id: ADMIN.userId, org_id: null, org_role: null });
  });
});

describe('claim helpers', () => {
  it('agree with Clerk on v1 and v2 session tokens', async () => {
    for (const claims of [CLAIM_SHAPES.v1(ADMIN), CLAIM_SHAPES.v2(ADMIN)]) {
      const clerk = signedInAuthObject({}, 'token', claims as never);
      const ours = await helpersAs(claims);
      expect(ours).toEqual({ user_id: clerk.userId, org_id: clerk.orgId, org_role: clerk.orgRole });
      expect(await permissionsIn(claims)).toEqual(clerk.orgPermissions);
    }
  });

  it('decode any v2 permission bitmask exactly as Clerk does', async () => {
    const word = fc.stringMatching(/^[a-z][a-z_]{0,11}$/);
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.tuple(word, word), { maxLength: 12 }), fc.constantFrom('admin', 'member'), async (pairs, role) => {
        const claims = v2Claims({ userId: 'user_x', orgId: 'org_x', role, permissions: pairs.map(([feature, name]) => `org:${feature}:${name}`) });
        const clerk = signedInAuthObject({}, 'token', claims as never);
        expect((await permissionsIn(claims)) ?? []).toEqual(clerk.orgPermissions ?? []);
      }),
      { numRuns: 40 },
    );
  });

  it('skip user-scoped v2 features and read masks longer than 64 bits', async () => {
    const names = Array.from({ length: 70 }, (_, index) => `p${index}`);
    const claims = { ...sessionBase('user_x'), v: 2, fea: 'u:profile,o:loads', o: { id: 'org_x', rol: 'driver', per: names.join(','), fpm: String(2n ** 69n + 1n) } };
    const clerk = signedInAuthObject({}, 'token', claims as never);
    expect(await permissionsIn(claims)).toEqual(['org:loads:p0', 'org:loads:p69']);
    expect(clerk.orgPermissions).toEqual(['org:loads:p0', 'org:loads:p69']);
  });

  it('read the Neon template permissions whether rendered as an array or as a string', async () => {
    const base = CLAIM_SHAPES.neonTemplate({ userId: 'user_x', orgId: 'org_x', role: 'org:member' });
    expect(await permissionsIn({ ...base, 'org_membership.permissions': ['org:a:b', 'org:c:d'] })).toEqual(['org:a:b', 'org:c:d']);
    expect(await permissionsIn({ ...base, 'org_membership.permissions': '["org:a:b","org:c:d"]' })).toEqual(['org:a:b', 'org:c:d']);
    expect(await permissionsIn({ ...base, 'org_membership.permissions': 'org:a:b, org:c:d' })).toEqual(['org:a:b', 'org:c:d']);
  });

  it('report "no permission list" (null) for tokens without one, so callers can fall back', async () => {
    expect(await permissionsIn(sessionBase('user_x'))).toBeNull();
    expect(await permissionsIn({ ...sessionBase('user_x'), v: 2, o: { id: 'org_x', rol: 'member' } })).toBeNull();
    expect(await permissionsIn({ ...CLAIM_SHAPES.neonTemplate({ userId: 'user_x' }), 'org_membership.permissions': '' })).toBeNull();
  });

  it('return null for an anonymous visitor', async () => {
    await expect(helpersAs(null)).resolves.toEqual({ user_id: null, org_id: null, org_role: null });
  });

  it('read no claims on a pooled connection after an earlier transaction set them', async () => {
    const client = await getRootPool().connect();
    try {
      await client.query('begin');
      await client.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(CLAIM_SHAPES.v1(ADMIN))]);
      await client.query('commit');
      // The setting now exists on this connection with the value '' (not NULL).
      const { rows } = await client.query(`select current_setting('request.jwt.claims', true) as raw, app_public.current_user_id() as user_id`);
      expect(rows[0]).toEqual({ raw: '', user_id: null });
    } finally {
      client.release();
    }
  });
});
