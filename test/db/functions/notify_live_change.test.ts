// Change notifications for live subscriptions: ids only, on the organization's and the user's
// channels, and only for work that commits and changes a row.
import { afterAll, describe, expect, it } from '@jest/globals';
import { deliverAsWebhook, fixture, uniqueTag } from '../../helpers/clerkEvents.ts';
import { endTestPools, getRootPool, withRoleDb, withRootDb } from '../../helpers/db.ts';
import { listen, testDatabaseUrl } from '../../helpers/notifications.ts';
import { neonTemplateClaims } from '../../helpers/tokens.ts';
import { CATALOG, MEMBERSHIP, ORG, USER, createWorld, tokenPermissions } from '../../helpers/tenancyWorld.ts';
import { newSvixId } from '../../helpers/webhooks.ts';

afterAll(endTestPools);

/** Delivers in a transaction of its own that commits (notifications are sent at commit). */
async function deliverCommitted(payload: unknown, svixId: string | null = newSvixId()) {
  const client = await getRootPool().connect();
  try {
    await client.query('begin');
    const result = await deliverAsWebhook(client, payload, svixId);
    await client.query('commit');
    return result;
  } finally {
    client.release();
  }
}

function membershipEvent(tag: string) {
  const event = fixture('organizationMembership.created', tag);
  return { event, membershipId: event.data.id as string, organizationId: event.data.organization.id as string, userId: event.data.public_user_data.user_id as string };
}

describe('change notifications', () => {
  it('announce a synced change to its organization and its user, naming ids only', async () => {
    const { event, membershipId, organizationId, userId } = membershipEvent(uniqueTag());
    const listener = await listen(testDatabaseUrl(), [`org:${organizationId}`, `user:${userId}`]);
    try {
      expect(await deliverCommitted(event)).toMatchObject({ status: 'processed' });
      const received = await listener.settle();
      const membership = { kind: 'organization_memberships', id: membershipId, op: 'insert', org: organizationId };
      expect(received).toEqual(
        expect.arrayContaining([
          { channel: `org:${organizationId}`, payload: membership },
          { channel: `user:${userId}`, payload: membership },
          // the placeholder parents the membership created, and the audit rows of all three
          { channel: `org:${organizationId}`, payload: { kind: 'organizations', id: organizationId, op: 'insert', org: organizationId } },
          { channel: `user:${userId}`, payload: { kind: 'users', id: userId, op: 'insert', org: null } },
          { channel: `org:${organizationId}`, payload: { kind: 'audit_logs', id: expect.stringMatching(/^\d+$/), op: 'insert', org: organizationId } },
        ]),
      );
      for (const { payload } of received) expect(Object.keys(payload).sort()).toEqual(['id', 'kind', 'op', 'org']);
      expect(JSON.stringify(received)).not.toMatch(/admin|Test Trucking|@/);

      // A soft delete reads as a deletion.
      const deleted = { ...event, type: 'organizationMembership.deleted', data: { ...event.data, updated_at: event.data.updated_at + 1000 } };
      expect(await deliverCommitted(deleted)).toMatchObject({ status: 'processed' });
      expect((await listener.settle()).filter(({ payload }) => payload.kind === 'organization_memberships')).toEqual([
        { channel: `org:${organizationId}`, payload: { ...membership, op: 'delete' } },
        { channel: `user:${userId}`, payload: { ...membership, op: 'delete' } },
      ]);
    } finally {
      await listener.close();
    }
  });

  it('say nothing of a rolled-back delivery, a failed one, a duplicate or a stale one', async () => {
    const { event, organizationId, userId } = membershipEvent(uniqueTag());
    const listener = await listen(testDatabaseUrl(), [`org:${organizationId}`, `user:${userId}`]);
    try {
      // Rolled back after it applied.
      await withRootDb(async (client) => {
        expect(await deliverAsWebhook(client, event, newSvixId())).toMatchObject({ status: 'processed' });
      });
      expect(await listener.settle()).toEqual([]);

      // Failed after it wrote: the placeholder organization is created, then the missing user fails it.
      const broken = { type: 'organizationMembership.created', data: { id: `orgmem_broken_${uniqueTag()}`, organization: { id: organizationId } } };
      expect(await deliverCommitted(broken)).toMatchObject({ status: 'failed' });
      expect(await listener.settle()).toEqual([]);

      // Applied once, then the same svix-id again, then the same version under another svix-id.
      const svixId = newSvixId();
      expect(await deliverCommitted(event, svixId)).toMatchObject({ status: 'processed' });
      expect((await listener.settle()).length).toBeGreaterThan(0);
      expect(await deliverCommitted(event, svixId)).toMatchObject({ status: 'duplicate' });
      expect(await deliverCommitted(event, newSvixId())).toMatchObject({ status: 'stale' });
      expect(await listener.settle()).toEqual([]);
    } finally {
      await listener.close();
    }
  });
});

