// An event whose data.id is present but not a non-empty string names no object: it is recorded
// failed with a sentence saying so, and no row is keyed by it.
import { afterAll, expect, it } from '@jest/globals';
import { endTestPools, withRootDb } from '../../helpers/db.ts';
import { deliverAsWebhook, fixture, uniqueTag } from '../../helpers/clerkEvents.ts';
import { newSvixId } from '../../helpers/webhooks.ts';

afterAll(endTestPools);

it.each([
  ['a number', 42, 'a JSON number'],
  ['an empty string', '', 'an empty string'],
  ['null', null, 'a JSON null'],
  ['an object', { id: 'user_x' }, 'a JSON object'],
])('data.id as %s is recorded failed, and nothing is synced', async (_name, id, described) => {
  await withRootDb(async (client) => {
    const event = fixture('user.created', uniqueTag());
    const realId = event.data.id;
    event.data.id = id;
    const svixId = newSvixId();
    const result = await deliverAsWebhook(client, event, svixId);
    expect(result).toMatchObject({ status: 'failed', svix_id: svixId, error: { code: '22023', message: `data.id must be a non-empty string; this event has ${described}` } });
    const { rows } = await client.query(`select outcome, error_message from app_private.webhook_events where svix_id = $1`, [svixId]);
    expect(rows).toEqual([{ outcome: 'failed', error_message: `data.id must be a non-empty string; this event has ${described}` }]);
    const synced = await client.query(`select id from app_public.users where id = any($1)`, [[String(id), realId, '']]);
    expect(synced.rows).toEqual([]);
  });
});

it('a string id, and an event without data.id, are processed as before', async () => {
  await withRootDb(async (client) => {
    expect((await deliverAsWebhook(client, fixture('user.created', uniqueTag()), newSvixId())).status).toBe('processed');
    const { rows } = await client.query(`select app_private.clerk_data_id_problem('{"type": "x", "data": {"object": "thing"}}') as problem`);
    expect(rows[0].problem).toBeNull();
  });
});
