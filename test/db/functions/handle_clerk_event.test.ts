// The entry point: ledger, statuses, duplicates (also concurrent), permanent and transient
// errors, and who may call it.
import { afterAll, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { endTestPools, getAuthPool, getRootPool, sqlErrorOf, withRoleDb, withRootDb } from '../../helpers/db.ts';
import { deliverAsWebhook, fixture, taggedId, uniqueTag } from '../../helpers/clerkEvents.ts';
import { newSvixId } from '../../helpers/webhooks.ts';

afterAll(endTestPools);

const ALICIA = 'user_2xtKOmOKFZcYQ8kBGzxhPlrgBJv';

async function ledgerRow(client: pg.ClientBase, svixId: string) {
  const { rows } = await client.query('select * from app_private.webhook_events where svix_id = $1', [svixId]);
  return rows[0];
}

async function auditCount(client: pg.ClientBase, entityId: string): Promise<number> {
  return (await client.query('select count(*)::int as n from app_public.audit_logs where entity_id = $1', [entityId])).rows[0].n;
}

/** A connection of the server's login role switched to clerk_webhook, as pools.webhook does. */
async function webhookConnection(): Promise<pg.PoolClient> {
  const client = await getAuthPool().connect();
  await client.query('set role clerk_webhook');
  return client;
}

describe('handle_clerk_event', () => {
  it('records each delivery in the ledger and answers processed with its ids', async () => {
    const tag = uniqueTag();
    await withRootDb(async (client) => {
      const event = fixture('organizationMembership.created', tag);
      const svixId = newSvixId();
      expect(await deliverAsWebhook(client, event, svixId)).toEqual({
        status: 'processed',
        svix_id: svixId,
        event_type: 'organizationMembership.created',
        object_id: event.data.id,
        organization_id: event.data.organization.id,
      });
      expect(await ledgerRow(client, svixId)).toMatchObject({
        event_type: 'organizationMembership.created',
        object_id: event.data.id,
        organization_id: event.data.organization.id,
        payload: event,
        source: 'webhook',
        outcome: 'processed',
        error_code: null,
        error_message: null,
        attempts: 1,
        duplicates: 0,
        occurred_at: new Date(event.timestamp!),
        processed_at: expect.any(Date),
      });
    });
  });

  it('answers duplicate for a svix-id seen before and changes nothing but the delivery count', async () => {
    const tag = uniqueTag();
    await withRootDb(async (client) => {
      const svixId = newSvixId();
      await deliverAsWebhook(client, fixture('user.created', tag), svixId);
      const audits = await auditCount(client, taggedId(ALICIA, tag));
      // Even with another body: the svix-id is the idempotency key.
      const result = await deliverAsWebhook(client, fixture('user.updated', tag), svixId);
      expect(result).toMatchObject({ status: 'duplicate', svix_id: svixId, event_type: 'user.created', original_status: 'processed' });
      expect((await client.query('select first_name from app_public.users where id = $1', [taggedId(ALICIA, tag)])).rows[0].first_name).toBe('Admin');
      expect(await auditCount(client, taggedId(ALICIA, tag))).toBe(audits);
      expect(await ledgerRow(client, svixId)).toMatchObject({ outcome: 'processed', duplicates: 1, attempts: 1 });
    });
  });

  it('keys a delivery without svix-id on the payload hash', async () => {
    const tag = uniqueTag();
    await withRootDb(async (client) => {
      const event = fixture('user.created', tag);
      const first = await deliverAsWebhook(client, event, null);
      expect(first.status).toBe('processed');
      expect(first.svix_id).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(await deliverAsWebhook(client, fixture('user.created', tag), null)).toMatchObject({ status: 'duplicate', svix_id: first.svix_id });
      const other = await deliverAsWebhook(client, fixture('user.updated', tag), null);
      expect(other).toMatchObject({ status: 'processed' });
      expect(other.svix_id).not.toBe(first.svix_id);
    });
  });

  it('answers ignored for types no family models, keeping them in the ledger', async () => {
    await withRootDb(async (client) => {
      for (const name of ['variants/unknown.type', 'waitlistEntry.created', 'paymentAttempt.created']) {
        const result = await deliverAsWebhook(client, fixture(name), newSvixId());
        expect(result.status).toBe('ignored');
        expect((await ledgerRow(client, result.svix_id)).outcome).toBe('ignored');
      }
    });
  });

  it('answers failed for payloads it cannot understand, keeping the ledger row with SQLSTATE and message', async () => {
    await withRootDb(async (client) => {
      const cases: Array<[unknown, string]> = [
        ['not json at all', 'payload is not a JSON object'],
        [[1, 2], 'payload is not a JSON object'],
        [{ data: { id: 'user_x' } }, 'payload has no type'],
        [{ type: 'user.created', data: null }, 'user.created event without an object id'],
        [{ type: 'organization.updated', data: { name: 'no id' } }, 'organization.updated event without an object id'],
        [{ type: 'organizationMembership.created', data: { id: 'orgmem_x', public_user_data: { user_id: 'user_x' } } }, 'data.organization.id: missing (expected an id starting with org_)'],
      ];
      for (const [payload, message] of cases) {
        const result = await deliverAsWebhook(client, payload, newSvixId());
        expect(result).toMatchObject({ status: 'failed', error: { code: '22023', message } });
        expect(await ledgerRow(client, result.svix_id)).toMatchObject({ outcome: 'failed', error_code: '22023', error_message: message, payload });
      }
    });
  });

  it('stores no one-time code of an email.created or sms.created that fails, keyed on the payload as received', async () => {
    const tag = uniqueTag();
    await withRootDb(async (client) => {
      for (const [name, code] of [['email.created', '482913'], ['sms.created', '739105']] as const) {
        const event = fixture(name, tag);
        // The family refuses a message without an id: a permanent failure, its writes rolled back.
        delete event.data.id;
        expect(JSON.stringify(event)).toContain(code);
        const result = await deliverAsWebhook(client, event, null);
        expect(result).toMatchObject({ status: 'failed', error: { code: '22023', message: `${name} event without an object id` } });
        const row = await ledgerRow(client, result.svix_id);
        expect(row).toMatchObject({ outcome: 'failed', event_type: name });
        expect(JSON.stringify(row)).not.toContain(code);
        expect(row.payload.data.data).toMatchObject({ otp_code: '[redacted]', app: { name: 'Fleet Ops' } });

        // The key is the hash of what was received (with the code), so the same raw delivery is
        // recognised again although the stored copy differs.
        const { rows } = await client.query(`select 'sha256:' || encode(sha256(convert_to($1::jsonb::text, 'UTF8')), 'hex') as key`, [JSON.stringify(event)]);
        expect(result.svix_id).toBe(rows[0].key);
        expect(await deliverAsWebhook(client, event, null)).toMatchObject({ status: 'duplicate', original_status: 'failed', svix_id: result.svix_id });
      }
    });
  });

  it('tolerates null, missing and mistyped fields', async () => {
    const tag = uniqueTag();
    await withRootDb(async (client) => {
      const user = fixture('user.created', tag);
      Object.assign(user.data, {
        first_name: null, last_name: 42, username: undefined, email_addresses: null, primary_email_address_id: 'idn_gone',
        public_metadata: 'not an object', private_metadata: null, banned: 'yes', locked: null, created_at: 'yesterday',
        last_sign_in_at: {}, last_active_at: -1,
      });
      delete user.data.updated_at;
      delete user.timestamp;
      delete user.event_attributes;
      expect((await deliverAsWebhook(client, user, newSvixId())).status).toBe('processed');
      const { rows: [row] } = await client.query('select u.*, now() as received from app_public.users u where id = $1', [user.data.id]);
      expect(row).toMatchObject({
        first_name: null, last_name: '42', email: null, public_metadata: {}, banned: false, locked: false,
        clerk_created_at: null, last_sign_in_at: null, last_active_at: new Date(-1000),
      });
      // No updated_at and no envelope timestamp: the version is the receive time.
      expect(row.clerk_updated_at).toEqual(row.received);

      const org = fixture('organization.updated', tag);
      Object.assign(org.data, { max_allowed_memberships: '5', admin_delete_enabled: 'true', public_metadata: null, image_url: null });
      expect((await deliverAsWebhook(client, org, newSvixId())).status).toBe('processed');
      expect((await client.query('select max_allowed_memberships, admin_delete_enabled, public_metadata from app_public.organizations where id = $1', [org.data.id])).rows[0])
        .toEqual({ max_allowed_memberships: null, admin_delete_enabled: true, public_metadata: {} });

      const membership = fixture('organizationMembership.updated', tag);
      Object.assign(membership.data, { permissions: null, role: null, role_name: undefined, public_metadata: [] });
      expect((await deliverAsWebhook(client, membership, newSvixId())).status).toBe('processed');
      expect((await client.query('select role, role_name, permissions, public_metadata from app_public.organization_memberships where id = $1', [membership.data.id])).rows[0])
        .toEqual({ role: null, role_name: null, permissions: [], public_metadata: {} });
    });
  });

  it('reads Clerk times in milliseconds, and in seconds when below 1e11', async () => {
    await withRootDb(async (client) => {
      const { rows } = await client.query(
        `select app_private.clerk_time('1748751899098') as ms, app_private.clerk_time('1748751899') as s,
                app_private.clerk_time('"1748751899098"') as text_ms, app_private.clerk_time('null') as null_value,
                app_private.clerk_time('1e30') as absurd, app_private.clerk_time('true') as wrong_type`,
      );
      expect(rows[0]).toEqual({
        ms: new Date(1748751899098), s: new Date(1748751899000), text_ms: new Date(1748751899098),
        null_value: null, absurd: null, wrong_type: null,
      });
    });
  });

  it('applies a svix-id once when two connections deliver it at the same time', async () => {
    const tag = uniqueTag();
    const svixId = newSvixId();
    const event = fixture('user.created', tag);
    const first = await webhookConnection();
    const second = await webhookConnection();
    try {
      await first.query('begin');
      const firstResult = (await first.query('select app_private.handle_clerk_event($1, $2) as r', [event, svixId])).rows[0].r;
      // The second delivery waits on the ledger's unique index until the first commits.
      let secondSettled = false;
      const secondResult = second.query('select app_private.handle_clerk_event($1, $2) as r', [event, svixId]).then((result) => {
        secondSettled = true;
        return result.rows[0].r;
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(secondSettled).toBe(false);
      await first.query('commit');
      expect(firstResult.status).toBe('processed');
      expect((await secondResult).status).toBe('duplicate');
      const root = getRootPool();
      expect((await root.query('select duplicates from app_private.webhook_events where svix_id = $1', [svixId])).rows).toEqual([{ duplicates: 1 }]);
      expect((await root.query('select count(*)::int as n from app_public.audit_logs where svix_id = $1', [svixId])).rows[0].n).toBe(1);
    } finally {
      await first.query('rollback').catch(() => undefined);
      first.release();
      second.release();
    }
  });

  it('serializes concurrent different events on one object, the newer version winning', async () => {
    const tag = uniqueTag();
    const first = await webhookConnection();
    const second = await webhookConnection();
    try {
      await first.query('begin');
      await first.query('select app_private.handle_clerk_event($1, $2)', [fixture('user.updated', tag), newSvixId()]);
      const older = second.query('select app_private.handle_clerk_event($1, $2) as r', [fixture('user.created', tag), newSvixId()]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await first.query('commit');
      expect((await older).rows[0].r.status).toBe('stale');
      expect((await getRootPool().query('select first_name from app_public.users where id = $1', [taggedId(ALICIA, tag)])).rows[0].first_name).toBe('Alicia');
    } finally {
      await first.query('rollback').catch(() => undefined);
      first.release();
      second.release();
    }
  });

  it('writes the ledger row once, with its outcome, and never updates it on the first delivery', async () => {
    const tag = uniqueTag();
    const svixId = newSvixId();
    await withRootDb(async (client) => {
      // The session's counters of ledger writes not yet reported, before and after the delivery.
      const writes = async () =>
        (
          await client.query(
            // The ledger's rows live in its partitions.
            `select coalesce(sum(n_tup_ins), 0)::int as inserted, coalesce(sum(n_tup_upd), 0)::int as updated from pg_stat_xact_user_tables
              where relid = 'app_private.webhook_events'::regclass
                 or relid in (select inhrelid from pg_inherits where inhparent = 'app_private.webhook_events'::regclass)`,
          )
        ).rows[0];
      const before = await writes();
      await deliverAsWebhook(client, fixture('user.created', tag), svixId);
      const after = await writes();
      expect({ inserted: after.inserted - before.inserted, updated: after.updated - before.updated }).toEqual({ inserted: 1, updated: 0 });
      expect((await ledgerRow(client, svixId)).outcome).toBe('processed');
    });
  });

  it('answers a transient error when a writer that took no key lock recorded the same svix-id first', async () => {
    const tag = uniqueTag();
    const svixId = newSvixId();
    const event = fixture('user.created', tag);
    const root = getRootPool();
    const other = await root.connect();
    const webhook = await webhookConnection();
    try {
      // As an older receiver would during a rolling deploy: the ledger row first, no advisory lock.
      await other.query('begin');
      await other.query(`insert into app_private.webhook_events (svix_id, event_type, payload, outcome) values ($1, 'user.created', $2, 'processed')`, [svixId, event]);
      const pending = webhook.query('select app_private.handle_clerk_event($1, $2) as r', [event, svixId]).then(() => null, (caught) => caught);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await other.query('commit');
      expect(await pending).toMatchObject({ code: '40001' });
      // Nothing of the losing delivery is kept; its retry is a duplicate.
      expect((await root.query('select count(*)::int as n from app_public.audit_logs where svix_id = $1', [svixId])).rows[0].n).toBe(0);
      expect((await webhook.query('select app_private.handle_clerk_event($1, $2) as r', [event, svixId])).rows[0].r).toMatchObject({ status: 'duplicate', original_status: 'processed' });
    } finally {
      await other.query('rollback').catch(() => undefined);
      other.release();
      webhook.release();
    }
  });

  it('raises transient errors instead of recording them, so nothing is kept and the delivery is retried', async () => {
    const tag = uniqueTag();
    const root = getRootPool();
    await root.query('select app_private.handle_clerk_event($1, $2)', [fixture('user.created', tag), newSvixId()]);
    const locker = await root.connect();
    const webhook = await webhookConnection();
    const svixId = newSvixId();
    try {
      await locker.query('begin');
      await locker.query('select 1 from app_public.users where id = $1 for update', [taggedId(ALICIA, tag)]);
      await webhook.query('begin');
      await webhook.query(`set local lock_timeout = '100ms'`);
      const error = await webhook.query('select app_private.handle_clerk_event($1, $2)', [fixture('user.updated', tag), svixId]).then(() => null, (caught) => caught);
      expect(error).toMatchObject({ code: '55P03' });
      await webhook.query('rollback');
      expect((await root.query('select count(*)::int as n from app_private.webhook_events where svix_id = $1', [svixId])).rows[0].n).toBe(0);
    } finally {
      await locker.query('rollback');
      locker.release();
      webhook.release();
    }
  });

  it('may be called by clerk_webhook only, and writes through it only what the functions write', async () => {
    for (const role of ['authenticated', 'anonymous'] as const) {
      await withRoleDb(role, null, async (client) => {
        expect(await sqlErrorOf(client, `select app_private.handle_clerk_event('{}'::jsonb)`)).toMatchObject({ code: '42501' });
      });
    }
    await withRoleDb('clerk_webhook', null, async (client) => {
      for (const internal of [`app_private.replay_webhook_event('x')`, `app_private.process_webhook_event('x')`, `app_private.clerk_time('1')`]) {
        expect(await sqlErrorOf(client, `select ${internal}`)).toMatchObject({ code: '42501' });
      }
    });
    await withRootDb(async (client) => {
      const { rows } = await client.query(
        `select p.proname, p.prosecdef, p.proconfig from pg_proc p join pg_namespace n on n.oid = p.pronamespace
          where n.nspname = 'app_private' and p.proname in ('handle_clerk_event', 'replay_webhook_event') order by 1`,
      );
      expect(rows).toEqual([
        { proname: 'handle_clerk_event', prosecdef: true, proconfig: ['search_path=pg_catalog, pg_temp'] },
        { proname: 'replay_webhook_event', prosecdef: true, proconfig: ['search_path=pg_catalog, pg_temp'] },
      ]);
    });
  });

  it('comments every function it adds', async () => {
    await withRootDb(async (client) => {
      const { rows } = await client.query(
        `select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace
          where n.nspname in ('app_public', 'app_private') and obj_description(p.oid, 'pg_proc') is null`,
      );
      expect(rows).toEqual([]);
    });
  });
});
