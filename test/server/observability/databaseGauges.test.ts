// The gauges read from the database at scrape time: readiness, and the failed deliveries that
// wait for a replay, on a database of their own so the counts are exact. Also what a flood of
// scrapes costs the database (one round of queries per snapshot age) and what the gauges say
// while the database is unreachable.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { committedMigrations } from '../../../server/database/migrations.ts';
import { pruneLedger } from '../../../server/database/ledgerRetention.ts';
import { createPools, type DatabasePools } from '../../../server/database/pools.ts';
import { createLogger } from '../../../server/logger.ts';
import { databaseSnapshots, registerDatabaseGauges } from '../../../server/observability/databaseGauges.ts';
import { createMetrics } from '../../../server/observability/metrics.ts';
import { startTestApp, type RunningApp } from '../../helpers/app.ts';
import { fixtureText, uniqueTag } from '../../helpers/clerkEvents.ts';
import { endTestPools } from '../../helpers/db.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/scratchDatabase.ts';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcpProxy.ts';
import { deliverOverHttp } from '../../helpers/webhooks.ts';

let scratch: ScratchDatabase;

beforeAll(async () => {
  scratch = await createScratchDatabase('gauges');
}, 60_000);
afterAll(async () => {
  await scratch?.drop();
  await endTestPools();
});

