// current_permissions / has_permission: fresher than the token. The token's permissions count
// while the synced membership does not contradict them (none synced yet, or a live one that grants
// them too), completed by the membership's system permissions (they never travel in Clerk session
// tokens), or the membership's whole list when the token carries none; nothing once the membership
// ended, the organization or user was deleted, or the user was banned.
import { afterAll, describe, expect, it } from '@jest/globals';
import { endTestPools, withRoleDb } from '../../helpers/db.ts';
import { neonTemplateClaims, sessionBase, v1Claims, v2Claims } from '../../helpers/tokens.ts';
import { ORG, ROLE_PERMISSIONS, USER, createWorld, tokenPermissions } from '../../helpers/tenancyWorld.ts';

afterAll(endTestPools);

async function permissionsOf(claims: Record<string, unknown> | null): Promise<{ all: string[]; auditLogs: boolean; domains: boolean }> {
  return withRoleDb(
    claims ? 'authenticated' : 'anonymous',
    claims,
    async (client) => {
      const { rows } = await client.query(
        `select app_public.current_permissions() as all,
                app_public.has_permission('org:admin:view_audit_logs') as audit_logs,
                app_public.has_permission('org:sys_domains:read') as domains`,
      );
      return { all: rows[0].all, auditLogs: rows[0].audit_logs, domains: rows[0].domains };
    },
    createWorld,
  );
}

/** The same, after one more change to the world. */
async function permissionsOfAfter(claims: Record<string, unknown>, change: string): Promise<{ all: string[]; auditLogs: boolean; domains: boolean }> {
  return withRoleDb(
    'authenticated',
    claims,
    async (client) => {
      const { rows } = await client.query(
        `select app_public.current_permissions() as all,
                app_public.has_permission('org:admin:view_audit_logs') as audit_logs,
                app_public.has_permission('org:sys_domains:read') as domains`,
      );
      return { all: rows[0].all, auditLogs: rows[0].audit_logs, domains: rows[0].domains };
    },
    async (client) => {
      await createWorld(client);
      await client.query(change);
    },
  );
}

const sorted = (keys: readonly string[]) => [...keys].sort();

describe('current_permissions', () => {
  it('adds the membership system permissions to what a v1 token carries', async () => {
    const claims = v1Claims({ userId: USER.alice, orgId: ORG.acme, role: 'org:admin', permissions: tokenPermissions('org:admin') });
    await expect(permissionsOf(claims)).resolves.toEqual({ all: sorted(ROLE_PERMISSIONS['org:admin']), auditLogs: true, domains: true });
  });

  it('counts a token permission only while the synced membership grants it too', async () => {
    // Bob is a plain member in the database (demoted, say); his older token still grants audit access.
    const claims = v2Claims({ userId: USER.bob, orgId: ORG.acme, role: 'org:member', permissions: ['org:admin:view_audit_logs'] });
    await expect(permissionsOf(claims)).resolves.toEqual({ all: sorted(ROLE_PERMISSIONS['org:member']), auditLogs: false, domains: false });
  });

  it('trusts the token as issued while no membership is synced yet', async () => {
    // Dave has no membership at Acme in the database: his webhook is still in flight.
    const claims = v1Claims({ userId: USER.dave, orgId: ORG.acme, role: 'org:admin', permissions: ['org:admin:view_audit_logs', 'org:admin:view_audit_logs'] });
    await expect(permissionsOf(claims)).resolves.toEqual({ all: ['org:admin:view_audit_logs'], auditLogs: true, domains: false });
  });

  it('gives nothing to a banned or deleted user, or in a deleted organization', async () => {
    const alice = v1Claims({ userId: USER.alice, orgId: ORG.acme, role: 'org:admin', permissions: tokenPermissions('org:admin') });
    const none = { all: [], auditLogs: false, domains: false };
    for (const change of [
      `update app_public.users set banned = true where id = '${USER.alice}'`,
      `update app_public.users set deleted_at = now() where id = '${USER.alice}'`,
      `update app_public.organizations set deleted_at = now() where id = '${ORG.acme}'`,
    ]) {
      await expect(permissionsOfAfter(alice, change)).resolves.toEqual(none);
    }
  });

  it('reads the live membership of a member who was removed and added again', async () => {
    const claims = v1Claims({ userId: USER.erin, orgId: ORG.acme, role: 'org:member', permissions: [] });
    const readded = `insert into app_public.organization_memberships (id, organization_id, user_id, role, permissions)
                     values ('orgmem_erin_again', '${ORG.acme}', '${USER.erin}', 'org:member', '{org:sys_memberships:read}')`;
    await expect(permissionsOfAfter(claims, readded)).resolves.toEqual({ all: ['org:sys_memberships:read'], auditLogs: false, domains: false });
  });

  it("falls back to the membership's permissions when the token carries none", async () => {
    const neonWithoutList = { ...neonTemplateClaims({ userId: USER.alice, orgId: ORG.acme, role: 'org:admin' }) };
    delete neonWithoutList['org_membership.permissions'];
    const v2WithoutList = v2Claims({ userId: USER.alice, orgId: ORG.acme, role: 'org:admin' });
    for (const claims of [neonWithoutList, v2WithoutList]) {
      await expect(permissionsOf(claims)).resolves.toEqual({ all: sorted(ROLE_PERMISSIONS['org:admin']), auditLogs: true, domains: true });
    }
  });

  it('reads the permissions of the membership in the active organization only', async () => {
    // Frank is a member at Acme and compliance at Globex.
    const atGlobex = await permissionsOf({ ...sessionBase(USER.frank), org_id: ORG.globex, org_role: 'org:compliance' });
    const atAcme = await permissionsOf({ ...sessionBase(USER.frank), org_id: ORG.acme, org_role: 'org:member' });
    expect(atGlobex.all).toEqual(sorted(ROLE_PERMISSIONS['org:compliance']));
    expect(atAcme.all).toEqual(sorted(ROLE_PERMISSIONS['org:member']));
  });

  it('gives nothing from an ended membership', async () => {
    const claims = { ...sessionBase(USER.erin), org_id: ORG.acme, org_role: 'org:member' };
    await expect(permissionsOf(claims)).resolves.toEqual({ all: [], auditLogs: false, domains: false });
  });

  it('is empty without an active organization, and for anonymous visitors', async () => {
    await expect(permissionsOf(v1Claims({ userId: USER.alice }))).resolves.toEqual({ all: [], auditLogs: false, domains: false });
    await expect(permissionsOf(null)).resolves.toEqual({ all: [], auditLogs: false, domains: false });
  });
});
