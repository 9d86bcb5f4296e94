// Postgres itself restarts in the middle of a load (on a cluster of this test's own, so the rest of
// the suite is not disturbed): transactions in flight abort, the receiver answers 503 while the
// database is away, Svix retries, and the result is exactly once and in order all the same.
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startTestApp, TEST_WEBHOOK_SECRET, type RunningApp } from '../helpers/app.ts';
import { clerkStory, shuffled } from '../helpers/clerkStory.ts';
import { checkLedger, inOrderComparison } from '../helpers/convergence.ts';
import { startOwnCluster, type OwnCluster } from '../helpers/ownCluster.ts';
import { deliverAll } from '../helpers/svixSender.ts';

jest.setTimeout(150_000);

let database: OwnCluster;
let app: RunningApp;
beforeAll(async () => {
  database = await startOwnCluster();
  app = await startTestApp({}, { ownerUrl: database.ownerUrl, authUrl: database.authUrl });
});
afterAll(async () => {
  await app?.close();
  await database?.stop();
});

it('a Postgres restart mid-load ends with every message applied exactly once, in order', async () => {
  const prefix = `pr${randomBytes(4).toString('hex')}`;
  // Large enough that deliveries are still in flight when the restart takes effect.
  const deliveries = clerkStory({ prefix, users: 192, organizations: 24 });
  let answered = 0;
  let restart: Promise<void> | undefined;
  const report = await deliverAll(shuffled(deliveries, 11), () => [app.url], {
    secret: TEST_WEBHOOK_SECRET,
    concurrency: 16,
    deadlineMs: 100_000,
    onAttempt: (attempt) => {
      if (attempt.status === 200) answered++;
      if (!restart && answered >= deliveries.length / 5) restart = database.restart();
    },
  });
  await restart;

  expect(restart).toBeDefined();
  // While the database was away the receiver said so with 503 (retried), never with another 5xx.
  expect(report.statuses['503']).toBeGreaterThan(0);
  expect(Object.keys(report.statuses).filter((status) => /^5/.test(status) && status !== '503')).toEqual([]);
  expect(report.undelivered).toEqual([]);

  const client = new pg.Client({ connectionString: database.superuserUrl });
  await client.connect();
  try {
    expect(await checkLedger(client, deliveries)).toEqual({ missing: [], unexpectedOutcomes: [], doubleAudits: [] });
    const { actual, reference } = await inOrderComparison(client, deliveries, prefix);
    expect(actual.users).toHaveLength(192);
    expect(actual).toEqual(reference);
  } finally {
    await client.end();
  }
  const ready = await fetch(`${app.url}/readyz`);
  expect(ready.status).toBe(200);
});
