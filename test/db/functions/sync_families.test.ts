// What the user, organization and membership families write: rows, placeholders, cascades,
// scrubbing, audit rows, and the same state whatever the arrival order.
import { afterAll, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { endTestPools, withRootDb } from '../../helpers/db.ts';
import { deliverAsWebhook, fixture, syncedState, taggedId, uniqueTag, type ClerkEvent } from '../../helpers/clerkEvents.ts';
import { newSvixId } from '../../helpers/webhooks.ts';

afterAll(endTestPools);

const ALICIA = 'user_2xtKOmOKFZcYQ8kBGzxhPlrgBJv';
const STORY_ORG = 'org_2xtKS56z1iD1EVaRTl9TEMizXs6';
const MEMBERSHIP = 'orgmem_2xtKS7v97eo9g3TGqgyk1Wyxk74';

const deliver = (client: pg.ClientBase, event: ClerkEvent) => deliverAsWebhook(client, event, newSvixId());

async function row(client: pg.ClientBase, table: string, id: string) {
  const { rows } = await client.query(`select * from app_public.${table} where id = $1`, [id]);
  return rows[0];
}

async function privateMetadata(client: pg.ClientBase, kind: string, id: string) {
  const { rows } = await client.query('select private_metadata from app_private.private_metadata where entity_kind = $1 and entity_id = $2', [kind, id]);
  return rows[0]?.private_metadata ?? null;
}

async function auditRows(client: pg.ClientBase, kind: string, id: string) {
  const { rows } = await client.query('select * from app_public.audit_logs where entity_kind = $1 and entity_id = $2 order by id', [kind, id]);
  return rows;
}

describe('users', () => {
  it('stores the primary email matched by id, names, metadata, and app role/onboarding from public_metadata', async () => {
    const tag = uniqueTag();
    await withRootDb(async (client) => {
      expect((await deliver(client, fixture('user.created', tag))).status).toBe('processed');
      expect(await row(client, 'users', taggedId(ALICIA, tag))).toMatchObject({
        email: 'digitalherencia@outlook.com',
        first_name: 'Admin',
        last_name: 'Test',
        username: null,
        onboarding_complete: false,
        role: null,
        banned: false,
        locked: false,
        last_sign_in_at: null,
        last_active_at: new Date(1748751899097),
        clerk_created_at: new Date(1748751899098),
        clerk_updated_at: new Date(1748751899113),
        deleted_at: null,
      });
      expect((await deliver(client, fixture('user.updated', tag))).status).toBe('processed');
      const updated = await row(client, 'users', taggedId(ALICIA, tag));
      expect(updated).toMatchObject({
        first_name: 'Alicia',
        last_name: 'Torres',
        public_metadata: { onboardingComplete: true, role: 'admin' },
        onboarding_complete: true,
        role: 'admin',
        last_sign_in_at: new Date(1748751899205),
      });
      expect(updated).not.toHaveProperty('private_metadata');
      expect(await privateMetadata(client, 'users', taggedId(ALICIA, tag))).toEqual(fixture('user.updated').data.private_metadata);

      const primaryNotFirst = fixture('variants/user.updated.primary-not-first', tag);
      expect(primaryNotFirst.data.email_addresses[0].id).not.toBe(primaryNotFirst.data.primary_email_address_id);
      expect((await deliver(client, primaryNotFirst)).status).toBe('processed');
      expect((await row(client, 'users', taggedId(ALICIA, tag))).email).toBe('admin@testtrucking.com');
    });
  });

  it('writes an audit row per change with only the changed fields and the delivery metadata', async () => {
    const tag = uniqueTag();
    await withRootDb(async (client) => {
      await deliver(client, fixture('user.created', tag));
      const updated = fixture('user.updated', tag);
      const result = await deliver(client, updated);
      const audits = await auditRows(client, 'users', taggedId(ALICIA, tag));
      expect(audits.map((audit) => audit.action)).toEqual(['created', 'updated']);
      expect(audits[1]).toMatchObject({
        organization_id: null,
        svix_id: result.svix_id,
        event_type: 'user.updated',
        client_ip: updated.event_attributes && (updated.event_attributes as any).http_request.client_ip,
        user_agent: '@clerk/nextjs@6.20.1',
        occurred_at: new Date(updated.timestamp!),
      });
      expect(audits[1].changes).toEqual({
        first_name: { before: 'Admin', after: 'Alicia' },
        last_name: { before: 'Test', after: 'Torres' },
        public_metadata: { before: {}, after: { onboardingComplete: true, role: 'admin' } },
        onboarding_complete: { before: false, after: true },
        role: { before: null, after: 'admin' },
        last_sign_in_at: { before: null, after: '2025-06-01T04:24:59.205+00:00' },
        last_active_at: { before: '2025-06-01T04:24:59.097+00:00', after: '2025-06-02T00:00:00+00:00' },
        private_metadata: { before: null, after: '[redacted]' },
      });
    });
  });

  it('soft-deletes on user.deleted, scrubs personal data (row, private metadata, audit history) and ends the memberships', async () => {
    const tag = uniqueTag();
    await withRootDb(async (client) => {
      for (const name of ['user.created', 'user.updated', 'organizationMembership.created']) await deliver(client, fixture(name, tag));
      const deleted = fixture('user.deleted', tag);
      expect((await deliver(client, deleted)).status).toBe('processed');
      const user = await row(client, 'users', taggedId(ALICIA, tag));
      expect(user).toMatchObject({
        email: null, first_name: null, last_name: null, username: null, image_url: null,
        public_metadata: {}, onboarding_complete: false, role: null,
        deleted_at: new Date(deleted.timestamp!),
        clerk_created_at: new Date(1748751899098),
      });
      expect(await privateMetadata(client, 'users', taggedId(ALICIA, tag))).toBeNull();
      expect((await row(client, 'organization_memberships', taggedId(MEMBERSHIP, tag))).deleted_at).toEqual(new Date(deleted.timestamp!));
      const history = JSON.stringify(await auditRows(client, 'users', taggedId(ALICIA, tag)));
      for (const personal of ['digitalherencia', 'Alicia', 'Torres', 'img.clerk.com', 'onboardingComplete']) expect(history).not.toContain(personal);
      const membershipAudit = await auditRows(client, 'organization_memberships', taggedId(MEMBERSHIP, tag));
      expect(membershipAudit.at(-1)).toMatchObject({ action: 'deleted', event_type: 'user.deleted', organization_id: taggedId(STORY_ORG, tag) });
    });
  });

  it('uses the receive time for a tombstone without timestamp and tolerates null fields everywhere', async () => {
    const tag = uniqueTag();
    await withRootDb(async (client) => {
      const legacy = fixture('variants/user.created.legacy-nulls', tag);
      expect((await deliver(client, legacy)).status).toBe('processed');
      expect(await row(client, 'users', legacy.data.id)).toMatchObject({ email: null, first_name: null, last_name: null, username: null, image_url: null });
      expect(await privateMetadata(client, 'users', legacy.data.id)).toBeNull();
      const { rows: [{ now }] } = await client.query('select now()');
      expect((await deliver(client, fixture('variants/user.deleted.no-timestamp', tag))).status).toBe('processed');
      expect((await row(client, 'users', legacy.data.id)).deleted_at).toEqual(now);
    });
  });
});

describe('organizations', () => {
  it('stores name, slug, image, creator, limits and metadata, private metadata apart', async () => {
    const tag = uniqueTag();
    await withRootDb(async (client) => {
      await deliver(client, fixture('variants/organization.created.no-instance-id', tag));
      await deliver(client, fixture('organization.updated', tag));
      expect(await row(client, 'organizations', taggedId(STORY_ORG, tag))).toMatchObject({
        name: 'Test Trucking LLC',
        slug: 'test-trucking',
        created_by: taggedId(ALICIA, tag),
        max_allowed_memberships: 5,
        admin_delete_enabled: true,
        public_metadata: { mcNumber: '5689865445', dotNumber: 'US DOT 3141592', companyName: 'Test Trucking LLC' },
        clerk_updated_at: new Date(1748752307220),
      });
      expect(await privateMetadata(client, 'organizations', taggedId(STORY_ORG, tag))).toEqual({ billingAccountRef: 'ACCT-20931' });
      const audits = await auditRows(client, 'organizations', taggedId(STORY_ORG, tag));
      expect(audits.map((audit) => [audit.action, audit.organization_id])).toEqual([['created', taggedId(STORY_ORG, tag)], ['updated', taggedId(STORY_ORG, tag)]]);
    });
  });

  it('soft-deletes on organization.deleted together with its memberships, each with an audit row', async () => {
    const tag = uniqueTag();
    await withRootDb(async (client) => {
      for (const name of ['organizationMembership.created', 'variants/organizationMembership.created.legacy-role', 'variants/organizationMembership.created.basic-member']) {
        await deliver(client, fixture(name, tag));
      }
      const deleted = fixture('variants/organization.deleted.story-org', tag);
      expect((await deliver(client, deleted)).status).toBe('processed');
      expect((await row(client, 'organizations', taggedId(STORY_ORG, tag))).deleted_at).toEqual(new Date(deleted.timestamp!));
      const { rows } = await client.query('select id, deleted_at from app_public.organization_memberships where organization_id = $1', [taggedId(STORY_ORG, tag)]);
      expect(rows).toHaveLength(3);
      for (const membership of rows) {
        expect(membership.deleted_at).toEqual(new Date(deleted.timestamp!));
        expect((await auditRows(client, 'organization_memberships', membership.id)).at(-1)).toMatchObject({ action: 'deleted', svix_id: expect.any(String), event_type: 'organization.deleted' });
      }
    });
  });
});

describe('memberships', () => {
  it('keeps legacy role strings as sent', async () => {
    const tag = uniqueTag();
    await withRootDb(async (client) => {
      const legacy = fixture('variants/organizationMembership.created.legacy-role', tag);
      const basic = fixture('variants/organizationMembership.created.basic-member', tag);
      await deliver(client, legacy);
      await deliver(client, basic);
      expect(await row(client, 'organization_memberships', legacy.data.id)).toMatchObject({ role: 'admin', role_name: 'Admin' });
      expect(await row(client, 'organization_memberships', basic.data.id)).toMatchObject({ role: 'basic_member', role_name: 'Member' });
    });
  });

  it('fills the organization from its embedded version and a placeholder user from public_user_data; the real events complete them', async () => {
    const tag = uniqueTag();
    await withRootDb(async (client) => {
      const membership = fixture('variants/organizationMembership.created.unknown-user', tag);
      expect((await deliver(client, membership)).status).toBe('processed');
      const userId = membership.data.public_user_data.user_id;
      const orgId = membership.data.organization.id;
      expect(await row(client, 'organization_memberships', membership.data.id)).toMatchObject({
        organization_id: orgId, user_id: userId, role: 'org:driver', public_metadata: { truckNumber: 'T-14' }, deleted_at: null,
      });
      // public_user_data has no version: it stands in on the placeholder until Clerk sends the user.
      expect(await row(client, 'users', userId)).toMatchObject({
        email: 'tomas.reyes@lonestarhaulers.com', first_name: 'Tomas', last_name: 'Reyes', username: null, clerk_updated_at: null, deleted_at: null,
      });
      // The embedded organization is a version of its own (one microsecond before its updated_at).
      const embedded = membership.data.organization;
      expect(await row(client, 'organizations', orgId)).toMatchObject({ name: 'Lone Star Haulers', slug: embedded.slug, deleted_at: null });
      expect((await row(client, 'organizations', orgId)).clerk_updated_at.getTime()).toBe(embedded.updated_at - 1);
      expect((await auditRows(client, 'organizations', orgId)).map((audit) => audit.action)).toEqual(['created']);

      // A user.created older than the membership still fills the placeholder.
      const userCreated = fixture('user.created', tag);
      userCreated.data.id = userId;
      userCreated.data.updated_at = membership.data.updated_at - 60_000;
      expect((await deliver(client, userCreated)).status).toBe('processed');
      expect(await row(client, 'users', userId)).toMatchObject({ email: 'digitalherencia@outlook.com', first_name: 'Admin' });
      expect((await auditRows(client, 'users', userId)).map((audit) => audit.action)).toEqual(['created']);

      // An organization event older than the embedded version changes nothing...
      const olderUpdate = fixture('organization.updated', tag);
      olderUpdate.data.id = orgId;
      expect(olderUpdate.data.updated_at).toBeLessThan(embedded.updated_at);
      expect((await deliver(client, olderUpdate)).status).toBe('stale');
      expect(await row(client, 'organizations', orgId)).toMatchObject({ name: 'Lone Star Haulers' });
      // ...while Clerk's own event of that same version still applies, with what the copy left out.
      const sameVersion = fixture('organization.updated', tag);
      sameVersion.type = 'organization.created';
      Object.assign(sameVersion.data, { id: orgId, name: embedded.name, updated_at: embedded.updated_at });
      expect((await deliver(client, sameVersion)).status).toBe('processed');
      expect(await row(client, 'organizations', orgId)).toMatchObject({ name: 'Lone Star Haulers', created_by: taggedId(ALICIA, tag) });
      expect((await row(client, 'organizations', orgId)).clerk_updated_at.getTime()).toBe(embedded.updated_at);
      expect(await privateMetadata(client, 'organizations', orgId)).toEqual({ billingAccountRef: 'ACCT-20931' });
    });
  });

  it('stores a membership of an already deleted organization as deleted', async () => {
    const tag = uniqueTag();
    await withRootDb(async (client) => {
      const orgDeleted = fixture('variants/organization.deleted.story-org', tag);
      await deliver(client, orgDeleted);
      expect((await deliver(client, fixture('organizationMembership.created', tag))).status).toBe('processed');
      expect((await row(client, 'organization_memberships', taggedId(MEMBERSHIP, tag))).deleted_at).toEqual(new Date(orgDeleted.timestamp!));
    });
  });

  it('orders membership.deleted by its envelope timestamp, although it repeats the last updated_at', async () => {
    const tag = uniqueTag();
    await withRootDb(async (client) => {
      const updated = fixture('organizationMembership.updated', tag);
      const deleted = fixture('organizationMembership.deleted', tag);
      expect(deleted.data.updated_at).toBe(updated.data.updated_at);
      await deliver(client, fixture('organizationMembership.created', tag));
      await deliver(client, updated);
      expect((await deliver(client, deleted)).status).toBe('processed');
      expect((await row(client, 'organization_memberships', taggedId(MEMBERSHIP, tag))).deleted_at).toEqual(new Date(deleted.timestamp!));
    });
  });

  it('fails a membership without organization or user, writing nothing but the ledger row', async () => {
    const tag = uniqueTag();
    await withRootDb(async (client) => {
      const noUser = fixture('organizationMembership.created', tag);
      delete noUser.data.public_user_data;
      const result = await deliver(client, noUser);
      expect(result).toMatchObject({ status: 'failed', error: { code: '22023', message: 'data.public_user_data.user_id: missing (expected an id starting with user_)' } });
      // The organization placeholder made before the error is rolled back with the event.
      expect(await row(client, 'organizations', taggedId(STORY_ORG, tag))).toBeUndefined();
      const { rows } = await client.query('select outcome, error_code, error_message from app_private.webhook_events where svix_id = $1', [result.svix_id]);
      expect(rows).toEqual([{ outcome: 'failed', error_code: '22023', error_message: 'data.public_user_data.user_id: missing (expected an id starting with user_)' }]);
    });
  });
});

describe('arrival order', () => {
  const lifecycles: Array<[string, string, string[]]> = [
    ['user', 'users', ['user.created', 'user.updated', 'user.deleted']],
    ['organization', 'organizations', ['variants/organization.created.no-instance-id', 'organization.updated', 'variants/organization.deleted.story-org']],
    ['membership', 'organization_memberships', ['organizationMembership.created', 'organizationMembership.updated', 'organizationMembership.deleted']],
  ];
  const permutations = (items: number[]): number[][] =>
    items.length <= 1 ? [items] : items.flatMap((item, index) => permutations(items.filter((_, other) => other !== index)).map((rest) => [item, ...rest]));

  describe.each(lifecycles)('%s created/updated/deleted', (_family, table, names) => {
    const inOrder = async (tag: string) =>
      withRootDb(async (client) => {
        for (const name of names) await deliver(client, fixture(name, tag));
        return syncedState(client, tag);
      });

    it.each(permutations([0, 1, 2]).slice(1).map((order) => [order.map((index) => names[index].replace(/^.*\./, '')).join(' → '), order]))(
      'arriving %s ends as in order: updated data, deleted, nothing resurrected',
      async (_label, order) => {
        const tag = uniqueTag();
        const expected = await inOrder(tag);
        await withRootDb(async (client) => {
          const outcomes = [];
          for (const index of order as number[]) outcomes.push((await deliver(client, fixture(names[index], tag))).status);
          expect(outcomes).not.toContain('failed');
          expect(await syncedState(client, tag)).toEqual(expected);
          const { rows } = await client.query(`select deleted_at from app_public.${table} where id like '%' || $1`, [tag]);
          expect(rows.length).toBeGreaterThan(0);
          expect(rows.every((candidate) => candidate.deleted_at !== null)).toBe(true);
        });
      },
    );

    it('answers stale for every event older than what is held, changing nothing', async () => {
      const tag = uniqueTag();
      await withRootDb(async (client) => {
        for (const name of names) await deliver(client, fixture(name, tag));
        const before = await syncedState(client, tag);
        const auditCount = `select count(*)::int from app_public.audit_logs where entity_id like '%' || $1`;
        const { rows: [{ count }] } = await client.query(auditCount, [tag]);
        for (const name of names) expect((await deliver(client, fixture(name, tag))).status).toBe('stale');
        expect(await syncedState(client, tag)).toEqual(before);
        expect((await client.query(auditCount, [tag])).rows[0].count).toBe(count);
      });
    });
  });

  it('lets an update win over an older update whatever the order (pairwise)', async () => {
    const tag = uniqueTag();
    const newer = fixture('user.updated', tag);
    const older = fixture('user.updated', tag);
    older.data.first_name = 'Older';
    older.data.updated_at -= 1000;
    await withRootDb(async (client) => {
      await deliver(client, newer);
      expect((await deliver(client, older)).status).toBe('stale');
      expect((await row(client, 'users', taggedId(ALICIA, tag))).first_name).toBe('Alicia');
    });
  });
});
