// A small world of two tenants (plus a deleted one) used by the policy, function and HTTP tests:
//   Acme   : alice (org:admin), bob (org:member), frank (org:member), erin (membership ended)
//   Globex : carol (org:admin), frank (org:member)
//   dave   : signed in, no organization;  gina: deleted user, still listed as an Acme member
// and around them one row of each catalog table per tenant, plus deleted ones (CATALOG below).
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

// FleetFusion's role matrix (the reference tenant), as the webhook stores it on memberships.
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

/** Rows of the other synced tables: `…Deleted` ones are soft-deleted, `…Gone` ones belong to the deleted organization. */
export const CATALOG = {
  invitation: { acme: 'orginv_acme', acmeDeleted: 'orginv_acme_deleted', globex: 'orginv_globex', gone: 'orginv_gone' },
  domain: { acme: 'orgdmn_acme', acmeDeleted: 'orgdmn_acme_deleted', globex: 'orgdmn_globex' },
  role: { dispatcher: 'role_dispatcher', retired: 'role_retired' },
  permission: { loads: 'perm_loads', retired: 'perm_retired' },
  session: { alice: 'sess_alice', bob: 'sess_bob', carol: 'sess_carol', dave: 'sess_dave', frank: 'sess_frank' },
  subscription: { acme: 'csub_acme', globex: 'csub_globex', gone: 'csub_gone', dave: 'csub_dave' },
  subscriptionItem: { acme: 'csub_item_acme', globex: 'csub_item_globex', gone: 'csub_item_gone', dave: 'csub_item_dave' },
} as const;

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
  await createCatalogRows(client);
}

async function createCatalogRows(client: pg.PoolClient): Promise<void> {
  const { invitation, domain, role, permission, session, subscription, subscriptionItem } = CATALOG;
  await client.query(
    `insert into app_public.organization_invitations (id, organization_id, email_address, status, deleted_at) values
       ($1, $5, 'new@acme.test', 'pending', null), ($2, $5, 'old@acme.test', 'pending', now()),
       ($3, $6, 'new@globex.test', 'pending', null), ($4, $7, 'new@gone.test', 'pending', now())`,
    [invitation.acme, invitation.acmeDeleted, invitation.globex, invitation.gone, ORG.acme, ORG.globex, ORG.gone],
  );
  await client.query(
    `insert into app_public.organization_domains (id, organization_id, name, deleted_at) values
       ($1, $4, 'acme.test', null), ($2, $4, 'acme-old.test', now()), ($3, $5, 'globex.test', null)`,
    [domain.acme, domain.acmeDeleted, domain.globex, ORG.acme, ORG.globex],
  );
  await client.query(
    `insert into app_public.permissions (id, key, deleted_at) values ($1, 'org:dispatcher:create_edit_loads', null), ($2, 'org:dispatcher:retired', now())`,
    [permission.loads, permission.retired],
  );
  await client.query(
    `insert into app_public.roles (id, key, permission_ids, deleted_at) values ($1, 'org:dispatcher', $3, null), ($2, 'org:retired', $4, now())`,
    [role.dispatcher, role.retired, [permission.loads], [permission.loads]],
  );
  await client.query(`insert into app_public.role_permissions (role_id, permission_id) values ($1, $2)`, [role.dispatcher, permission.loads]);
  await client.query(
    `insert into app_public.sessions (id, user_id, status, last_active_organization_id)
     select s.id, s.user_id, 'active', $3 from unnest($1::text[], $2::text[]) as s(id, user_id)`,
    [
      [session.alice, session.bob, session.carol, session.dave, session.frank],
      [USER.alice, USER.bob, USER.carol, USER.dave, USER.frank],
      ORG.acme,
    ],
  );
  for (const [table, ids, parent] of [
    ['billing_subscriptions', subscription, null],
    ['billing_subscription_items', subscriptionItem, subscription],
  ] as const) {
    await client.query(
      `insert into app_public.${table} (id, organization_id, user_id, status${parent ? ', subscription_id' : ''}) values
         ($1, $5, null, 'active'${parent ? ', $9' : ''}), ($2, $6, null, 'active'${parent ? ', $10' : ''}),
         ($3, $7, null, 'active'${parent ? ', $11' : ''}), ($4, null, $8, 'active'${parent ? ', $12' : ''})`,
      [ids.acme, ids.globex, ids.gone, ids.dave, ORG.acme, ORG.globex, ORG.gone, USER.dave, ...(parent ? [parent.acme, parent.globex, parent.gone, parent.dave] : [])],
    );
  }
}
