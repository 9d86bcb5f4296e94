// current_permissions / has_permission: the token's permissions, completed by the synced
// membership (system permissions never travel in Clerk session tokens), or the membership's whole
// list when the token carries none.
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

const sorted = (keys: readonly string[]) => [...keys].sort();

describe('current_permissions', () => {
  it('adds the membership system permissions to what a v1 token carries', async () => {
    const claims = v1Claims({ userId: USER.alice, orgId: ORG.acme, role: 'org:admin', permissions: tokenPermissions('org:admin') });
    await expect(permissionsOf(claims)).resolves.toEqual({ all: sorted(ROLE_PERMISSIONS['org:admin']), auditLogs: true, domains: true });
  });

  it('trusts the token over the membership for custom permissions', async () => {
    // Bob is a plain member in the database; a fresher token already grants him audit access.
    const claims = v2Claims({ userId: USER.bob, orgId: ORG.acme, role: 'org:member', permissions: ['org:admin:view_audit_logs'] });
    await expect(permissionsOf(claims)).resolves.toEqual({
      all: sorted(['org:admin:view_audit_logs', ...ROLE_PERMISSIONS['org:member']]),
      auditLogs: true,
      domains: false,
    });
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
