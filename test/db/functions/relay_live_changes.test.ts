// The change queue: the row triggers queue notifications, and only the relay sends them, oldest
// first, one relay at a time.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { deliverAsWebhook, fixture, uniqueTag } from '../../helpers/clerkEvents.ts';
import { endTestPools, getRootPool } from '../../helpers/db.ts';
import { relayQueuedChanges, testDatabaseUrl } from '../../helpers/notifications.ts';
import { newSvixId } from '../../helpers/webhooks.ts';

afterAll(endTestPools);

async function deliverCommitted(payload: unknown) {
  const client = await getRootPool().connect();
  try {
    await client.query('begin');
    const result = await deliverAsWebhook(client, payload, newSvixId());
    await client.query('commit');
    return result;
  } finally {
    client.release();
  }
}

/** A raw LISTEN connection: what arrives, and a marker round trip that proves nothing more is on its way. */
async function rawListener(channel: string) {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  const received: string[] = [];
  const markers = new Map<string, () => void>();
  client.on('notification', ({ payload }) => {
    const marker = markers.get(payload ?? '');
    if (marker) marker();
    else received.push(payload ?? '');
  });
  await client.query(`listen ${client.escapeIdentifier(channel)}`);
  return {
    received,
    async roundTrip() {
      const marker = `marker:${randomUUID()}`;
      const seen = new Promise<void>((resolve) => markers.set(marker, resolve));
      await getRootPool().query('select pg_notify($1, $2)', [channel, marker]);
      await seen;
    },
    close: () => client.end(),
  };
}

const queued = async (userId: string) =>
  (await getRootPool().query<{ payload: string }>(`select payload from app_private.live_changes where channel = $1 order by id`, [`user:${userId}`])).rows.map((row) => JSON.parse(row.payload));

const relay = () => relayQueuedChanges(getRootPool());

describe('app_private.relay_live_changes', () => {
  it('is what sends a committed change: queued at commit, sent by the relay in queue order, then gone', async () => {
    const created = fixture('user.created', uniqueTag());
    const userId = created.data.id as string;
    const listener = await rawListener(`user:${userId}`);
    // Holding the relay's lock keeps every relay (a test app's too) from sending meanwhile.
    const holder = await getRootPool().connect();
    try {
      await holder.query('begin');
      await holder.query(`select pg_advisory_xact_lock(hashtext('clerk-pg-sync: live relay'), 0)`);
      expect(await deliverCommitted(created)).toMatchObject({ status: 'processed' });
      const updated = { ...created, type: 'user.updated', data: { ...created.data, first_name: 'Renamed', updated_at: created.data.updated_at + 1000 } };
      expect(await deliverCommitted(updated)).toMatchObject({ status: 'processed' });
      const expected = [
        { kind: 'users', id: userId, op: 'insert', org: null },
        { kind: 'users', id: userId, op: 'update', org: null },
      ];
      await listener.roundTrip();
      expect(listener.received).toEqual([]);
      expect(await queued(userId)).toEqual(expected);
      await holder.query('rollback');

      await relay();
      await listener.roundTrip();
      expect(listener.received.map((payload) => JSON.parse(payload))).toEqual(expected);
      expect(await queued(userId)).toEqual([]);
    } finally {
      await holder.query('rollback').catch(() => undefined);
      holder.release();
      await listener.close();
    }
  });

  it('queues nothing for a delivery that rolls back', async () => {
    const created = fixture('user.created', uniqueTag());
    const client = await getRootPool().connect();
    try {
      await client.query('begin');
      expect(await deliverAsWebhook(client, created, newSvixId())).toMatchObject({ status: 'processed' });
      expect((await client.query(`select count(*)::int as n from app_private.live_changes where channel = $1`, [`user:${created.data.id}`])).rows[0].n).toBe(1);
      await client.query('rollback');
    } finally {
      client.release();
    }
    expect(await queued(created.data.id as string)).toEqual([]);
  });

  it('lets one relay through at a time: another one returns null and sends nothing', async () => {
    const created = fixture('user.created', uniqueTag());
    const userId = created.data.id as string;
    const holder = await getRootPool().connect();
    try {
      await holder.query('begin');
      await holder.query(`select pg_advisory_xact_lock(hashtext('clerk-pg-sync: live relay'), 0)`);
      expect(await deliverCommitted(created)).toMatchObject({ status: 'processed' });
      const { rows } = await getRootPool().query('select app_private.relay_live_changes() as sent');
      expect(rows[0].sent).toBeNull();
      expect(await queued(userId)).toHaveLength(1);
    } finally {
      await holder.query('rollback');
      holder.release();
    }
    await relay();
    expect(await queued(userId)).toEqual([]);
  });

  it('is callable by the webhook role only among the server roles', async () => {
    const { rows } = await getRootPool().query(
      `select r as role, has_function_privilege(r, 'app_private.relay_live_changes(integer)', 'execute') as allowed
         from unnest(array['clerk_webhook', 'authenticated', 'anonymous']) as r order by r`,
    );
    expect(rows).toEqual([
      { role: 'anonymous', allowed: false },
      { role: 'authenticated', allowed: false },
      { role: 'clerk_webhook', allowed: true },
    ]);
  });
});
