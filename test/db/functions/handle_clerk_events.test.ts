// The batch entry point: each event applied as handle_clerk_event applies one, in order, with
// the same outcomes (a duplicate inside the batch too) and a failed event's ledger row kept.
import { afterAll, describe, expect, it } from '@jest/globals';
import { endTestPools, sqlErrorOf, withRoleDb, withRootDb } from '../../helpers/db.ts';
import { fixture, taggedId, uniqueTag } from '../../helpers/clerkEvents.ts';
import { newSvixId } from '../../helpers/webhooks.ts';

afterAll(endTestPools);

const ALICIA = 'user_2xtKOmOKFZcYQ8kBGzxhPlrgBJv';

describe('handle_clerk_events', () => {
  it('applies each event in order with the outcome a single delivery gets, and keeps a failed one in the ledger', async () => {
    const tag = uniqueTag();
    const [created, updated, repeated, broken, unknown] = [newSvixId(), newSvixId(), newSvixId(), newSvixId(), newSvixId()];
    await withRootDb(async (client) => {
      const events = [
        [fixture('user.updated', tag), updated],
        [fixture('user.created', tag), created],
        [fixture('user.updated', tag), updated],
        [{ type: 'user.created', data: { id: '' } }, broken],
        [{ type: 'waitlistEntry.created', data: { id: `wl_${tag}` } }, unknown],
        [fixture('user.updated', tag), repeated],
      ];
      const { rows } = await client.query(`select r as result from app_private.handle_clerk_events($1::jsonb[], $2::text[], 'backfill') as r`, [
        events.map(([payload]) => JSON.stringify(payload)),
        events.map(([, svixId]) => svixId),
      ]);
      expect(rows.map((row) => row.result.status)).toEqual(['processed', 'stale', 'duplicate', 'failed', 'ignored', 'stale']);
      expect(rows[2].result).toMatchObject({ svix_id: updated, original_status: 'processed' });
      expect(rows[3].result.error).toMatchObject({ code: '22023' });
      const ledger = await client.query(`select svix_id, outcome, source from app_private.webhook_events where svix_id = any($1) order by svix_id`, [
        [created, updated, repeated, broken, unknown],
      ]);
      expect(ledger.rows).toHaveLength(5);
      expect(new Set(ledger.rows.map((row) => row.source))).toEqual(new Set(['backfill']));
      expect(ledger.rows.find((row) => row.svix_id === broken).outcome).toBe('failed');
      expect((await client.query('select first_name from app_public.users where id = $1', [taggedId(ALICIA, tag)])).rows[0].first_name).toBe('Alicia');
    });
  });

  it('refuses arrays of different lengths, and the webhook role may not call it', async () => {
    await withRootDb(async (client) => {
      expect(await sqlErrorOf(client, `select app_private.handle_clerk_events(array['{}'::jsonb], array[]::text[])`)).toMatchObject({ code: '22023' });
    });
    await withRoleDb('clerk_webhook', null, async (client) => {
      expect(await sqlErrorOf(client, `select app_private.handle_clerk_events(array[]::jsonb[], array[]::text[])`)).toMatchObject({ code: '42501' });
    });
  });
});
