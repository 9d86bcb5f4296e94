// Many subscribers of many organizations at once: 1,000 membership changes delivered over HTTP to
// 10 organizations, each followed by 10 subscribers on their own connections. Every subscriber gets
// exactly its organization's changes: each one once, none of another organization's.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { membershipEvent } from '../../../../support/clerkDeliveries.ts';
import { uniqueTag } from '../../../helpers/clerkEvents.ts';
import { startTestApp, type RunningApp } from '../../../helpers/app.ts';
import { endTestPools } from '../../../helpers/db.ts';
import { eventually, liveClient, type LiveClient, type Subscription } from '../../../helpers/liveClient.ts';
import { TEST_AZP, makeSigningKey, nowSeconds, signToken, v1Claims } from '../../../helpers/tokens.ts';
import { deliverOverHttp } from '../../../helpers/webhooks.ts';

jest.setTimeout(300_000);

const ORGANIZATIONS = 10;
const SUBSCRIBERS_PER_ORGANIZATION = 10;
const EVENTS = 1000;
const IN_FLIGHT = 8;

const key = makeSigningKey();
const tag = uniqueTag();
let app: RunningApp;
const clients: LiveClient[] = [];

beforeAll(async () => {
  app = await startTestApp({ CLERK_JWT_KEY: key.publicPem, CLERK_AUTHORIZED_PARTIES: TEST_AZP });
}, 60_000);
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await app?.close();
  await endTestPools();
});

describe('live updates at scale', () => {
  it('deliver 1,000 events to 100 subscribers over 10 organizations, each exactly its own', async () => {
    const orgKey = (j: number) => `${tag}o${j}`;
    const subscriptions: Array<{ org: number; subscription: Subscription }> = [];
    for (let j = 0; j < ORGANIZATIONS; j++) {
      for (let s = 0; s < SUBSCRIBERS_PER_ORGANIZATION; s++) {
        // Valid for the whole run, however slow the machine (a minute would not be).
        const claims = v1Claims({ userId: `user_${tag}s${j}_${s}`, orgId: `org_${orgKey(j)}`, role: 'org:member', permissions: [] });
        const token = signToken(key, { ...claims, exp: nowSeconds() + 900 });
        const client = liveClient(app.url, token);
        clients.push(client);
        subscriptions.push({ org: j, subscription: client.subscribe(`subscription { organizationChanged(kinds: [MEMBERSHIP]) { operation id membership { id organizationId } } }`) });
      }
    }
    await eventually(() => app.websockets.stats().subscriptions === ORGANIZATIONS * SUBSCRIBERS_PER_ORGANIZATION, 90_000, '100 subscriptions');

    const expected: string[][] = Array.from({ length: ORGANIZATIONS }, () => []);
    const deliveries = Array.from({ length: EVENTS }, (_, i) => {
      const org = i % ORGANIZATIONS;
      const membership = `${tag}m${i}`;
      expected[org].push(`orgmem_${membership}`);
      return membershipEvent('organizationMembership.created', { key: membership, userKey: `${tag}u${i}`, organizationKey: orgKey(org), updatedAt: Date.UTC(2025, 6, 1) + i });
    });
    let next = 0;
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < deliveries.length) {
          const response = await deliverOverHttp(app.url, deliveries[next++]);
          statuses.push(response.status);
        }
      }),
    );
    expect(statuses.filter((status) => status !== 200)).toEqual([]);

    const perOrganization = EVENTS / ORGANIZATIONS;
    for (const { subscription } of subscriptions) await subscription.waitFor(perOrganization, 200_000);
    // Anything extra would be in flight behind the last expected event: give it a moment.
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const { org, subscription } of subscriptions) {
      const received = subscription.events.map((event) => event.data.organizationChanged);
      expect(received).toHaveLength(perOrganization);
      expect(received.map((change: any) => change.id).sort()).toEqual([...expected[org]].sort());
      expect(received.every((change: any) => change.operation === 'INSERT' && change.membership.organizationId === `org_${orgKey(org)}`)).toBe(true);
    }
  });
});
