// A small world of two tenants (plus a deleted one) used by the policy, function and HTTP tests:
//   Acme   : alice (org:admin), bob (org:member), frank (org:member), erin (membership ended)
//   Globex : carol (org:admin), frank (org:member)
//   dave   : signed in, no organization;  gina: deleted user, still listed as an Acme member
import type pg from 'pg';

export const ORG = { acme: 'org_2acme', globex: 'org_2globex', gone: 'org_2gone' } as const;
export const USER = {
  alice: 'user_2alice',
  bob: 'user_2bob',
  carol: 'user_2carol',
  dave: 'user_2dave',
  erin: 'user_2erin',
  frank: 'user_2frank',
  gina: 'user_2gina',
} as const;

// The reference tenant's role matrix (SPEC section 4), as the webhook stores it on memberships.
export const ROLE_PERMISSIONS = {
  'org:admin': [
    'org:sys_domains:read', 'org:sys_domains:manage', 'org:sys_profile:manage', 'org:sys_profile:delete',
    'org:sys_memberships:read', 'org:sys_memberships:manage', 'org:admin:access_all_reports',
    'org:admin:configure_company_settings', 'org:admin:view_audit_logs', 'org:admin:manage_users_and_roles',
    'org:admin:view_edit_all_loads', 'org:sys_billing:manage', 'org:sys_billing:read',
  ],
  'org:compliance': [
    'org:sys_memberships:read', 'org:compliance:view_compliance_dashboard', 'org:compliance:access_audit_logs',
    'org:compliance:generate_compliance_req', 'org:compliance:upload_review_compliance',
  ],
  'org:member': ['org:sys_memberships:read'],
} as const;
export type RoleKey = keyof typeof ROLE_PERMISSIONS;

/** What a session token carries: Clerk leaves system permissions (org:sys_*) out of it. */
export const tokenPermissions = (role: RoleKey) => ROLE_PERMISSIONS[role].filter((key) => !key.startsWith('org:sys_'));

export const MEMBERSHIP = {
  aliceAcme: 'orgmem_alice_acme',
  bobAcme: 'orgmem_bob_acme',
  frankAcme: 'orgmem_frank_acme',
  erinAcme: 'orgmem_erin_acme',
  ginaAcme: 'orgmem_gina_acme',
  carolGlobex: 'orgmem_carol_globex',
  frankGlobex: 'orgmem_frank_globex',
  daveGone: 'orgmem_dave_gone',
} as const;

export const AUDIT = { acmeCreated: 'msg_acme_1', acmeMember: 'msg_acme_2', globexCreated: 'msg_globex_1', userUpdated: 'msg_user_1' } as const;

/** Inserts the world as the superuser (call inside a rolled-back transaction). */
export async function createWorld(client: pg.PoolClient): Promise<void> {
  await client.query(
    `insert into app_public.organizations (id, name, slug, deleted_at) values
       ($1, 'Acme Freight', 'acme', null), ($2, 'Globex Logistics', 'globex', null), ($3, 'Gone Inc', 'gone', now())`,
    [ORG.acme, ORG.globex, ORG.gone],
  );
  await client.query(
    `insert into app_public.users (id, first_name, email, deleted_at)
     select id, initcap(substr(id, 7)), substr(id, 7) || '@example.com', case when id = $2 then now() end
       from unnest($1::text[]) as id`,
    [Object.values(USER), USER.gina],
  );
  const memberships: [string, string, string, RoleKey, boolean][] = [
    [MEMBERSHIP.aliceAcme, ORG.acme, USER.alice, 'org:admin', false],
    [MEMBERSHIP.bobAcme, ORG.acme, USER.bob, 'org:member', false],
    [MEMBERSHIP.frankAcme, ORG.acme, USER.frank, 'org:member', false],
    [MEMBERSHIP.erinAcme, ORG.acme, USER.erin, 'org:member', true],
    [MEMBERSHIP.ginaAcme, ORG.acme, USER.gina, 'org:member', false],
    [MEMBERSHIP.carolGlobex, ORG.globex, USER.carol, 'org:admin', false],
    [MEMBERSHIP.frankGlobex, ORG.globex, USER.frank, 'org:compliance', false],
    [MEMBERSHIP.daveGone, ORG.gone, USER.dave, 'org:admin', true],
  ];
  for (const [id, organizationId, userId, role, ended] of memberships) {
    await client.query(
      `insert into app_public.organization_memberships (id, organization_id, user_id, role, permissions, deleted_at)
       values ($1, $2, $3, $4, $5, case when $6 then now() end)`,
      [id, organizationId, userId, role, ROLE_PERMISSIONS[role], ended],
    );
  }
  await client.query(
    `insert into app_public.audit_logs (organization_id, entity_kind, entity_id, action, changes, svix_id, event_type, occurred_at)
     values ($1, 'organizations', $1, 'created', '{}', $3, 'organization.created', now()),
            ($1, 'organization_memberships', 'orgmem_bob_acme', 'created', '{}', $4, 'organizationMembership.created', now()),
            ($2, 'organizations', $2, 'created', '{}', $5, 'organization.created', now()),
            (null, 'users', 'user_2alice', 'updated', '{}', $6, 'user.updated', now())`,
    [ORG.acme, ORG.globex, AUDIT.acmeCreated, AUDIT.acmeMember, AUDIT.globexCreated, AUDIT.userUpdated],
  );
}
