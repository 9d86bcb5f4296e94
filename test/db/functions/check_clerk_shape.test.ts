// Shape validation: each family's payload must carry an object id of its kind and the parent ids
// it needs; one that does not is recorded failed with the offending path and writes nothing else.
// (A data.id that is not a string at all is refused first by app_private.clerk_data_id_problem.)
import { afterAll, describe, expect, it } from '@jest/globals';
import { endTestPools, withRootDb } from '../../helpers/db.ts';
import { deliverAsWebhook, fixture, uniqueTag, type ClerkEvent } from '../../helpers/clerkEvents.ts';
import { newSvixId } from '../../helpers/webhooks.ts';

afterAll(endTestPools);

type Case = [name: string, fixtureName: string, damage: (data: any) => void, message: string];
const CASES: Case[] = [
  ['a user id that is a number', 'user.created', (data) => (data.id = 42), 'data.id must be a non-empty string; this event has a JSON number'],
  ['an organization id of another kind', 'organization.updated', (data) => (data.id = 'user_2xtKOmOKFZcYQ8kBGzxhPlrgBJv'), 'data.id: expected an id starting with org_, got "user_2xtKOmOKFZcYQ8kBGzxhPlrgBJv"'],
  ['a membership of no organization', 'organizationMembership.created', (data) => (data.organization.id = 'bogus'), 'data.organization.id: expected an id starting with org_, got "bogus"'],
  ['a membership of no user', 'organizationMembership.updated', (data) => delete data.public_user_data.user_id, 'data.public_user_data.user_id: missing (expected an id starting with user_)'],
  ['an invitation of an unnamed organization', 'organizationInvitation.created', (data) => (data.organization_id = ''), 'data.organization_id: missing (expected an id starting with org_)'],
  ['a domain of no organization', 'organizationDomain.created', (data) => delete data.organization_id, 'data.organization_id: missing (expected an id starting with org_)'],
  ['a role id that is only the prefix', 'role.created', (data) => (data.id = 'role_'), 'data.id: expected an id starting with role_, got "role_"'],
  ['a permission id of another kind', 'permission.updated', (data) => (data.id = 'role_2xjHgTllNfyCablS0YEZZRr6lmO'), 'data.id: expected an id starting with perm_, got "role_2xjHgTllNfyCablS0YEZZRr6lmO"'],
  ["a session whose user is an organization", 'session.created', (data) => (data.user_id = 'org_2xtHWId18HISm4zUJTzVtJwEigw'), 'data.user_id: expected an id starting with user_, got "org_2xtHWId18HISm4zUJTzVtJwEigw"'],
  ['an email id that is an object', 'email.created', (data) => (data.id = { id: 'ema_1' }), 'data.id must be a non-empty string; this event has a JSON object'],
  ['an SMS id of another kind', 'sms.created', (data) => (data.id = 'ema_2y50jkMd1WyxjbuvrLGiZsdo5Gc'), 'data.id: expected an id starting with sms_, got "ema_2y50jkMd1WyxjbuvrLGiZsdo5Gc"'],
  ['a subscription id of another kind', 'subscription.created', (data) => (data.id = 'sub_1'), 'data.id: expected an id starting with csub_, got "sub_1"'],
  ['a subscription item id of another kind', 'subscriptionItem.updated', (data) => (data.id = 'item_1'), 'data.id: expected an id starting with csub, got "item_1"'],
];

describe('shape validation', () => {
  it.each(CASES)('records %s as failed with the path, writing nothing else', async (_label, fixtureName, damage, message) => {
    await withRootDb(async (client) => {
      const event: ClerkEvent = fixture(fixtureName, uniqueTag());
      damage(event.data);
      const svixId = newSvixId();
      expect(await deliverAsWebhook(client, event, svixId)).toMatchObject({ status: 'failed', error: { code: '22023', message } });
      const { rows } = await client.query('select outcome, error_code, error_message from app_private.webhook_events where svix_id = $1', [svixId]);
      expect(rows).toEqual([{ outcome: 'failed', error_code: '22023', error_message: message }]);
      // No audit row of this delivery (a count of the whole table would see other test files' rows on a shared database).
      expect((await client.query('select count(*)::int as n from app_public.audit_logs where svix_id = $1', [svixId])).rows[0].n).toBe(0);
    });
  });

  it('passes the real payloads of every family', async () => {
    await withRootDb(async (client) => {
      for (const name of ['user.created', 'organization.updated', 'organizationMembership.created', 'organizationInvitation.created', 'organizationDomain.created',
        'role.created', 'permission.updated', 'session.created', 'email.created', 'sms.created', 'subscription.created', 'subscriptionItem.updated', 'organizationDomain.deleted']) {
        const result = await deliverAsWebhook(client, fixture(name, uniqueTag()), newSvixId());
        expect([name, result.status]).toEqual([name, expect.stringMatching(/^(processed|stale|ignored)$/)]);
      }
    });
  });
});
