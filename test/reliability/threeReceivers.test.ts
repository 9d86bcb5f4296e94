// Three receivers share one database and every message is delivered to all three at nearly the
// same moment (as when Svix retries land on different replicas): each message still takes effect
// once, and the synced rows equal in-order application.
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { startTestApp, TEST_WEBHOOK_SECRET, type RunningApp } from '../helpers/app.ts';
import { clerkStory, shuffled } from '../helpers/clerkStory.ts';
import { checkLedger, inOrderComparison } from '../helpers/convergence.ts';
import { endTestPools, getRootPool } from '../helpers/db.ts';
import { deliverAll } from '../helpers/svixSender.ts';

jest.setTimeout(120_000);

let receivers: RunningApp[] = [];
beforeAll(async () => {
  receivers = await Promise.all([startTestApp(), startTestApp(), startTestApp()]);
});
afterAll(async () => {
  await Promise.all(receivers.map((receiver) => receiver.close()));
  await endTestPools();
});

it('the same deliveries sent to three receivers are applied exactly once, in order', async () => {
  const prefix = `tr${randomBytes(4).toString('hex')}`;
  const deliveries = clerkStory({ prefix, users: 40, organizations: 5 });
  const report = await deliverAll(shuffled(deliveries, 3), () => receivers.map((receiver) => receiver.url), {
    secret: TEST_WEBHOOK_SECRET,
    concurrency: 24,
    deadlineMs: 60_000,
  });

  expect(report.undelivered).toEqual([]);
  expect(report.attempts.length).toBeGreaterThanOrEqual(deliveries.length * 3);
  const pool = getRootPool();
  expect(await checkLedger(pool, deliveries)).toEqual({ missing: [], unexpectedOutcomes: [], doubleAudits: [] });
  // Two of every three copies were duplicates: the ledger counted them.
  const { rows } = await pool.query<{ received: number }>(
    `select sum(1 + duplicates)::int as received from app_private.webhook_events where svix_id = any($1)`,
    [deliveries.map((delivery) => delivery.svixId)],
  );
  expect(rows[0].received).toBeGreaterThanOrEqual(deliveries.length * 3);
  const { actual, reference } = await inOrderComparison(pool, deliveries, prefix);
  expect(actual.users).toHaveLength(40);
  expect(actual).toEqual(reference);
});
