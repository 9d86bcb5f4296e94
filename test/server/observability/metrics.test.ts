// GET /metrics as Prometheus scrapes it: text format, process metrics, pool usage, GraphQL
// requests, and one registry per app (two apps in one process never share counters).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type RunningApp } from '../../helpers/app.ts';
import { fixture, fixtureText, uniqueTag } from '../../helpers/clerkEvents.ts';
import { endTestPools } from '../../helpers/db.ts';
import { deliverOverHttp } from '../../helpers/webhooks.ts';

let first: RunningApp;
let second: RunningApp;

beforeAll(async () => {
  [first, second] = await Promise.all([startTestApp(), startTestApp()]);
});
afterAll(async () => {
  await Promise.all([first.close(), second.close()]);
  await endTestPools();
});

async function scrape(app: RunningApp): Promise<string> {
  const response = await fetch(`${app.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

/** The value of one sample, e.g. sample(text, 'db_pool_clients{pool="auth",state="idle"}'). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('exposes the default process metrics', async () => {
    const text = await scrape(first);
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });

  it('reports every pool by state, with its maximum', async () => {
    await fetch(`${first.url}/readyz`);
    const text = await scrape(first);
    for (const pool of ['auth', 'webhook', 'owner']) {
      for (const state of ['active', 'idle', 'waiting']) {
        expect(sample(text, `db_pool_clients{pool="${pool}",state="${state}"}`)).toBeGreaterThanOrEqual(0);
      }
    }
    expect(sample(text, 'db_pool_clients{pool="webhook",state="idle"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'db_pool_max_clients{pool="owner"}')).toBe(1);
    expect(sample(text, 'db_pool_max_clients{pool="webhook"}')).toBe(10);
  });

  it('counts the scheduled ledger maintenance runs by result and the partitions they dropped', async () => {
    const before = await scrape(first);
    for (const result of ['done', 'skipped', 'failed']) expect(sample(before, `clerk_webhook_prune_runs_total{result="${result}"}`)).toBe(0);
    expect(sample(before, 'clerk_webhook_prune_dropped_partitions_total')).toBe(0);
    // What main.ts hands the schedule's onRun to.
    const { events } = first.services.pools;
    events.emit('ledgerMaintenance', { result: 'done', dropped: 2 });
    events.emit('ledgerMaintenance', { result: 'skipped', dropped: 0 });
    events.emit('ledgerMaintenance', { result: 'failed', dropped: 0 });
    events.emit('ledgerMaintenance', { result: 'done', dropped: 0 });
    const after = await scrape(first);
    expect({ done: sample(after, 'clerk_webhook_prune_runs_total{result="done"}'), skipped: sample(after, 'clerk_webhook_prune_runs_total{result="skipped"}'), failed: sample(after, 'clerk_webhook_prune_runs_total{result="failed"}') })
      .toEqual({ done: 2, skipped: 1, failed: 1 });
    expect(sample(after, 'clerk_webhook_prune_dropped_partitions_total')).toBe(2);
    expect(sample(await scrape(second), 'clerk_webhook_prune_runs_total{result="done"}')).toBe(0);
  });

  it('counts GraphQL requests by status and their latency, per app', async () => {
    const before = sample(await scrape(first), 'graphql_request_duration_seconds_count') ?? 0;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${first.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{__typename}"}' });
      statuses.push(response.status);
    }
    const text = await scrape(first);
    expect(sample(text, 'graphql_request_duration_seconds_count')).toBe(before + 3);
    // GraphQL's latency buckets end at its 10 s budget; the requests' connections are back in the pool.
    expect(sample(text, 'graphql_request_duration_seconds_bucket{le="10"}')).toBe(before + 3);
    expect(sample(text, 'db_pool_clients{pool="auth",state="idle"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'db_pool_clients{pool="auth",state="active"}')).toBe(0);
    expect(sample(text, `graphql_requests_total{status="${statuses[0]}"}`)).toBeGreaterThanOrEqual(3);
    expect(sample(await scrape(second), 'graphql_request_duration_seconds_count')).toBe(0);
  });
});

describe('webhook metrics', () => {
  it('labels an event type that is not shaped like Clerk\'s as other, so a sender cannot mint series', async () => {
    const app = await startTestApp();
    try {
      const event = fixture('variants/unknown.type');
      for (const type of ['nodot', `${'a'.repeat(41)}.created`, 'a.b.c.d.e', 'user.created"} 1\nfake{a="']) {
        expect((await deliverOverHttp(app.url, { ...event, type })).status).toBe(200);
      }
      const text = await scrape(app);
      // Ignored, or failed when the database refuses the type itself: either way under one label.
      const series = [...text.matchAll(/^clerk_webhook_deliveries_total\{event_type="([^"]*)",outcome="\w+"\} (\d+)$/gm)];
      expect(series.map(([, type]) => type)).toEqual(series.map(() => 'other'));
      expect(series.reduce((total, [, , count]) => total + Number(count), 0)).toBe(4);
      // A type shaped like Clerk's keeps its label, up to three dots (sub-objects of billing events).
      expect((await deliverOverHttp(app.url, { ...event, type: 'commerce.subscriptionItem.ended' })).status).toBe(200);
      const after = await scrape(app);
      expect(after).toMatch(/^clerk_webhook_deliveries_total\{event_type="commerce\.subscriptionItem\.ended",outcome="\w+"\} 1$/m);
      // Delivery latency buckets end at Svix's 15 s timeout.
      expect(after).toMatch(/^clerk_webhook_processing_duration_seconds_bucket\{[^}]*le="15"[^}]*\} [1-9]/m);
    } finally {
      await app.close();
    }
  });

  it('counts a body over the limit as a verification failure (body_too_large) and by its 413', async () => {
    const app = await startTestApp({ WEBHOOK_BODY_LIMIT: '1kb' });
    try {
      const before = await scrape(app);
      expect(sample(before, 'clerk_webhook_verification_failures_total{reason="body_too_large"}')).toBe(0);
      expect((await deliverOverHttp(app.url, fixtureText('user.created', uniqueTag()))).status).toBe(413);
      const text = await scrape(app);
      expect(sample(text, 'clerk_webhook_verification_failures_total{reason="body_too_large"}')).toBe(1);
      expect(sample(text, 'clerk_webhook_requests_total{status="413"}')).toBe(1);
      expect(sample(text, 'clerk_webhook_deliveries_total{event_type="user.created",outcome="processed"}')).toBeUndefined();
    } finally {
      await app.close();
    }
  });
});
