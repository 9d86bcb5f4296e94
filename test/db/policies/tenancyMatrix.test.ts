// The tenancy matrix: every app_public table × select/insert/update/delete × visitor (same org,
// other org, no org, anonymous), run in SQL as the roles the API uses, asserting the exact outcome
// of each cell: the rows seen, or the Postgres refusal. A table added to app_public without an
// entry in TABLES (or, for the reference tenant's writable tables, in the HTTP fleet matrix)
// fails the first test, so its policies get written down here too.
import { afterAll, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { endTestPools, withRoleDb, withRootDb } from '../../helpers/db.ts';
import { v1Claims } from '../../helpers/tokens.ts';
import { FLEET_TABLE_NAMES } from '../../helpers/fleetWorld.ts';
import { AUDIT, CATALOG, MEMBERSHIP, ORG, USER, createWorld, tokenPermissions } from '../../helpers/tenancyWorld.ts';

afterAll(endTestPools);

interface TableSpec {
  /** Column that names a row in the expectations. */
  key: string;
  /** A plausible new row, to prove visitors cannot add one. */
  insert: string;
  /** A harmless change to every row. */
  update: string;
  /** Limits the select to the world's rows: other test files commit rows of instance-wide tables concurrently. */
  scope?: string;
}

const TABLES: Record<string, TableSpec> = {
  organizations: {
    key: 'id',
    insert: `insert into app_public.organizations (id, name) values ('org_2new', 'New')`,
    update: `update app_public.organizations set name = name`,
  },
  users: {
    key: 'id',
    insert: `insert into app_public.users (id) values ('user_2new')`,
    update: `update app_public.users set first_name = first_name`,
  },
  organization_memberships: {
    key: 'id',
    insert: `insert into app_public.organization_memberships (id, organization_id, user_id) values ('orgmem_new', '${ORG.acme}', '${USER.dave}')`,
    update: `update app_public.organization_memberships set role = role`,
  },
  audit_logs: {
    key: 'svix_id',
    insert: `insert into app_public.audit_logs (organization_id, entity_kind, entity_id, action, changes, svix_id, event_type, occurred_at)
             values ('${ORG.acme}', 'users', '${USER.bob}', 'updated', '{}', 'msg_forged', 'user.updated', now())`,
    update: `update app_public.audit_logs set changes = changes`,
  },
  organization_invitations: {
    key: 'id',
    insert: `insert into app_public.organization_invitations (id, organization_id) values ('orginv_new', '${ORG.acme}')`,
    update: `update app_public.organization_invitations set status = status`,
  },
  organization_domains: {
    key: 'id',
    insert: `insert into app_public.organization_domains (id, organization_id) values ('orgdmn_new', '${ORG.acme}')`,
    update: `update app_public.organization_domains set name = name`,
  },
  roles: {
    key: 'id',
    insert: `insert into app_public.roles (id, key) values ('role_new', 'org:new')`,
    update: `update app_public.roles set name = name`,
    scope: `id = any('{${Object.values(CATALOG.role)}}')`,
  },
  permissions: {
    key: 'id',
    insert: `insert into app_public.permissions (id, key) values ('perm_new', 'org:new:read')`,
    update: `update app_public.permissions set name = name`,
    scope: `id = any('{${Object.values(CATALOG.permission)}}')`,
  },
  role_permissions: {
    key: 'role_id',
    insert: `insert into app_public.role_permissions (role_id, permission_id) values ('${CATALOG.role.retired}', '${CATALOG.permission.loads}')`,
    update: `update app_public.role_permissions set permission_id = permission_id`,
    scope: `role_id = any('{${Object.values(CATALOG.role)}}')`,
  },
  sessions: {
    key: 'id',
    insert: `insert into app_public.sessions (id, user_id) values ('sess_new', '${USER.dave}')`,
    update: `update app_public.sessions set status = status`,
  },
  billing_subscriptions: {
    key: 'id',
    insert: `insert into app_public.billing_subscriptions (id, organization_id) values ('csub_new', '${ORG.acme}')`,
    update: `update app_public.billing_subscriptions set status = status`,
  },
  billing_subscription_items: {
    key: 'id',
    insert: `insert into app_public.billing_subscription_items (id, organization_id) values ('csub_item_new', '${ORG.acme}')`,
    update: `update app_public.billing_subscription_items set status = status`,
  },
};

// Roles and permissions belong to the Clerk instance: every signed-in visitor sees the live ones.
const INSTANCE_WIDE = {
  roles: [CATALOG.role.dispatcher],
  permissions: [CATALOG.permission.loads],
  role_permissions: [CATALOG.role.dispatcher],
};
const NOTHING_OF_AN_ORG = {
  organization_invitations: [],
  organization_domains: [],
  ...INSTANCE_WIDE,
  sessions: [CATALOG.session.dave],
  billing_subscriptions: [CATALOG.subscription.dave],
  billing_subscription_items: [CATALOG.subscriptionItem.dave],
};

type Visitor = { role: 'authenticated' | 'anonymous'; claims: Record<string, unknown> | null };
const VISITORS: Record<string, Visitor> = {
  'Acme admin (same org)': { role: 'authenticated', claims: v1Claims({ userId: USER.alice, orgId: ORG.acme, role: 'org:admin', permissions: tokenPermissions('org:admin') }) },
  'Acme member (same org, fewer permissions)': { role: 'authenticated', claims: v1Claims({ userId: USER.bob, orgId: ORG.acme, role: 'org:member', permissions: tokenPermissions('org:member') }) },
  'Globex admin (other org)': { role: 'authenticated', claims: v1Claims({ userId: USER.carol, orgId: ORG.globex, role: 'org:admin', permissions: tokenPermissions('org:admin') }) },
  'signed in without an organization': { role: 'authenticated', claims: v1Claims({ userId: USER.dave }) },
  'holding a token of a deleted organization': { role: 'authenticated', claims: v1Claims({ userId: USER.dave, orgId: ORG.gone, role: 'org:admin', permissions: tokenPermissions('org:admin') }) },
  // Fresher than the token: Erin's membership ended (its webhook committed) while her token still
  // names Acme; Dave joined Acme a moment ago and his membership's webhook has not arrived yet.
  'removed from the organization, token still valid': { role: 'authenticated', claims: v1Claims({ userId: USER.erin, orgId: ORG.acme, role: 'org:member', permissions: tokenPermissions('org:member') }) },
  'joined the organization, webhook in flight': { role: 'authenticated', claims: v1Claims({ userId: USER.dave, orgId: ORG.acme, role: 'org:member', permissions: tokenPermissions('org:member') }) },
  anonymous: { role: 'anonymous', claims: null },
};

type Outcome = string[] | 'permission denied' | 'row-level security violation' | number;
const DENIED = 'permission denied' as const;

// Rows each visitor sees; everyone is refused every write.
const SEEN: Record<string, Record<string, Outcome>> = {
  'Acme admin (same org)': {
    organizations: [ORG.acme],
    users: [USER.alice, USER.bob, USER.frank],
    organization_memberships: [MEMBERSHIP.aliceAcme, MEMBERSHIP.bobAcme, MEMBERSHIP.frankAcme, MEMBERSHIP.ginaAcme],
    audit_logs: [AUDIT.acmeCreated, AUDIT.acmeMember],
    organization_invitations: [CATALOG.invitation.acme],
    organization_domains: [CATALOG.domain.acme],
    ...INSTANCE_WIDE,
    sessions: [CATALOG.session.alice],
    billing_subscriptions: [CATALOG.subscription.acme],
    billing_subscription_items: [CATALOG.subscriptionItem.acme],
  },
  'Acme member (same org, fewer permissions)': {
    organizations: [ORG.acme],
    users: [USER.alice, USER.bob, USER.frank],
    organization_memberships: [MEMBERSHIP.aliceAcme, MEMBERSHIP.bobAcme, MEMBERSHIP.frankAcme, MEMBERSHIP.ginaAcme],
    audit_logs: [],
    // org:member holds org:sys_memberships:read but not org:sys_domains:read.
    organization_invitations: [CATALOG.invitation.acme],
    organization_domains: [],
    ...INSTANCE_WIDE,
    sessions: [CATALOG.session.bob],
    billing_subscriptions: [CATALOG.subscription.acme],
    billing_subscription_items: [CATALOG.subscriptionItem.acme],
  },
  'Globex admin (other org)': {
    organizations: [ORG.globex],
    users: [USER.carol, USER.frank],
    organization_memberships: [MEMBERSHIP.carolGlobex, MEMBERSHIP.frankGlobex],
    audit_logs: [AUDIT.globexCreated],
    organization_invitations: [CATALOG.invitation.globex],
    organization_domains: [CATALOG.domain.globex],
    ...INSTANCE_WIDE,
    sessions: [CATALOG.session.carol],
    billing_subscriptions: [CATALOG.subscription.globex],
    billing_subscription_items: [CATALOG.subscriptionItem.globex],
  },
  'signed in without an organization': {
    organizations: [],
    users: [USER.dave],
    organization_memberships: [],
    audit_logs: [],
    ...NOTHING_OF_AN_ORG,
  },
  'holding a token of a deleted organization': {
    organizations: [],
    users: [USER.dave],
    organization_memberships: [],
    audit_logs: [],
    ...NOTHING_OF_AN_ORG,
  },
  'removed from the organization, token still valid': {
    organizations: [],
    users: [USER.erin],
    organization_memberships: [],
    audit_logs: [],
    organization_invitations: [],
    organization_domains: [],
    ...INSTANCE_WIDE,
    sessions: [],
    billing_subscriptions: [],
    billing_subscription_items: [],
  },
  // The token is trusted as issued; system permissions (invitations) come only with the membership.
  'joined the organization, webhook in flight': {
    organizations: [ORG.acme],
    users: [USER.alice, USER.bob, USER.dave, USER.frank],
    organization_memberships: [MEMBERSHIP.aliceAcme, MEMBERSHIP.bobAcme, MEMBERSHIP.frankAcme, MEMBERSHIP.ginaAcme],
    audit_logs: [],
    organization_invitations: [],
    organization_domains: [],
    ...INSTANCE_WIDE,
    sessions: [CATALOG.session.dave],
    billing_subscriptions: [CATALOG.subscription.acme, CATALOG.subscription.dave],
    billing_subscription_items: [CATALOG.subscriptionItem.acme, CATALOG.subscriptionItem.dave],
  },
  anonymous: Object.fromEntries(Object.keys(TABLES).map((table) => [table, DENIED])),
};

/** Runs one statement in a savepoint: the rows it returned or affected, or the refusal. */
async function outcomeOf(client: pg.PoolClient, sql: string, key?: string): Promise<Outcome> {
  await client.query('savepoint cell');
  try {
    const result = await client.query(sql);
    await client.query('release savepoint cell');
    return key ? result.rows.map((row) => row[key]).sort() : (result.rowCount ?? 0);
  } catch (error) {
    await client.query('rollback to savepoint cell');
    const { code, message } = error as { code: string; message: string };
    if (code !== '42501') throw error;
    return /row-level security/.test(message) ? 'row-level security violation' : DENIED;
  }
}

async function matrixFor(visitor: Visitor, grantWritesByMistake: boolean): Promise<Record<string, Record<string, Outcome>>> {
  return withRoleDb(
    visitor.role,
    visitor.claims,
    async (client) => {
      const outcomes: Record<string, Record<string, Outcome>> = {};
      for (const [table, spec] of Object.entries(TABLES)) {
        outcomes[table] = {
          select: await outcomeOf(client, `select ${spec.key} from app_public.${table} where ${spec.scope ?? 'true'}`, spec.key),
          insert: await outcomeOf(client, spec.insert),
          update: await outcomeOf(client, spec.update),
          delete: await outcomeOf(client, `delete from app_public.${table}`),
        };
      }
      return outcomes;
    },
    async (client) => {
      await createWorld(client);
      if (grantWritesByMistake) {
        await client.query(`grant insert, update, delete on ${Object.keys(TABLES).map((table) => `app_public.${table}`).join(', ')} to authenticated`);
      }
    },
  );
}

describe('tenancy matrix', () => {
  it('covers every table of app_public', async () => {
    const tables = await withRootDb(async (client) => {
      const { rows } = await client.query(
        `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'app_public' and c.relkind in ('r', 'v', 'm', 'p') order by 1`,
      );
      return rows.map((row) => row.relname);
    });
    expect(tables).toEqual([...Object.keys(TABLES), ...FLEET_TABLE_NAMES].sort());
  });

  it.each(Object.keys(VISITORS))('%s: sees exactly its rows and may change nothing', async (name) => {
    const expected = Object.fromEntries(
      Object.entries(SEEN[name]).map(([table, seen]) => [table, { select: seen, insert: DENIED, update: DENIED, delete: DENIED }]),
    );
    expect(await matrixFor(VISITORS[name], false)).toEqual(expected);
  });

  // Row-level security is the second lock: with write privileges granted by mistake, updates and
  // deletes silently affect no row and inserts are refused by the policies.
  it.each(Object.keys(VISITORS).filter((name) => VISITORS[name].role === 'authenticated'))(
    '%s: still changes nothing if writes were granted by mistake',
    async (name) => {
      const expected = Object.fromEntries(
        Object.entries(SEEN[name]).map(([table, seen]) => [table, { select: seen, insert: 'row-level security violation', update: 0, delete: 0 }]),
      );
      expect(await matrixFor(VISITORS[name], true)).toEqual(expected);
    },
  );
});
