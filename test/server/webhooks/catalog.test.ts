// Every event type of Clerk's catalog, posted with a real Svix signature to the running app over
// HTTP: its answer, its ledger row, the rows it writes and its audit rows. Each type arrives on
// its own (the sync takes any arrival order), under ids tagged for this test.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { endTestPools, getRootPool } from '../../helpers/db.ts';
import { startTestApp, type RunningApp } from '../../helpers/app.ts';
import { fixture, fixtureText, uniqueTag } from '../../helpers/clerkEvents.ts';
import { postWebhook, signDelivery } from '../../helpers/webhooks.ts';

type Audit = [entityKind: string, action: string];

interface Expectation {
  /** ignored: kept in the ledger only. */
  outcome: 'processed' | 'ignored';
  /** Where data.id lands, and some of what it holds there. */
  table?: string;
  row?: Record<string, unknown>;
  /** Audit rows of the delivery, as (entity kind, action), sorted. */
  audits?: Audit[];
}

const created = (kind: string, n = 1): Audit[] => Array.from({ length: n }, () => [kind, 'created']);
const ignored: Expectation = { outcome: 'ignored', audits: [] };

// Clerk's event catalog, type by type (billing: the types of the @clerk/backend webhook definitions).
const CATALOG: Record<string, Expectation> = {
  'user.created': { outcome: 'processed', table: 'users', row: { first_name: 'Admin', email: 'digitalherencia@outlook.com' }, audits: created('users') },
  'user.updated': { outcome: 'processed', table: 'users', row: { first_name: 'Alicia', onboarding_complete: true }, audits: created('users') },
  'user.deleted': { outcome: 'processed', table: 'users', row: { email: null, deleted_at: expect.any(Date) }, audits: [['users', 'deleted']] },
  'organization.created': { outcome: 'processed', table: 'organizations', row: { name: 'Test Trucking' }, audits: created('organizations') },
  'organization.updated': { outcome: 'processed', table: 'organizations', row: { name: 'Test Trucking LLC' }, audits: created('organizations') },
  'organization.deleted': { outcome: 'processed', table: 'organizations', row: { deleted_at: expect.any(Date) }, audits: [['organizations', 'deleted']] },
  'organizationMembership.created': { outcome: 'processed', table: 'organization_memberships', row: { role: 'org:admin' }, audits: [...created('organization_memberships'), ...created('organizations')] },
  'organizationMembership.updated': { outcome: 'processed', table: 'organization_memberships', row: { role: 'org:dispatcher' }, audits: [...created('organization_memberships'), ...created('organizations')] },
  'organizationMembership.deleted': { outcome: 'processed', table: 'organization_memberships', row: { deleted_at: expect.any(Date) }, audits: [['organization_memberships', 'deleted'], ...created('organizations')] },
  'organizationInvitation.created': { outcome: 'processed', table: 'organization_invitations', row: { status: 'pending' }, audits: created('organization_invitations') },
  'organizationInvitation.accepted': { outcome: 'processed', table: 'organization_invitations', row: { status: 'accepted', user_id: expect.stringMatching(/^user_2xxLoPmGu4v3flajznz9tzGotAe_/) }, audits: created('organization_invitations') },
  'organizationInvitation.revoked': { outcome: 'processed', table: 'organization_invitations', row: { status: 'revoked', deleted_at: null }, audits: created('organization_invitations') },
  'organizationDomain.created': { outcome: 'processed', table: 'organization_domains', row: { name: 'testtrucking.com', verification_status: null }, audits: created('organization_domains') },
  'organizationDomain.updated': { outcome: 'processed', table: 'organization_domains', row: { verification_status: 'verified' }, audits: created('organization_domains') },
  'organizationDomain.deleted': { outcome: 'processed', table: 'organization_domains', row: { deleted_at: expect.any(Date) }, audits: [['organization_domains', 'deleted']] },
  'role.created': { outcome: 'processed', table: 'roles', row: { key: 'org:dispatcher' }, audits: [...created('permissions', 5), ...created('roles')] },
  'role.updated': { outcome: 'processed', table: 'roles', row: { description: 'Plans loads, assigns drivers and vehicles, and tracks them in transit.' }, audits: [...created('permissions', 5), ...created('roles')] },
  'role.deleted': { outcome: 'processed', table: 'roles', row: { deleted_at: expect.any(Date) }, audits: [['roles', 'deleted']] },
  'permission.created': { outcome: 'processed', table: 'permissions', row: { name: 'Export manifests' }, audits: created('permissions') },
  'permission.updated': { outcome: 'processed', table: 'permissions', row: { name: 'Export manifests and BOLs' }, audits: created('permissions') },
  'permission.deleted': { outcome: 'processed', table: 'permissions', row: { deleted_at: expect.any(Date) }, audits: [['permissions', 'deleted']] },
  'session.created': { outcome: 'processed', table: 'sessions', row: { status: 'active' }, audits: [...created('sessions'), ...created('users')] },
  'session.ended': { outcome: 'processed', table: 'sessions', row: { status: 'ended' }, audits: [...created('sessions'), ...created('users')] },
  'session.removed': { outcome: 'processed', table: 'sessions', row: { status: 'removed' }, audits: created('sessions') },
  'session.revoked': { outcome: 'processed', table: 'sessions', row: { status: 'revoked' }, audits: [...created('sessions'), ...created('users')] },
  'session.pending': { outcome: 'processed', table: 'sessions', row: { status: 'pending' }, audits: [...created('sessions'), ...created('users')] },
  'email.created': { outcome: 'processed', table: 'app_private.clerk_messages', row: { channel: 'email', slug: 'verification_code' }, audits: [] },
  'sms.created': { outcome: 'processed', table: 'app_private.clerk_messages', row: { channel: 'sms', to_address: '+15125550147' }, audits: [] },
  'waitlistEntry.created': ignored,
  'waitlistEntry.updated': ignored,
  'invitation.created': ignored,
  'invitation.accepted': ignored,
  'invitation.revoked': ignored,
  'subscription.created': { outcome: 'processed', table: 'billing_subscriptions', row: { status: 'active' }, audits: [...created('billing_subscription_items'), ...created('billing_subscriptions')] },
  'subscription.updated': { outcome: 'processed', table: 'billing_subscriptions', row: { status: 'active' }, audits: [...created('billing_subscription_items', 2), ...created('billing_subscriptions')] },
  'subscription.active': { outcome: 'processed', table: 'billing_subscriptions', row: { status: 'active', past_due_at: null }, audits: [...created('billing_subscription_items'), ...created('billing_subscriptions')] },
  'subscription.pastDue': { outcome: 'processed', table: 'billing_subscriptions', row: { status: 'past_due' }, audits: [...created('billing_subscription_items'), ...created('billing_subscriptions')] },
  'subscriptionItem.created': { outcome: 'processed', table: 'billing_subscription_items', row: { plan_slug: 'fleet-pro' }, audits: created('billing_subscription_items') },
  'subscriptionItem.updated': { outcome: 'processed', table: 'billing_subscription_items', row: { status: 'active', is_free_trial: false }, audits: created('billing_subscription_items') },
  'subscriptionItem.active': { outcome: 'processed', table: 'billing_subscription_items', row: { status: 'active', is_free_trial: true }, audits: created('billing_subscription_items') },
  'subscriptionItem.canceled': { outcome: 'processed', table: 'billing_subscription_items', row: { status: 'canceled' }, audits: created('billing_subscription_items') },
  'subscriptionItem.upcoming': { outcome: 'processed', table: 'billing_subscription_items', row: { status: 'upcoming', plan_slug: 'free_org' }, audits: created('billing_subscription_items') },
  'subscriptionItem.ended': { outcome: 'processed', table: 'billing_subscription_items', row: { status: 'ended' }, audits: created('billing_subscription_items') },
  'subscriptionItem.abandoned': { outcome: 'processed', table: 'billing_subscription_items', row: { status: 'abandoned' }, audits: created('billing_subscription_items') },
  'subscriptionItem.incomplete': { outcome: 'processed', table: 'billing_subscription_items', row: { status: 'incomplete', plan_period: 'annual' }, audits: created('billing_subscription_items') },
  'subscriptionItem.pastDue': { outcome: 'processed', table: 'billing_subscription_items', row: { status: 'past_due' }, audits: created('billing_subscription_items') },
  'subscriptionItem.freeTrialEnding': { outcome: 'processed', table: 'billing_subscription_items', row: { status: 'active' }, audits: created('billing_subscription_items') },
  'paymentAttempt.created': ignored,
  'paymentAttempt.updated': ignored,
  'variants/unknown.type': ignored,
};

