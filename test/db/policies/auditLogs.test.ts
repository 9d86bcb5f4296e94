// Audit rows never reveal more than the reader could read of the entity itself, and a deleted
// organization's history is gone with it. Each case is a reader the audit permission alone would
// have let through.
import { afterAll, expect, it } from '@jest/globals';
import type pg from 'pg';
import { endTestPools, withRoleDb } from '../../helpers/db.ts';
import { AUDIT, ORG, USER, createWorld, tokenPermissions } from '../../helpers/tenancyWorld.ts';
import { v1Claims } from '../../helpers/tokens.ts';

afterAll(endTestPools);

const ROWS = {
  invitation: 'msg_audit_invitation',
  domain: 'msg_audit_domain',
  gone: 'msg_audit_gone',
} as const;

/** The world, an auditor whose role holds only the compliance audit permission, and audit rows about each kind of entity. */
async function prepare(client: pg.PoolClient): Promise<void> {
  await createWorld(client);
  await client.query(`insert into app_public.users (id, first_name, email) values ('user_2ivy', 'Ivy', 'ivy@example.com')`);
  await client.query(
    `insert into app_public.organization_memberships (id, organization_id, user_id, role, permissions)
     values ('orgmem_ivy_acme', $1, 'user_2ivy', 'org:auditor', array['org:compliance:access_audit_logs'])`,
    [ORG.acme],
  );
  await client.query(
    `insert into app_public.audit_logs (organization_id, entity_kind, entity_id, action, changes, svix_id, event_type, occurred_at) values
       ($1, 'organization_invitations', 'orginv_acme', 'created', '{"email_address": {"before": null, "after": "new@acme.test"}}', $3, 'organizationInvitation.created', now()),
       ($1, 'organization_domains', 'orgdmn_acme', 'created', '{"name": {"before": null, "after": "acme.test"}}', $4, 'organizationDomain.created', now()),
       ($2, 'organizations', $2, 'created', '{}', $5, 'organization.created', now())`,
    [ORG.acme, ORG.gone, ROWS.invitation, ROWS.domain, ROWS.gone],
  );
}

const auditRowsSeenBy = (claims: Record<string, unknown>) =>
  withRoleDb(
    'authenticated',
    claims,
    async (client) => (await client.query<{ svix_id: string }>('select svix_id from app_public.audit_logs order by svix_id')).rows.map((row) => row.svix_id),
    prepare,
  );

it('a reader with only the compliance audit permission sees no rows about invitations or domains', async () => {
  const seen = await auditRowsSeenBy(v1Claims({ userId: 'user_2ivy', orgId: ORG.acme, role: 'org:auditor', permissions: ['org:compliance:access_audit_logs'] }));
  expect(seen).toEqual([AUDIT.acmeCreated, AUDIT.acmeMember].sort());
});

it('an admin, holding org:sys_memberships:read and org:sys_domains:read, sees those rows', async () => {
  const seen = await auditRowsSeenBy(v1Claims({ userId: USER.alice, orgId: ORG.acme, role: 'org:admin', permissions: tokenPermissions('org:admin') }));
  expect(seen).toEqual([AUDIT.acmeCreated, AUDIT.acmeMember, ROWS.domain, ROWS.invitation].sort());
});

it("a token of a deleted organization reads none of that organization's audit logs", async () => {
  const seen = await auditRowsSeenBy(v1Claims({ userId: USER.dave, orgId: ORG.gone, role: 'org:admin', permissions: tokenPermissions('org:admin') }));
  expect(seen).toEqual([]);
});
