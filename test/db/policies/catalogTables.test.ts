// What the tenancy matrix cannot show with the reference roles (all of which hold
// org:sys_memberships:read): invitations really need that permission, and the email/SMS metadata
// is out of every tenant's reach.
import { afterAll, describe, expect, it } from '@jest/globals';
import { endTestPools, sqlErrorOf, withRoleDb } from '../../helpers/db.ts';
import { v1Claims } from '../../helpers/tokens.ts';
import { CATALOG, MEMBERSHIP, ORG, USER, createWorld } from '../../helpers/tenancyWorld.ts';

afterAll(endTestPools);

describe('organization_invitations', () => {
  it('are hidden from a member whose role lacks org:sys_memberships:read', async () => {
    const seen = await withRoleDb(
      'authenticated',
      v1Claims({ userId: USER.bob, orgId: ORG.acme, role: 'org:viewer', permissions: [] }),
      async (client) => (await client.query('select id from app_public.organization_invitations')).rows,
      async (client) => {
        await createWorld(client);
        await client.query(`update app_public.organization_memberships set role = 'org:viewer', permissions = '{}' where id = $1`, [MEMBERSHIP.bobAcme]);
      },
    );
    expect(seen).toEqual([]);
  });

  it('are shown to the same member once the role grants it', async () => {
    const seen = await withRoleDb(
      'authenticated',
      v1Claims({ userId: USER.bob, orgId: ORG.acme, role: 'org:member', permissions: [] }),
      async (client) => (await client.query('select id from app_public.organization_invitations')).rows,
      createWorld,
    );
    expect(seen).toEqual([{ id: CATALOG.invitation.acme }]);
  });
});

describe('app_private.clerk_messages', () => {
  it.each([
    ['authenticated', v1Claims({ userId: USER.alice, orgId: ORG.acme, role: 'org:admin', permissions: ['org:admin:view_audit_logs'] })],
    ['anonymous', null],
  ] as const)('cannot be read by %s visitors', async (role, claims) => {
    const error = await withRoleDb(role, claims, (client) => sqlErrorOf(client, 'select * from app_private.clerk_messages'));
    expect(error).toEqual({ code: '42501', message: 'permission denied for schema app_private' });
  });
});
