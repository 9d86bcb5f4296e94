// Live updates of the reference tenant's own data: loads written through GraphQL mutations reach
// the subscribers the loads' policies let read them, and nobody else.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type RunningApp } from '../../../helpers/app.ts';
import { endTestPools } from '../../../helpers/db.ts';
import { DRIVER, FLEET_ORG, FLEET_USER, createFleetWorld, fleetTokenPermissions, type FleetRole } from '../../../helpers/fleetWorld.ts';
import { eventually, liveClient, type LiveClient } from '../../../helpers/liveClient.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../../helpers/scratchDatabase.ts';
import { TEST_AZP, makeSigningKey, signToken, v1Claims } from '../../../helpers/tokens.ts';

const key = makeSigningKey();
let database: ScratchDatabase;
let app: RunningApp;
const clients: LiveClient[] = [];

beforeAll(async () => {
  database = await createScratchDatabase('live_fleet');
  const client = await database.owner.connect();
  try {
    await createFleetWorld(client);
  } finally {
    client.release();
  }
  app = await startTestApp({ CLERK_JWT_KEY: key.publicPem, CLERK_AUTHORIZED_PARTIES: TEST_AZP }, database);
}, 60_000);
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
  await endTestPools();
});

const tokenFor = (userId: string, role: FleetRole, orgId: string = FLEET_ORG.acme) => signToken(key, v1Claims({ userId, orgId, role, permissions: fleetTokenPermissions(role) }));

async function graphql(token: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: any[] };
  expect(body.errors).toBeUndefined();
  return body.data;
}

const LOADS = `subscription { organizationChanged(kinds: [LOAD]) { operation kind id load { id loadNumber driverId } } }`;
let loadNumber = 0;
const createLoad = async (driverId: string | null) => {
  const data = await graphql(
    tokenFor(FLEET_USER.alice, 'org:admin'),
    `mutation ($load: LoadInput!) { createLoad(input: { load: $load }) { load { id } } }`,
    { load: { loadNumber: `LIVE-${(loadNumber += 1)}`, customerName: 'Shipper', originCity: 'Dallas', originState: 'TX', destinationCity: 'Memphis', destinationState: 'TN', driverId } },
  );
  return data.createLoad.load.id as string;
};

describe('live loads', () => {
  it("reach dispatchers, the assigned driver, and no other driver; deletions reach those who see every load", async () => {
    const subscribe = (userId: string, role: FleetRole) => {
      const client = liveClient(app.url, tokenFor(userId, role));
      clients.push(client);
      return client.subscribe(LOADS);
    };
    const dispatcher = subscribe(FLEET_USER.dan, 'org:dispatcher');
    const drew = subscribe(FLEET_USER.drew, 'org:driver');
    const dora = subscribe(FLEET_USER.dora, 'org:driver');
    await eventually(() => app.websockets.stats().subscriptions === 3, 10_000, '3 subscriptions');

    // Each event is read when it arrives, a relay interval after its commit at most: the insert
    // must be seen before the same load is deleted, or it reads as an insert of nothing.
    const drewsLoad = await createLoad(DRIVER.drew);
    await Promise.all([dispatcher.waitFor(1), drew.waitFor(1)]);
    const dorasLoad = await createLoad(DRIVER.dora);
    await graphql(tokenFor(FLEET_USER.alice, 'org:admin'), `mutation ($id: UUID!) { deleteLoad(input: { id: $id }) { load { id } } }`, { id: drewsLoad });
    const sentinel = await createLoad(DRIVER.dora);

    const seen = (events: any[]) => events.map(({ data }) => [data.organizationChanged.operation, data.organizationChanged.id, data.organizationChanged.load?.driverId ?? null]);
    expect(seen(await dispatcher.waitFor(4))).toEqual([
      ['INSERT', drewsLoad, DRIVER.drew],
      ['INSERT', dorasLoad, DRIVER.dora],
      ['DELETE', drewsLoad, null],
      ['INSERT', sentinel, DRIVER.dora],
    ]);
    expect(seen(await dora.waitFor(2))).toEqual([
      ['INSERT', dorasLoad, DRIVER.dora],
      ['INSERT', sentinel, DRIVER.dora],
    ]);
    // Drew sees his load arrive; its deletion he learns by refetching (he never sees every load).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen(drew.events)).toEqual([['INSERT', drewsLoad, DRIVER.drew]]);
    expect(dora.events).toHaveLength(2);
  });
});
