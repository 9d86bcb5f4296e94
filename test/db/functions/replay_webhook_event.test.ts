import { afterAll, describe, expect, it } from '@jest/globals';
import { endTestPools, sqlErrorOf, withRootDb } from '../../helpers/db.ts';
import { deliverAsWebhook, fixture, taggedId, uniqueTag } from '../../helpers/clerkEvents.ts';
import { newSvixId } from '../../helpers/webhooks.ts';

afterAll(endTestPools);

const ALICIA = 'user_2xtKOmOKFZcYQ8kBGzxhPlrgBJv';

describe('replay_webhook_event', () => {
  it('re-runs a failed delivery after the cause is fixed, and leaves it alone once processed', async () => {
    const tag = uniqueTag();
    await withRootDb(async (client) => {
      // A bug in sync_user stands in for the cause; the fix restores the real function.
      const { rows: [{ definition }] } = await client.query(`select pg_get_functiondef('app_private.sync_user(app_private.clerk_event)'::regprocedure) as definition`);
      await client.query(`create or replace function app_private.sync_user(event app_private.clerk_event) returns text language plpgsql as $$ begin raise exception 'simulated bug'; end $$`);
      const svixId = newSvixId();
      const failed = await deliverAsWebhook(client, fixture('user.created', tag), svixId);
      expect(failed).toMatchObject({ status: 'failed', error: { code: 'P0001', message: 'simulated bug' } });

      expect((await client.query('select app_private.replay_webhook_event($1) as r', [svixId])).rows[0].r).toMatchObject({ status: 'failed' });
      await client.query(definition);

      const replayed = (await client.query('select app_private.replay_webhook_event($1) as r', [svixId])).rows[0].r;
      expect(replayed).toEqual({ status: 'processed', svix_id: svixId, event_type: 'user.created', object_id: taggedId(ALICIA, tag) });
      expect((await client.query('select first_name from app_public.users where id = $1', [taggedId(ALICIA, tag)])).rows).toEqual([{ first_name: 'Admin' }]);
      expect((await client.query('select outcome, error_code, error_message, attempts from app_private.webhook_events where svix_id = $1', [svixId])).rows)
        .toEqual([{ outcome: 'processed', error_code: null, error_message: null, attempts: 3 }]);
      const { rows: audits } = await client.query('select svix_id from app_public.audit_logs where entity_id = $1', [taggedId(ALICIA, tag)]);
      expect(audits).toEqual([{ svix_id: svixId }]);

      const again = (await client.query('select app_private.replay_webhook_event($1) as r', [svixId])).rows[0].r;
      expect(again).toMatchObject({ status: 'duplicate', original_status: 'processed' });
      expect((await client.query('select attempts from app_private.webhook_events where svix_id = $1', [svixId])).rows[0].attempts).toBe(3);
    });
  });

  it('re-runs ignored deliveries (a family added since applies them) and keeps stale ones stale', async () => {
    const tag = uniqueTag();
    await withRootDb(async (client) => {
      const ignored = await deliverAsWebhook(client, fixture('variants/unknown.type'), newSvixId());
      expect((await client.query('select app_private.replay_webhook_event($1) as r', [ignored.svix_id])).rows[0].r).toMatchObject({ status: 'ignored' });
      await deliverAsWebhook(client, fixture('user.updated', tag), newSvixId());
      const stale = await deliverAsWebhook(client, fixture('user.created', tag), newSvixId());
      expect(stale.status).toBe('stale');
      expect((await client.query('select app_private.replay_webhook_event($1) as r', [stale.svix_id])).rows[0].r).toMatchObject({ status: 'duplicate', original_status: 'stale' });
    });
  });

  it('says clearly when the svix-id is not in the ledger', async () => {
    await withRootDb(async (client) => {
      expect(await sqlErrorOf(client, 'select app_private.replay_webhook_event($1)', ['msg_unknown'])).toEqual({
        code: 'P0002',
        message: 'no delivery with svix-id msg_unknown in the ledger',
      });
    });
  });
});