/** The value of one sample of a Prometheus text exposition. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const insertFailed = `insert into app_private.webhook_events (svix_id, event_type, object_id, payload, outcome, error_code, error_message, received_at)
                      values ($1, 'user.created', $2, '{}', 'failed', 'XX000', 'simulated bug', $3)`;

describe('/metrics gauges from the database', () => {
  let app: RunningApp;
  const oldest = new Date('2026-01-02T03:04:05.250Z');

  beforeAll(async () => {
    await scratch.owner.query(insertFailed, ['msg_gauge_old', 'user_gauge_old', oldest]);
    await scratch.owner.query(insertFailed, ['msg_gauge_new', 'user_gauge_new', new Date()]);
    app = await startTestApp({}, { ownerUrl: scratch.ownerUrl, authUrl: scratch.authUrl });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('reports readiness and the failed deliveries waiting with the oldest one\'s receipt time', async () => {
    const text = await (await fetch(`${app.url}/metrics`)).text();
    expect(text).toMatch(/^# TYPE clerk_pg_sync_ready gauge$/m);
    expect(sample(text, 'clerk_pg_sync_ready')).toBe(1);
    expect(sample(text, 'clerk_webhook_ledger_failed_events')).toBe(2);
    expect(sample(text, 'clerk_webhook_ledger_oldest_failed_timestamp_seconds')).toBe(oldest.getTime() / 1000);
  });

  it('never counts its own probe as a client waiting for a connection', async () => {
    const { pools } = app.services;
    for (let scrape = 0; scrape < 3; scrape++) {
      // An idle connection to take (a query on an idle pool waits in its queue until the next
      // tick), and a registry of its own so that its first scrape reads a fresh snapshot.
      await pools.webhook.query('select 1');
      const text = await createMetrics(pools, committedMigrations()).registry.metrics();
      expect(sample(text, 'db_pool_clients{pool="webhook",state="idle"}')).toBeGreaterThanOrEqual(1);
      for (const pool of ['auth', 'webhook', 'owner']) expect({ pool, waiting: sample(text, `db_pool_clients{pool="${pool}",state="waiting"}`) }).toEqual({ pool, waiting: 0 });
    }
  });

  it('sets the last delivery time on a verified delivery only, and counts every answer by status', async () => {
    const before = await (await fetch(`${app.url}/metrics`)).text();
    expect(sample(before, 'clerk_webhook_last_delivery_timestamp_seconds')).toBe(0);
    // Series that alerts take increase() of exist at 0 before the first one happens.
    for (const series of ['clerk_webhook_requests_total{status="200"}', 'clerk_webhook_requests_total{status="503"}', 'clerk_webhook_verification_failures_total{reason="bad_signature"}']) {
      expect(sample(before, series)).toBe(0);
    }

    const refused = await fetch(`${app.url}/api/webhooks/clerk`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(refused.status).toBe(400);
    const afterRefusal = await (await fetch(`${app.url}/metrics`)).text();
    expect(sample(afterRefusal, 'clerk_webhook_last_delivery_timestamp_seconds')).toBe(0);

    const sentAt = Date.now() / 1000;
    expect((await deliverOverHttp(app.url, fixtureText('user.created', uniqueTag()))).status).toBe(200);
    const after = await (await fetch(`${app.url}/metrics`)).text();
    const last = sample(after, 'clerk_webhook_last_delivery_timestamp_seconds')!;
    expect(last).toBeGreaterThanOrEqual(Math.floor(sentAt));
    expect(last).toBeLessThanOrEqual(Date.now() / 1000);
    expect(sample(after, 'clerk_webhook_requests_total{status="400"}')).toBe(1);
    expect(sample(after, 'clerk_webhook_requests_total{status="200"}')).toBe(1);
  });
});

describe('database snapshots', () => {
  let proxy: TcpProxy;
  let pools: DatabasePools;
  let queries = 0;

  beforeAll(async () => {
    proxy = await startTcpProxy(scratch.ownerUrl);
    pools = createPools({ ownerUrl: proxy.via(scratch.ownerUrl), authUrl: proxy.via(scratch.authUrl) }, createLogger({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }));
    for (const pool of [pools.owner, pools.webhook]) {
      const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
      (pool as { query: unknown }).query = (...args: unknown[]) => {
        queries++;
        return query(...args);
      };
    }
  });
  afterAll(async () => {
    await pools?.end();
    await proxy?.close();
  });

  it('answers a flood of scrapes with one round of queries per snapshot age', async () => {
    const snapshot = databaseSnapshots(pools, committedMigrations(), 60_000);
    queries = 0;
    const results = await Promise.all(Array.from({ length: 50 }, () => snapshot()));
    expect(queries).toBe(3); // select 1, the migration check, the ledger summary
    expect(new Set(results).size).toBe(1);
    expect(results[0]).toEqual({ ready: true, ledger: { failed: expect.any(Number), oldestFailedSeconds: expect.any(Number), lastPruneSeconds: expect.any(Number), oldestLiveChangeSeconds: expect.any(Number) } });
    await snapshot();
    expect(queries).toBe(3);

    const fresh = databaseSnapshots(pools, committedMigrations(), 0);
    await fresh();
    await fresh();
    expect(queries).toBe(9);
  });

  it('reports when ledger maintenance last completed, whoever ran it: 0 before the first run', async () => {
    const registry = new Registry();
    registerDatabaseGauges(registry, databaseSnapshots(pools, committedMigrations(), 0));
    expect(sample(await registry.metrics(), 'clerk_webhook_prune_last_success_timestamp_seconds')).toBe(0);
    // As `npm run webhooks -- prune` runs it: the time is recorded in the database.
    await pruneLedger(scratch.owner, { retentionDays: 90 });
    const { rows: [recorded] } = await scratch.owner.query('select extract(epoch from last_success_at)::float8 as at from app_private.ledger_maintenance');
    const reported = sample(await registry.metrics(), 'clerk_webhook_prune_last_success_timestamp_seconds')!;
    expect(reported).toBe(recorded.at);
    expect(Math.abs(reported - Date.now() / 1000)).toBeLessThan(60);
  });

  it("reports the oldest change notification waiting for the relay: 0 once it is sent", async () => {
    const registry = new Registry();
    registerDatabaseGauges(registry, databaseSnapshots(pools, committedMigrations(), 0));
    const queuedAt = new Date('2026-01-02T03:04:05.500Z');
    // Holding the relay's lock keeps the test app's relay from sending it meanwhile.
    const holder = await scratch.owner.connect();
    try {
      await holder.query('begin');
      await holder.query(`select pg_advisory_xact_lock(hashtext('clerk-pg-sync: live relay'), 0)`);
      await scratch.owner.query(`insert into app_private.live_changes (channel, payload, queued_at) values ('org:gauge', '{}', $1)`, [queuedAt]);
      expect(sample(await registry.metrics(), 'clerk_live_oldest_queued_change_timestamp_seconds')).toBe(queuedAt.getTime() / 1000);
    } finally {
      await holder.query('rollback');
      holder.release();
    }
    await scratch.owner.query('select app_private.relay_live_changes()');
    expect(sample(await registry.metrics(), 'clerk_live_oldest_queued_change_timestamp_seconds')).toBe(0);
  });

  it('stays ready and keeps the ledger figures it last read while only the ledger summary cannot be read', async () => {
    // One read per second at most, so every gauge of a scrape shares its read (with a read per
    // gauge, the owner pool's single connection would be held by the first stuck summary).
    const registry = new Registry();
    registerDatabaseGauges(registry, databaseSnapshots(pools, committedMigrations(), 1000));
    const failed = sample(await registry.metrics(), 'clerk_webhook_ledger_failed_events');
    expect(failed).toEqual(expect.any(Number));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // The summary reads the change queue too: locked, the summary waits out the probe timeout.
    const holder = await scratch.owner.connect();
    try {
      await holder.query('begin');
      await holder.query('lock table app_private.live_changes in access exclusive mode');
      const stuck = await registry.metrics();
      expect(sample(stuck, 'clerk_pg_sync_ready')).toBe(1);
      expect(sample(stuck, 'clerk_webhook_ledger_failed_events')).toBe(failed);
    } finally {
      await holder.query('rollback');
      holder.release();
    }
  });

  it('says not ready while the database is unreachable and keeps the ledger figures it last read', async () => {
    const registry = new Registry();
    registerDatabaseGauges(registry, databaseSnapshots(pools, committedMigrations(), 0));
    const up = await registry.metrics();
    expect(sample(up, 'clerk_pg_sync_ready')).toBe(1);
    const failed = sample(up, 'clerk_webhook_ledger_failed_events');
    expect(failed).toBe(2);

    await proxy.cut();
    try {
      const startedAt = Date.now();
      const down = await registry.metrics();
      expect(Date.now() - startedAt).toBeLessThan(5000);
      expect(sample(down, 'clerk_pg_sync_ready')).toBe(0);
      expect(sample(down, 'clerk_webhook_ledger_failed_events')).toBe(failed);
    } finally {
      await proxy.restore();
    }
    expect(sample(await registry.metrics(), 'clerk_pg_sync_ready')).toBe(1);
  });
});
