// A user's whole life in Clerk, then user.deleted: nothing personal is left anywhere in the
// database (checked by app_private.pii_scan over every text and jsonb column, not by the erasure's
// own list of places), and exactly-once still holds for the deleted user's deliveries.
import { afterAll, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { deliverAsWebhook, uniqueTag } from '../../helpers/clerkEvents.ts';
import { endTestPools, getRootPool, withRootDb } from '../../helpers/db.ts';
import { ALICIA, DAY, deletion, lifecycle, needles, person, userEvent } from '../../helpers/userLifecycle.ts';
import { newSvixId } from '../../helpers/webhooks.ts';

afterAll(endTestPools);

async function scan(client: pg.ClientBase, values: string[]) {
  const { rows } = await client.query('select table_name, column_name, needle, excerpt from app_private.pii_scan($1) order by 1, 2, 3, 4', [values]);
  return rows;
}

async function personalValues(client: pg.ClientBase, userId: string): Promise<string[]> {
  const { rows } = await client.query('select v from app_private.user_personal_values($1) as v order by 1', [userId]);
  return rows.map((row) => row.v);
}

describe('erasure on user.deleted', () => {
  it('leaves nothing personal after the full lifecycle and a late update, and a retry is still a duplicate', async () => {
    const tag = uniqueTag();
    const p = person(tag);
    const start = Date.UTC(2025, 5, 1);
    await withRootDb(async (client) => {
      const deliveries = lifecycle(p, tag, start).map((payload) => ({ payload, svixId: newSvixId() }));
      for (const { payload, svixId } of deliveries) {
        expect((await deliverAsWebhook(client, payload, svixId)).status).toBe('processed');
      }
      // The scan can fail: before the deletion it finds the user everywhere they were stored.
      const before = await scan(client, needles(p));
      expect(new Set(before.map((hit) => hit.needle))).toEqual(new Set(needles(p).map((value) => value.toLowerCase())));
      for (const place of ['app_private.webhook_events', 'app_public.users', 'app_public.organization_invitations', 'app_private.clerk_messages', 'app_private.private_metadata', 'app_public.audit_logs']) {
        // The ledger's rows are reported with the partition they live in.
        expect(before.map((hit) => hit.table_name.replace(/^app_private\.webhook_events_\w+$/, 'app_private.webhook_events'))).toContain(place);
      }
      expect(await personalValues(client, p.id)).toEqual(expect.arrayContaining([p.firstEmail, p.secondEmail, p.phone, p.firstName, p.externalId]));

      expect((await deliverAsWebhook(client, deletion(p, tag, start + 10 * DAY), newSvixId())).status).toBe('processed');
      expect(await scan(client, needles(p))).toEqual([]);

      // Later deliveries about the deleted user: a backfill's or a retry's late update under a new
      // svix-id, a membership and a session mentioning them. Stored erased, whatever their outcome.
      const late = [
        userEvent('user.updated', p, tag, start + 20 * DAY, p.secondEmail),
        lifecycle(p, tag, start)[2],
        lifecycle(p, tag, start)[5],
      ];
      late[1].data.updated_at = start + 20 * DAY;
      for (const payload of late) {
        const result = await deliverAsWebhook(client, payload, newSvixId());
        expect(['processed', 'stale']).toContain(result.status);
      }
      expect(await scan(client, needles(p))).toEqual([]);
      expect(await personalValues(client, p.id)).toEqual([]);

      // Exactly-once still holds: Svix retrying the first delivery gets duplicate, changes nothing.
      const retried = await deliverAsWebhook(client, deliveries[0].payload, deliveries[0].svixId);
      expect(retried).toMatchObject({ status: 'duplicate', original_status: 'processed', svix_id: deliveries[0].svixId });
      expect(await scan(client, needles(p))).toEqual([]);

      const { rows: [user] } = await client.query('select email, first_name, deleted_at, banned from app_public.users where id = $1', [p.id]);
      expect(user).toMatchObject({ email: null, first_name: null, deleted_at: new Date(start + 10 * DAY), banned: false });
    });
  });

  it('keeps what exactly-once and operations need: ids, types, times, statuses', async () => {
    const tag = uniqueTag();
    const p = person(tag);
    const start = Date.UTC(2025, 5, 1);
    await withRootDb(async (client) => {
      const events = lifecycle(p, tag, start);
      const ids = [];
      for (const payload of events) ids.push((await deliverAsWebhook(client, payload, newSvixId())).svix_id);
      await deliverAsWebhook(client, deletion(p, tag, start + 10 * DAY), newSvixId());
      const { rows } = await client.query('select svix_id, event_type, object_id, outcome, payload from app_private.webhook_events where svix_id = any($1)', [ids]);
      const byType = Object.fromEntries(rows.map((row) => [row.event_type, row]));
      expect(Object.keys(byType).sort()).toEqual(events.map((event) => event.type).sort());
      for (const row of rows) expect(row.outcome).toBe('processed');

      const user = byType['user.updated'].payload;
      expect(user.data).toMatchObject({ id: p.id, object: 'user', updated_at: start + DAY, email_addresses: null, phone_numbers: null, first_name: null, external_id: null, private_metadata: null });
      expect(user.event_attributes.http_request).toEqual({ client_ip: null, user_agent: null });
      expect(user.type).toBe('user.updated');

      const membership = byType['organizationMembership.created'].payload;
      expect(membership.data.public_user_data).toMatchObject({ user_id: p.id, identifier: null, first_name: null });
      expect(membership.data.organization.name).toBe('Test Trucking');
      expect(membership.data.role).toBe('org:admin');
      // A membership's request is the admin's, not the deleted user's: kept.
      expect(membership.event_attributes).toEqual(events[2].event_attributes);

      const session = byType['session.created'].payload;
      expect(session.data).toMatchObject({ user_id: p.id, status: 'active', latest_activity: { id: events[5].data.latest_activity.id, ip_address: null, city: null } });
      expect(session.data.user).toMatchObject({ id: p.id, email_addresses: null });

      expect(byType['email.created'].payload.data).toMatchObject({ user_id: p.id, to_email_address: null, slug: 'verification_code' });
      expect(byType['email.created'].payload.data.data).toMatchObject({ user: null, requested_by: null, otp_code: '[redacted]', app: { name: 'Fleet Ops' } });
      expect(byType['sms.created'].payload.data).toMatchObject({ user_id: p.id, to_phone_number: null });
      expect(byType['organizationInvitation.accepted'].payload.data).toMatchObject({ user_id: p.id, email_address: null, status: 'accepted' });
      expect(byType['subscription.created'].payload.data.payer).toMatchObject({ user_id: p.id, email: null, first_name: null, id: events[7].data.payer.id });
    });
  });

  it('erases what a user.deleted from reconciliation or a backfill deletes, the same way', async () => {
    const tag = uniqueTag();
    const p = person(tag);
    await withRootDb(async (client) => {
      for (const payload of lifecycle(p, tag, Date.UTC(2025, 5, 1))) await deliverAsWebhook(client, payload, newSvixId());
      // What reconciliation sends for a user Clerk no longer lists (server/backfill/reconcile.ts).
      const synthesized = { type: 'user.deleted', object: 'event', data: { object: 'user', id: p.id, deleted: true }, timestamp: Date.now() };
      await client.query(`select app_private.handle_clerk_event($1::jsonb, $2, 'backfill')`, [JSON.stringify(synthesized), `reconcile:${p.id}:deleted`]);
      expect(await scan(client, needles(p))).toEqual([]);
    });
  });

  it('leaves other users alone', async () => {
    const tag = uniqueTag();
    const other = uniqueTag();
    const p = person(tag);
    const q = person(other);
    await withRootDb(async (client) => {
      for (const payload of [...lifecycle(p, tag, Date.UTC(2025, 5, 1)), ...lifecycle(q, other, Date.UTC(2025, 5, 1))]) await deliverAsWebhook(client, payload, newSvixId());
      const kept = await scan(client, needles(q));
      await deliverAsWebhook(client, deletion(p, tag, Date.UTC(2025, 6, 1)), newSvixId());
      expect(await scan(client, needles(p))).toEqual([]);
      expect(await scan(client, needles(q))).toEqual(kept);
    });
  });
});

describe('erasure against concurrent deliveries', () => {
  async function committed<T>(body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await getRootPool().connect();
    try {
      return await body(client);
    } finally {
      client.release();
    }
  }

  it('a delivery racing the deletion is stored erased, whichever commits first', async () => {
    const tag = uniqueTag();
    const p = person(tag);
    const start = Date.UTC(2025, 5, 1);
    const events = lifecycle(p, tag, start);
    await committed(async (client) => {
      for (const payload of events.slice(0, 2)) await deliverAsWebhook(client, payload, newSvixId());
    });
    const deleting = await getRootPool().connect();
    const racing = await getRootPool().connect();
    try {
      // The deletion holds its transaction open; a late membership arrives meanwhile and waits.
      await deleting.query('begin');
      await deliverAsWebhook(deleting, deletion(p, tag, start + 10 * DAY), newSvixId());
      await racing.query('begin');
      const late = events[2];
      late.data.updated_at = start + 20 * DAY;
      const pending = deliverAsWebhook(racing, late, newSvixId());
      await new Promise((resolve) => setTimeout(resolve, 300));
      await deleting.query('commit');
      expect(['processed', 'stale']).toContain((await pending).status);
      await racing.query('commit');

      // The other order: a delivery holds its transaction open, the deletion waits for it.
      const q = person(uniqueTag());
      const qTag = q.id.slice(ALICIA.length + 1);
      const qEvents = lifecycle(q, qTag, start);
      await deliverAsWebhook(racing, qEvents[0], newSvixId());
      await racing.query('begin');
      await deliverAsWebhook(racing, qEvents[1], newSvixId());
      await deleting.query('begin');
      const deletingQ = deliverAsWebhook(deleting, deletion(q, qTag, start + 10 * DAY), newSvixId());
      await new Promise((resolve) => setTimeout(resolve, 300));
      await racing.query('commit');
      expect((await deletingQ).status).toBe('processed');
      await deleting.query('commit');

      expect(await scan(racing, [...needles(p), ...needles(q)])).toEqual([]);
    } finally {
      await deleting.query('rollback').catch(() => undefined);
      await racing.query('rollback').catch(() => undefined);
      deleting.release();
      racing.release();
    }
  });
});
