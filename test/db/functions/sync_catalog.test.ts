// The families beyond users, organizations and memberships: invitations, domains, roles and
// permissions (with their links), sessions, emails/SMS, billing, and the types kept in the ledger
// only. What each writes, and the same state whatever the arrival order or duplication.
import { afterAll, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { endTestPools, withRootDb } from '../../helpers/db.ts';
import { deliverAsWebhook, fixture, syncedState, taggedId, uniqueTag, type ClerkEvent } from '../../helpers/clerkEvents.ts';
import { newSvixId } from '../../helpers/webhooks.ts';

afterAll(endTestPools);

const STORY_ORG = 'org_2xtKS56z1iD1EVaRTl9TEMizXs6';
const ALICIA = 'user_2xtKOmOKFZcYQ8kBGzxhPlrgBJv';
const MARIA = 'user_2xxLoPmGu4v3flajznz9tzGotAe';
const INVITATION = 'orginv_2xxHTXpHoh4CmrAB6Q1BpXfUB5P';
const DOMAIN = 'orgdmn_2xxAmX0lxvIiZ9rnredNbaHCcnW';
const DISPATCHER = 'role_2xjHgTllNfyCablS0YEZZRr6lmO';
const DISPATCHER_PERMISSIONS = [
  'perm_2wBhM1IYYonwtzsek9b7CO9FRjt',
  'perm_2xjGueJM5Xk1uGbEuNjNyYRkz70',
  'perm_2xjGyV86ZNcu1Ncch0t8HEXXpwm',
  'perm_2xjH2bMtw0HyR4US1gUxqyCSjcN',
  'perm_2xjH6sOn82UOtO82Hr1w24159C7',
];
const EXPORT_MANIFESTS = 'perm_2y0MQfc55huWzL0OqTcE7wC7609';
const SESSION_A = 'sess_2xtKOmTQoZCQWWOhHpa9TlqiE6j';
const SESSION_B = 'sess_2y50mtvcHgHBoyNETE03Io5cSP2';
const SUBSCRIPTION = 'csub_2xtKSDAivN0r0mhckvZQ6jclTUJ';
const FREE_ITEM = 'csub_item_2xtKSHNhOHjs2lp5U7sDZUnsqOE';
const PRO_ITEM = 'csub_item_2xxP9M9BA7tJeQ53N2gshYXez8z';

const deliver = (client: pg.ClientBase, event: ClerkEvent, svixId = newSvixId()) => deliverAsWebhook(client, event, svixId);

async function row(client: pg.ClientBase, table: string, id: string) {
  const { rows } = await client.query(`select * from ${table.includes('.') ? table : `app_public.${table}`} where id = $1`, [id]);
  return rows[0];
}

async function auditRows(client: pg.ClientBase, kind: string, id: string) {
  const { rows } = await client.query('select * from app_public.audit_logs where entity_kind = $1 and entity_id = $2 order by id', [kind, id]);
  return rows;
}

async function links(client: pg.ClientBase, roleId: string): Promise<string[]> {
  const { rows } = await client.query('select permission_id from app_public.role_permissions where role_id = $1 order by 1', [roleId]);
  return rows.map((link) => link.permission_id);
}

/** Audit rows of this test's objects (other test files commit theirs concurrently). */
async function auditCount(client: pg.ClientBase, tag: string): Promise<number> {
  return (await client.query(`select count(*)::int as n from app_public.audit_logs where entity_id like '%' || $1`, [tag])).rows[0].n;
}

const permutations = (items: number[]): number[][] =>
  items.length <= 1 ? [items] : items.flatMap((item, index) => permutations(items.filter((_, other) => other !== index)).map((rest) => [item, ...rest]));

/** Role Dispatcher, a later version: drops access_dispatch_dashboard, gains export_manifests (as permission.updated has it). */
function dispatcherReshuffled(tag: string): ClerkEvent {
  const event = fixture('role.updated', tag);
  event.data.permissions = [
    ...event.data.permissions.filter((permission: { id: string }) => permission.id !== taggedId(DISPATCHER_PERMISSIONS[4], tag)),
    fixture('permission.updated', tag).data,
  ];
  event.data.updated_at += 60_000;
  event.timestamp = event.data.updated_at + 10;
  return event;
}

describe('organization invitations', () => {
  it('stores the invitation, then its acceptance with the accepting user, with audit rows in its organization', async () => {
    const tag = uniqueTag();
    await withRootDb(async (client) => {
      expect((await deliver(client, fixture('organizationInvitation.created', tag))).status).toBe('processed');
      expect(await row(client, 'organization_invitations', taggedId(INVITATION, tag))).toMatchObject({
        organization_id: taggedId(STORY_ORG, tag),
        email_address: 'maria.lopez@testtrucking.com',
        role: 'org:admin',
        role_name: 'Admin',
        status: 'pending',
        inviter_id: taggedId(ALICIA, tag),
        user_id: null,
        url: null,
        public_metadata: { invitedFor: 'operations-manager' },
        expires_at: new Date(1751464812331),
        clerk_created_at: new Date(1748872812331),
        clerk_updated_at: new Date(1748872812331),
        deleted_at: null,
      });
      // The organization has not arrived: a placeholder stands in for it, showing the invitation's
      // unversioned public_organization_data until Clerk sends the organization.
      expect(await row(client, 'organizations', taggedId(STORY_ORG, tag))).toMatchObject({
        name: 'Test Trucking LLC', slug: 'test-trucking', clerk_updated_at: null, deleted_at: null,
      });

      expect((await deliver(client, fixture('organizationInvitation.accepted', tag))).status).toBe('processed');
      expect(await row(client, 'organization_invitations', taggedId(INVITATION, tag))).toMatchObject({ status: 'accepted', user_id: taggedId(MARIA, tag) });

      const audits = await auditRows(client, 'organization_invitations', taggedId(INVITATION, tag));
      expect(audits.map((audit) => [audit.action, audit.event_type, audit.organization_id])).toEqual([
        ['created', 'organizationInvitation.created', taggedId(STORY_ORG, tag)],
        ['updated', 'organizationInvitation.accepted', taggedId(STORY_ORG, tag)],
      ]);
      expect(audits[1].changes).toEqual({
        status: { before: 'pending', after: 'accepted' },
        user_id: { before: null, after: taggedId(MARIA, tag) },
      });
      expect(audits[1].client_ip).toBe('203.0.113.42');
    });
  });

  it('goes with its organization: deleted by the organization deletion, and stored deleted when it arrives after it', async () => {
    const tag = uniqueTag();
    const orgDeleted = fixture('variants/organization.deleted.story-org', tag);
    await withRootDb(async (client) => {
      await deliver(client, fixture('organizationInvitation.created', tag));
      expect((await deliver(client, orgDeleted)).status).toBe('processed');
      expect((await row(client, 'organization_invitations', taggedId(INVITATION, tag))).deleted_at).toEqual(new Date(orgDeleted.timestamp!));
      const audits = await auditRows(client, 'organization_invitations', taggedId(INVITATION, tag));
      expect(audits.at(-1)).toMatchObject({ action: 'deleted', event_type: 'organization.deleted' });

      // Revoked afterwards (a late delivery): stored, and deleted as of the organization's deletion.
      expect((await deliver(client, fixture('organizationInvitation.revoked', tag))).status).toBe('processed');
      expect(await row(client, 'organization_invitations', taggedId('orginv_2xxHmDqSZCjoyaNZLEMwgJg69eS', tag))).toMatchObject({
        status: 'revoked',
        deleted_at: new Date(orgDeleted.timestamp!),
      });
    });
  });
});

describe('organization domains', () => {
  it('stores name, enrollment mode, verification and pending counts; the deletion is a tombstone that keeps the organization', async () => {
    const tag = uniqueTag();
    await withRootDb(async (client) => {
      await deliver(client, fixture('organizationDomain.created', tag));
      expect(await row(client, 'organization_domains', taggedId(DOMAIN, tag))).toMatchObject({
        organization_id: taggedId(STORY_ORG, tag),
        name: 'testtrucking.com',
        enrollment_mode: 'manual_invitation',
        verification_status: null,
        affiliation_email_address: null,
        total_pending_invitations: 0,
        total_pending_suggestions: 0,
        deleted_at: null,
      });
      await deliver(client, fixture('organizationDomain.updated', tag));
      expect(await row(client, 'organization_domains', taggedId(DOMAIN, tag))).toMatchObject({
        enrollment_mode: 'automatic_invitation',
        verification_status: 'verified',
        affiliation_email_address: 'admin@testtrucking.com',
      });
      const deleted = fixture('organizationDomain.deleted', tag);
      expect((await deliver(client, deleted)).status).toBe('processed');
      expect(await row(client, 'organization_domains', taggedId(DOMAIN, tag))).toMatchObject({
        organization_id: taggedId(STORY_ORG, tag),
        name: 'testtrucking.com',
        deleted_at: new Date(deleted.timestamp!),
      });
      const audits = await auditRows(client, 'organization_domains', taggedId(DOMAIN, tag));
      expect(audits.map((audit) => [audit.action, audit.organization_id])).toEqual([
        ['created', taggedId(STORY_ORG, tag)],
        ['updated', taggedId(STORY_ORG, tag)],
        ['deleted', taggedId(STORY_ORG, tag)],
      ]);
      expect(audits[2].changes).toEqual({ deleted_at: { before: null, after: expect.any(String) } });
    });
  });

  it('reads the deprecated `verification` when affiliation_verification is missing', async () => {
    const tag = uniqueTag();
    const updated = fixture('organizationDomain.updated', tag);
    delete updated.data.affiliation_verification;
    updated.data.verification.status = 'unverified';
    await withRootDb(async (client) => {
      await deliver(client, updated);
      expect((await row(client, 'organization_domains', taggedId(DOMAIN, tag))).verification_status).toBe('unverified');
    });
  });
});

describe('roles and permissions', () => {
  it('stores the role, the permissions it embeds and exactly its links', async () => {
    const tag = uniqueTag();
    await withRootDb(async (client) => {
      expect((await deliver(client, fixture('role.created', tag))).status).toBe('processed');
      expect(await row(client, 'roles', taggedId(DISPATCHER, tag))).toMatchObject({
        key: 'org:dispatcher',
        name: 'Dispatcher',
        description: 'Plans loads and assigns drivers and vehicles.',
        is_creator_eligible: false,
        permission_ids: DISPATCHER_PERMISSIONS.map((id) => taggedId(id, tag)),
        deleted_at: null,
      });
      expect(await row(client, 'permissions', taggedId(DISPATCHER_PERMISSIONS[0], tag))).toMatchObject({
        key: 'org:sys_memberships:read',
        name: 'Read members',
        type: 'system',
        clerk_updated_at: new Date(1745520822118),
      });
      expect(await links(client, taggedId(DISPATCHER, tag))).toEqual(DISPATCHER_PERMISSIONS.map((id) => taggedId(id, tag)));
      // One audit row for the role and one per permission it brought, all from the role event.
      const { rows } = await client.query(
        `select entity_kind, count(*)::int as n from app_public.audit_logs where entity_id like '%' || $1 and event_type = 'role.created' group by 1 order by 1`,
        [tag],
      );
      expect(rows).toEqual([{ entity_kind: 'permissions', n: 5 }, { entity_kind: 'roles', n: 1 }]);

      const reshuffled = dispatcherReshuffled(tag);
      expect((await deliver(client, reshuffled)).status).toBe('processed');
      const expected = [...DISPATCHER_PERMISSIONS.slice(0, 4), EXPORT_MANIFESTS].map((id) => taggedId(id, tag)).sort();
      expect(await links(client, taggedId(DISPATCHER, tag))).toEqual(expected);
      const roleAudits = await auditRows(client, 'roles', taggedId(DISPATCHER, tag));
      expect(roleAudits.at(-1).changes.permission_ids).toEqual({
        before: DISPATCHER_PERMISSIONS.map((id) => taggedId(id, tag)),
        after: expected,
      });
    });
  });

  it('unlinks a deleted permission from every role, and a deleted role grants nothing', async () => {
    const tag = uniqueTag();
    await withRootDb(async (client) => {
      await deliver(client, dispatcherReshuffled(tag));
      expect(await links(client, taggedId(DISPATCHER, tag))).toContain(taggedId(EXPORT_MANIFESTS, tag));
      expect((await deliver(client, fixture('permission.deleted', tag))).status).toBe('processed');
      expect(await links(client, taggedId(DISPATCHER, tag))).not.toContain(taggedId(EXPORT_MANIFESTS, tag));
      expect((await row(client, 'permissions', taggedId(EXPORT_MANIFESTS, tag))).deleted_at).not.toBeNull();

      expect((await deliver(client, fixture('role.deleted', tag))).status).toBe('processed');
      expect(await links(client, taggedId(DISPATCHER, tag))).toEqual([]);
      expect((await row(client, 'roles', taggedId(DISPATCHER, tag))).deleted_at).toEqual(new Date(fixture('role.deleted').timestamp!));
      // A late, older role version still brings the permission only it lists, but the role stays deleted.
      expect((await deliver(client, fixture('role.created', tag))).status).toBe('processed');
      expect((await row(client, 'permissions', taggedId(DISPATCHER_PERMISSIONS[4], tag))).key).toBe('org:dispatcher:access_dispatch_dashboard');
      expect((await row(client, 'roles', taggedId(DISPATCHER, tag))).deleted_at).not.toBeNull();
      expect(await links(client, taggedId(DISPATCHER, tag))).toEqual([]);
    });
  });

  it('stores permission.created/updated/deleted on their own', async () => {
    const tag = uniqueTag();
    await withRootDb(async (client) => {
      for (const name of ['permission.created', 'permission.updated', 'permission.deleted']) {
        expect((await deliver(client, fixture(name, tag))).status).toBe('processed');
      }
      expect(await row(client, 'permissions', taggedId(EXPORT_MANIFESTS, tag))).toMatchObject({
        key: 'org:dispatcher:export_manifests',
        name: 'Export manifests and BOLs',
        type: 'user',
        deleted_at: new Date(fixture('permission.deleted').timestamp!),
      });
      expect((await auditRows(client, 'permissions', taggedId(EXPORT_MANIFESTS, tag))).map((audit) => [audit.action, audit.organization_id])).toEqual([
        ['created', null],
        ['updated', null],
        ['deleted', null],
      ]);
    });
  });
});

describe('sessions', () => {
  it('stores status, client, last active organization and times; ending is a status, not a deletion', async () => {
    const tag = uniqueTag();
    await withRootDb(async (client) => {
      await deliver(client, fixture('session.created', tag));
      expect(await row(client, 'sessions', taggedId(SESSION_A, tag))).toMatchObject({
        user_id: taggedId(ALICIA, tag),
        client_id: 'client_2xtKMWb7MCKYr63zMlN1xbrbYvR',
        status: 'active',
        last_active_organization_id: null,
        last_active_at: new Date(1748751899205),
        expire_at: new Date(1749356699205),
        abandon_at: new Date(1751343899205),
        deleted_at: null,
      });
      await deliver(client, fixture('session.ended', tag));
      expect(await row(client, 'sessions', taggedId(SESSION_A, tag))).toMatchObject({
        status: 'ended',
        last_active_organization_id: taggedId(STORY_ORG, tag),
        deleted_at: null,
      });
      // The embedded user is a version of its own (one microsecond before its updated_at).
      const embeddedUser = fixture('session.ended', tag).data.user;
      expect(await row(client, 'users', taggedId(ALICIA, tag))).toMatchObject({ first_name: embeddedUser.first_name, email: 'digitalherencia@outlook.com', deleted_at: null });
      expect((await row(client, 'users', taggedId(ALICIA, tag))).clerk_updated_at.getTime()).toBe(embeddedUser.updated_at - 1);
      expect((await auditRows(client, 'sessions', taggedId(SESSION_A, tag))).map((audit) => audit.action)).toEqual(['created', 'updated']);

      expect((await deliver(client, fixture('session.pending', tag))).status).toBe('processed');
      expect((await row(client, 'sessions', taggedId(SESSION_B, tag))).status).toBe('pending');
      await deliver(client, fixture('session.revoked', tag));
      expect((await row(client, 'sessions', taggedId(SESSION_B, tag))).status).toBe('revoked');
      expect((await deliver(client, fixture('session.removed', tag))).status).toBe('processed');
      expect((await row(client, 'sessions', taggedId('sess_2y0a1oflYpFtGQz9dmVXFA9NKcg', tag))).status).toBe('removed');
    });
  });
});

describe('emails and SMS', () => {
  it('keeps delivery metadata in app_private, no one-time code anywhere, and no audit row', async () => {
    const tag = uniqueTag();
    await withRootDb(async (client) => {
      const audits = await auditCount(client, tag);
      const email = await deliver(client, fixture('email.created', tag));
      const sms = await deliver(client, fixture('sms.created', tag));
      expect([email.status, sms.status]).toEqual(['processed', 'processed']);
      expect(await row(client, 'app_private.clerk_messages', taggedId('ema_2y50jkMd1WyxjbuvrLGiZsdo5Gc', tag))).toMatchObject({
        channel: 'email',
        slug: 'verification_code',
        status: 'queued',
        user_id: taggedId(ALICIA, tag),
        to_address: 'digitalherencia@outlook.com',
        from_address: 'notifications',
        identifier_id: 'idn_2xtKOcsRaFBgAAGVksuIb6MMjju',
        delivered_by_clerk: true,
        svix_id: email.svix_id,
        occurred_at: new Date(fixture('email.created').timestamp!),
      });
      expect(await row(client, 'app_private.clerk_messages', taggedId('sms_2xwifp6nu3t75Lz7LRlpSWxYhnP', tag))).toMatchObject({
        channel: 'sms',
        to_address: '+15125550147',
        from_address: '+18332024610',
        identifier_id: 'idn_2xwifjkVvvDXjxE5JdI7GgT9Am3',
      });
      expect(await auditCount(client, tag)).toBe(audits);

      const { rows } = await client.query('select payload from app_private.webhook_events where svix_id = any($1)', [[email.svix_id, sms.svix_id]]);
      const stored = JSON.stringify(rows);
      expect(stored).not.toContain('482913');
      expect(stored).not.toContain('739105');
      const ledgerEmail = rows.find((ledger) => ledger.payload.type === 'email.created').payload.data;
      expect(ledgerEmail).toMatchObject({ subject: '[redacted]', body: '[redacted]', body_plain: '[redacted]', to_email_address: 'digitalherencia@outlook.com' });
      expect(ledgerEmail.data).toMatchObject({ otp_code: '[redacted]', app: { name: 'Fleet Ops' } });
      const dump = await client.query(`select count(*)::int as n from app_private.clerk_messages m where to_jsonb(m)::text ~ '482913|739105'`);
      expect(dump.rows[0].n).toBe(0);

      // The same message reported again under another svix-id changes nothing.
      expect((await deliver(client, fixture('email.created', tag))).status).toBe('stale');
    });
  });

  it("forgets the recipient once the user is deleted, also for a message reported after the deletion", async () => {
    const tag = uniqueTag();
    await withRootDb(async (client) => {
      await deliver(client, fixture('email.created', tag));
      await deliver(client, fixture('user.deleted', tag));
      await deliver(client, fixture('sms.created', tag));
      const { rows } = await client.query('select channel, to_address from app_private.clerk_messages where user_id = $1 order by 1', [taggedId(ALICIA, tag)]);
      expect(rows).toEqual([{ channel: 'email', to_address: null }, { channel: 'sms', to_address: null }]);
    });
  });
});

describe('billing', () => {
  it("keeps an organization's subscription, its standing and its items' plans", async () => {
    const tag = uniqueTag();
    await withRootDb(async (client) => {
      expect((await deliver(client, fixture('subscription.created', tag))).status).toBe('processed');
      expect(await row(client, 'billing_subscriptions', taggedId(SUBSCRIPTION, tag))).toMatchObject({
        payer_id: taggedId('cpayer_2xtKSEoJt0BvHiqPX63GdGtvyZv', tag),
        organization_id: taggedId(STORY_ORG, tag),
        user_id: null,
        status: 'active',
        past_due_at: null,
      });
      expect(await row(client, 'billing_subscription_items', taggedId(FREE_ITEM, tag))).toMatchObject({
        subscription_id: taggedId(SUBSCRIPTION, tag),
        organization_id: taggedId(STORY_ORG, tag),
        status: 'active',
        plan_slug: 'free_org',
        plan_name: 'Free',
        plan_period: 'month',
        amount: 0,
        currency: 'USD',
      });

      for (const name of ['subscription.updated', 'subscriptionItem.created', 'subscriptionItem.active']) await deliver(client, fixture(name, tag));
      expect((await deliver(client, fixture('subscriptionItem.freeTrialEnding', tag))).status).toBe('stale');
      expect(await row(client, 'billing_subscription_items', taggedId(PRO_ITEM, tag))).toMatchObject({
        status: 'active',
        is_free_trial: true,
        plan_slug: 'fleet-pro',
        amount: 4900,
        seats: 25,
        period_end: new Date(1750086198442),
      });
      expect((await row(client, 'billing_subscription_items', taggedId(FREE_ITEM, tag))).status).toBe('ended');

      await deliver(client, fixture('subscription.pastDue', tag));
      expect(await row(client, 'billing_subscriptions', taggedId(SUBSCRIPTION, tag))).toMatchObject({ status: 'past_due', past_due_at: new Date(1750086203642) });
      expect((await row(client, 'billing_subscription_items', taggedId(PRO_ITEM, tag))).status).toBe('past_due');
      const audits = await auditRows(client, 'billing_subscriptions', taggedId(SUBSCRIPTION, tag));
      expect(audits.at(-1)).toMatchObject({ action: 'updated', organization_id: taggedId(STORY_ORG, tag), event_type: 'subscription.pastDue' });
      expect(audits.at(-1).changes.status).toEqual({ before: 'active', after: 'past_due' });
    });
  });

  it('keeps a user payer as the user, not as an organization ("" is none)', async () => {
    const tag = uniqueTag();
    const event = fixture('subscriptionItem.upcoming', tag);
    Object.assign(event.data.payer, { organization_id: '', organization_name: '', user_id: taggedId(ALICIA, tag) });
    await withRootDb(async (client) => {
      await deliver(client, event);
      expect(await row(client, 'billing_subscription_items', event.data.id)).toMatchObject({ organization_id: null, user_id: taggedId(ALICIA, tag) });
    });
  });
});

describe('variants real payloads show', () => {
  it('an invitation with a legacy role, no role_name, no instance_id and no event_attributes', async () => {
    const tag = uniqueTag();
    const event = fixture('variants/organizationInvitation.created.legacy-role', tag);
    await withRootDb(async (client) => {
      expect((await deliver(client, event)).status).toBe('processed');
      expect(await row(client, 'organization_invitations', event.data.id)).toMatchObject({ role: 'basic_member', role_name: null, status: 'pending' });
      expect(await auditRows(client, 'organization_invitations', event.data.id)).toEqual([
        expect.objectContaining({ action: 'created', client_ip: null, user_agent: null, organization_id: taggedId(STORY_ORG, tag) }),
      ]);
    });
  });

  it('a sign-up code email to someone who is not a user yet: no user, code redacted all the same', async () => {
    const tag = uniqueTag();
    const event = fixture('variants/email.created.no-user', tag);
    await withRootDb(async (client) => {
      const result = await deliver(client, event);
      expect(result.status).toBe('processed');
      expect(await row(client, 'app_private.clerk_messages', event.data.id)).toMatchObject({ user_id: null, identifier_id: null, to_address: 'owner@rapidhaulfreight.com' });
      const { rows } = await client.query('select payload::text from app_private.webhook_events where svix_id = $1', [result.svix_id]);
      expect(rows[0].payload).not.toContain('615204');
    });
  });

  it('a session.pending carrying only id, user, status and times', async () => {
    const tag = uniqueTag();
    const event = fixture('variants/session.pending.minimal', tag);
    await withRootDb(async (client) => {
      expect((await deliver(client, event)).status).toBe('processed');
      expect(await row(client, 'sessions', event.data.id)).toMatchObject({
        user_id: taggedId(ALICIA, tag),
        status: 'pending',
        client_id: null,
        last_active_organization_id: null,
        expire_at: null,
      });
    });
  });

  it('a role with no permissions and a null description', async () => {
    const tag = uniqueTag();
    const event = fixture('variants/role.created.no-permissions', tag);
    await withRootDb(async (client) => {
      expect((await deliver(client, event)).status).toBe('processed');
      expect(await row(client, 'roles', event.data.id)).toMatchObject({ key: 'org:viewer', description: null, is_creator_eligible: true, permission_ids: [] });
      expect(await links(client, event.data.id)).toEqual([]);
    });
  });
});

describe('ledger-only types', () => {
  it.each(['waitlistEntry.created', 'waitlistEntry.updated', 'invitation.created', 'invitation.accepted', 'invitation.revoked', 'paymentAttempt.created', 'paymentAttempt.updated', 'variants/unknown.type'])(
    '%s is recorded as ignored and changes nothing else',
    async (name) => {
      const tag = uniqueTag();
      await withRootDb(async (client) => {
        const result = await deliver(client, fixture(name, tag));
        expect(result.status).toBe('ignored');
        const { rows } = await client.query('select outcome, payload from app_private.webhook_events where svix_id = $1', [result.svix_id]);
        expect(rows).toEqual([{ outcome: 'ignored', payload: fixture(name, tag) }]);
        const { rows: audits } = await client.query('select from app_public.audit_logs where svix_id = $1', [result.svix_id]);
        expect(audits).toEqual([]);
      });
    },
  );
});

describe('arrival order and duplicates', () => {
  const scenarios: Array<[string, () => (tag: string) => ClerkEvent[]]> = [
    ['invitation created/accepted and its organization deleted', () => (tag) =>
      ['organizationInvitation.created', 'organizationInvitation.accepted', 'variants/organization.deleted.story-org'].map((name) => fixture(name, tag))],
    ['domain created/updated/deleted', () => (tag) =>
      ['organizationDomain.created', 'organizationDomain.updated', 'organizationDomain.deleted'].map((name) => fixture(name, tag))],
    ['role created/reshuffled and a permission of it deleted', () => (tag) =>
      [fixture('role.created', tag), dispatcherReshuffled(tag), fixture('permission.deleted', tag)]],
    ['role created/updated/deleted', () => (tag) => ['role.created', 'role.updated', 'role.deleted'].map((name) => fixture(name, tag))],
    ['session pending/revoked and a second session created/ended', () => (tag) =>
      ['session.pending', 'session.revoked', 'session.created', 'session.ended'].map((name) => fixture(name, tag))],
  ];

  describe.each(scenarios)('%s', (_label, build) => {
    const eventsOf = build();
    const count = eventsOf('x').length;
    const orders = permutations([...Array(count).keys()]);

    it(`reaches the in-order state from all ${orders.length} arrival orders`, async () => {
      const tag = uniqueTag();
      const events = eventsOf(tag);
      const expected = await withRootDb(async (client) => {
        for (const event of events) expect((await deliver(client, event)).status).toBe('processed');
        return syncedState(client, tag);
      });
      for (const order of orders.slice(1)) {
        await withRootDb(async (client) => {
          for (const index of order) expect((await deliver(client, events[index])).status).toMatch(/^(processed|stale)$/);
          expect(await syncedState(client, tag)).toEqual(expected);
        });
      }
    });

    it('answers duplicate for a svix-id seen before and stale for the same events re-sent, changing nothing', async () => {
      const tag = uniqueTag();
      const events = eventsOf(tag);
      await withRootDb(async (client) => {
        const svixIds = [];
        for (const event of events) svixIds.push((await deliver(client, event)).svix_id);
        const before = await syncedState(client, tag);
        const audits = await auditCount(client, tag);
        for (const [index, event] of events.entries()) {
          expect(await deliver(client, event, svixIds[index])).toMatchObject({ status: 'duplicate', original_status: 'processed' });
          expect((await deliver(client, event)).status).toBe('stale');
        }
        expect(await syncedState(client, tag)).toEqual(before);
        expect(await auditCount(client, tag)).toBe(audits);
      });
    });
  });

  it('reaches the in-order billing state from shuffled subscription and item events', async () => {
    const tag = uniqueTag();
    const names = [
      'subscription.created', 'subscription.updated', 'subscription.pastDue', 'subscription.active',
      'subscriptionItem.created', 'subscriptionItem.active', 'subscriptionItem.ended', 'subscriptionItem.freeTrialEnding',
      'subscriptionItem.pastDue', 'subscriptionItem.updated', 'subscriptionItem.canceled', 'subscriptionItem.incomplete',
      'subscriptionItem.abandoned', 'subscriptionItem.upcoming',
    ];
    const events = names.map((name) => fixture(name, tag)).sort((a, b) => a.timestamp! - b.timestamp!);
    const expected = await withRootDb(async (client) => {
      for (const event of events) await deliver(client, event);
      return syncedState(client, tag);
    });
    expect(expected.billing_subscriptions).toHaveLength(1);
    expect(expected.billing_subscription_items).toHaveLength(4);
    // A fixed pseudo-random sequence of shuffles (reproducible failures).
    let seed = 5;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let run = 0; run < 12; run += 1) {
      const shuffled = [...events].sort(() => random() - 0.5);
      await withRootDb(async (client) => {
        for (const event of shuffled) expect((await deliver(client, event)).status).toMatch(/^(processed|stale)$/);
        expect(await syncedState(client, tag)).toEqual(expected);
      });
    }
  });
});
