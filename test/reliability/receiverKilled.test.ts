// The receiver process is SIGKILLed in the middle of a load and started again: deliveries in flight
// are lost with it, Svix retries them, and in the end every message is applied exactly once and the
// synced rows equal those of applying the messages in the order they happened.
import { afterAll, expect, it, jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { TEST_WEBHOOK_SECRET } from '../helpers/app.ts';
import { clerkStory, shuffled } from '../helpers/clerkStory.ts';
import { checkLedger, inOrderComparison } from '../helpers/convergence.ts';
import { endTestPools, getRootPool, testDatabase } from '../helpers/db.ts';
import { freePort } from '../../support/ports.ts';
import { startServerProcess, type ServerProcess } from '../helpers/serverProcess.ts';
import { deliverAll } from '../helpers/svixSender.ts';

jest.setTimeout(120_000);

let server: ServerProcess | undefined;
afterAll(async () => {
  server?.child.kill('SIGKILL');
  await endTestPools();
});

it('a receiver killed mid-load and restarted ends with every message applied exactly once, in order', async () => {
  const prefix = `rk${randomBytes(4).toString('hex')}`;
  const deliveries = clerkStory({ prefix, users: 48, organizations: 6 });
  const port = await freePort();
  const urls = { ownerUrl: testDatabase.ownerUrl(), authUrl: testDatabase.authUrl() };
  server = await startServerProcess(port, urls);

  let answered = 0;
  let killedAt = 0;
  let restarted: Promise<void> | undefined;
  const report = await deliverAll(shuffled(deliveries, 7), () => [`http://127.0.0.1:${port}`], {
    secret: TEST_WEBHOOK_SECRET,
    concurrency: 16,
    deadlineMs: 80_000,
    onAttempt: (attempt) => {
      if (attempt.status === 200) answered++;
      if (!killedAt && answered >= deliveries.length / 3) {
        killedAt = answered;
        server!.child.kill('SIGKILL');
        restarted = server!.exited.then(async () => {
          server = await startServerProcess(port, urls);
        });
      }
    },
  });
  await restarted;

  expect(killedAt).toBeGreaterThan(0);
  // The kill must have cost something, or the scenario tested nothing.
  expect(report.attempts.length).toBeGreaterThan(deliveries.length);
  expect(report.undelivered).toEqual([]);
  const pool = getRootPool();
  expect(await checkLedger(pool, deliveries)).toEqual({ missing: [], unexpectedOutcomes: [], doubleAudits: [] });
  const { actual, reference } = await inOrderComparison(pool, deliveries, prefix);
  expect(actual.users).toHaveLength(48);
  expect(actual).toEqual(reference);
});