let app: RunningApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
  await endTestPools();
});

describe('POST /api/webhooks/clerk, every Clerk event type', () => {
  it('has a fixture for every catalog type and an expectation for every fixture', () => {
    const files = readdirSync(path.join(process.cwd(), 'test', 'fixtures', 'clerk')).filter((file) => file.endsWith('.json'));
    expect(files.map((file) => file.replace(/\.json$/, '')).sort()).toEqual(Object.keys(CATALOG).filter((name) => !name.startsWith('variants/')).sort());
  });

  it.each(Object.entries(CATALOG))('%s', async (name, expected) => {
    const tag = uniqueTag();
    const event = fixture(name, tag);
    const delivery = signDelivery(fixtureText(name, tag));
    const response = await postWebhook(app.url, delivery);
    expect(response).toEqual({ status: 200, body: expect.objectContaining({ status: expected.outcome, svix_id: delivery.svixId, event_type: event.type }) });

    const db = getRootPool();
    const { rows: ledger } = await db.query('select event_type, object_id, outcome, error_message from app_private.webhook_events where svix_id = $1', [delivery.svixId]);
    expect(ledger).toEqual([{ event_type: event.type, object_id: event.data.id, outcome: expected.outcome, error_message: null }]);

    if (expected.table) {
      const table = expected.table.includes('.') ? expected.table : `app_public.${expected.table}`;
      const { rows } = await db.query(`select * from ${table} where id = $1`, [event.data.id]);
      expect(rows).toEqual([expect.objectContaining(expected.row ?? {})]);
    }
    const { rows: audits } = await db.query('select entity_kind, action, event_type from app_public.audit_logs where svix_id = $1 order by entity_kind, action', [delivery.svixId]);
    expect(audits.map((audit) => [audit.entity_kind, audit.action])).toEqual(expected.audits);
    expect(audits.every((audit) => audit.event_type === event.type)).toBe(true);
  });

  it('answers a second delivery of the same svix-id as a duplicate, for a type of every family', async () => {
    const tag = uniqueTag();
    for (const name of ['organizationInvitation.created', 'organizationDomain.created', 'role.created', 'session.created', 'email.created', 'subscription.created']) {
      const delivery = signDelivery(fixtureText(name, tag));
      expect((await postWebhook(app.url, delivery)).body.status).toBe('processed');
      expect((await postWebhook(app.url, delivery)).body).toMatchObject({ status: 'duplicate', original_status: 'processed' });
    }
  });
});