describe('live_event_visible', () => {
  const claims = (userId: string, orgId: string | undefined, role?: 'org:admin' | 'org:member' | 'org:compliance') =>
    neonTemplateClaims({ userId, orgId, role, permissions: role ? tokenPermissions(role) : undefined });
  const visible = (who: Record<string, unknown>, kind: string, id: string, op: string, org: string | null) =>
    withRoleDb('authenticated', who, async (client) => {
      const { rows } = await client.query('select app_public.live_event_visible($1, $2, $3, $4) as visible', [kind, id, op, org]);
      return rows[0].visible as boolean;
    }, createWorld);

  it('lets row-level security decide inserts and updates', async () => {
    const alice = claims(USER.alice, ORG.acme, 'org:admin');
    const bob = claims(USER.bob, ORG.acme, 'org:member');
    const carol = claims(USER.carol, ORG.globex, 'org:admin');
    expect(await visible(alice, 'organization_memberships', MEMBERSHIP.bobAcme, 'update', ORG.acme)).toBe(true);
    expect(await visible(carol, 'organization_memberships', MEMBERSHIP.bobAcme, 'update', ORG.acme)).toBe(false);
    // Invitations need org:sys_memberships:read, which members hold through their synced membership.
    expect(await visible(bob, 'organization_invitations', CATALOG.invitation.acme, 'insert', ORG.acme)).toBe(true);
    expect(await visible(carol, 'organization_invitations', CATALOG.invitation.acme, 'insert', ORG.acme)).toBe(false);
    expect(await visible(bob, 'organization_domains', CATALOG.domain.acme, 'update', ORG.acme)).toBe(false);
    expect(await visible(alice, 'organization_domains', CATALOG.domain.acme, 'update', ORG.acme)).toBe(true);
    // A soft-deleted row is no longer readable.
    expect(await visible(alice, 'organization_invitations', CATALOG.invitation.acmeDeleted, 'update', ORG.acme)).toBe(false);
    // Not a table, or not one of app_public: never.
    expect(await visible(alice, 'webhook_events', 'msg_1', 'insert', ORG.acme)).toBe(false);
    expect(await visible(alice, 'no_such_table', 'x', 'insert', ORG.acme)).toBe(false);
  });

  it('shows a deletion to those who read the live rows of its table', async () => {
    const alice = claims(USER.alice, ORG.acme, 'org:admin');
    const bob = claims(USER.bob, ORG.acme, 'org:member');
    const carol = claims(USER.carol, ORG.globex, 'org:admin');
    expect(await visible(bob, 'organization_memberships', MEMBERSHIP.erinAcme, 'delete', ORG.acme)).toBe(true);
    expect(await visible(carol, 'organization_memberships', MEMBERSHIP.erinAcme, 'delete', ORG.acme)).toBe(false);
    expect(await visible(alice, 'organization_domains', CATALOG.domain.acmeDeleted, 'delete', ORG.acme)).toBe(true);
    expect(await visible(bob, 'organization_domains', CATALOG.domain.acmeDeleted, 'delete', ORG.acme)).toBe(false);
    expect(await visible(bob, 'users', USER.bob, 'delete', null)).toBe(true);
    expect(await visible(bob, 'users', USER.alice, 'delete', null)).toBe(false);
    expect(await visible(alice, 'audit_logs', '1', 'delete', ORG.acme)).toBe(false);
  });
});

describe('live_access_ended', () => {
  const ended = (userId: string, orgId?: string) =>
    withRoleDb('authenticated', neonTemplateClaims({ userId, orgId, role: 'org:member' }), async (client) => {
      const { rows } = await client.query('select app_public.live_access_ended() as ended');
      return rows[0].ended as boolean;
    }, createWorld);

  it('is true once the membership, the organization or the user is known to be deleted', async () => {
    expect(await ended(USER.bob, ORG.acme)).toBe(false);
    expect(await ended(USER.erin, ORG.acme)).toBe(true);
    expect(await ended(USER.dave, ORG.gone)).toBe(true);
    expect(await ended(USER.gina, ORG.acme)).toBe(true);
    // Not synced yet is not a departure; no organization is nothing to leave.
    expect(await ended('user_2notsyncedyet', ORG.acme)).toBe(false);
    expect(await ended(USER.dave)).toBe(false);
  });
});
