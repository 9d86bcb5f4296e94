// A real Prometheus (Debian's package) scraping the real server (`node server/main.ts`, on a
// database of its own) every second, with ops/prometheus/alerts.yml loaded. Real svix-signed
// deliveries go in, a failing one and a forged one included, and Prometheus's HTTP API must show
// them in the counters, the histogram, the gauges and the failed alert: the metric names, labels
// and types are what the rules assume.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { fixture, fixtureText, uniqueTag } from '../../helpers/clerkEvents.ts';
import { endTestPools } from '../../helpers/db.ts';
import { freePort } from '../../../support/ports.ts';
import { sleep, startPrometheus, waitFor, type PromSample, type RunningPrometheus } from '../../helpers/prometheus.ts';
import { exposedMetricNames, metricsRead } from '../../helpers/promql.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/scratchDatabase.ts';
import { startServerProcess, type ServerProcess } from '../../helpers/serverProcess.ts';
import { postWebhook, signDelivery } from '../../helpers/webhooks.ts';

const RULES = path.resolve('ops/prometheus/alerts.yml');
const JOB = 'clerk-pg-sync';
const alertNames: string[] = parse(readFileSync(RULES, 'utf8'))
  .groups.flatMap((group: { rules: { alert?: string }[] }) => group.rules)
  .map((rule: { alert?: string }) => rule.alert)
  .filter(Boolean);

let scratch: ScratchDatabase;
let server: ServerProcess;
let prometheus: RunningPrometheus;
let startedAt: number;

beforeAll(async () => {
  startedAt = Date.now() / 1000;
  scratch = await createScratchDatabase('scrape');
  server = await startServerProcess(await freePort(), { ownerUrl: scratch.ownerUrl, authUrl: scratch.authUrl });
  prometheus = await startPrometheus({ targets: [new URL(server.url).host], ruleFiles: [RULES], intervalSeconds: 1 });
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGTERM');
    const killed = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
    await server.exited;
    clearTimeout(killed);
  }
  await scratch?.drop();
  await endTestPools();
}, 60_000);

/** Sum of an instant query's samples; undefined when it returns none. */
async function total(expr: string): Promise<number | undefined> {
  const samples = await prometheus.query(expr);
  return samples.length ? samples.reduce((sum, sample) => sum + Number(sample.value[1]), 0) : undefined;
}

/** Waits (at most 20 s) until Prometheus answers `expected` for `expr`. */
async function eventually(expr: string, expected: number): Promise<void> {
  let last: number | undefined;
  await waitFor(
    `${expr} to be ${expected}`,
    async () => {
      last = await total(expr);
      return last === expected ? true : undefined;
    },
    20_000,
    () => `last value ${last}`,
  );
}

const labelsAndValue = (samples: PromSample[], ...labels: string[]) =>
  samples.map((sample) => [...labels.map((label) => sample.metric[label]), Number(sample.value[1])]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

interface RuleState {
  name: string;
  query: string;
  health: string;
  state: string;
  lastError?: string;
  lastEvaluation: string;
}

async function ruleStates(): Promise<RuleState[]> {
  const answer = await prometheus.api('rules');
  return answer.data.groups.flatMap((group: { rules: RuleState[] }) => group.rules);
}

describe('a real Prometheus scraping the server', () => {
  it('scrapes it, and evaluates every alert rule without error and without firing while all is well', async () => {
    await waitFor('the target to be up', async () => {
      const targets = (await prometheus.api('targets')).data.activeTargets as { health: string; labels: Record<string, string> }[];
      return targets.length === 1 && targets[0].health === 'up' ? targets : undefined;
    }, 20_000, () => prometheus.output());
    await eventually(`up{job="${JOB}"}`, 1);
    await eventually(`clerk_pg_sync_ready{job="${JOB}"}`, 1);

    // A rule whose vectors cannot be matched (many-to-many, say) shows health "err" here.
    const rules = await waitFor('every rule to have been evaluated on scraped data', async () => {
      const states = await ruleStates();
      return states.length === alertNames.length && states.every((rule) => !rule.lastEvaluation.startsWith('0001')) ? states : undefined;
    });
    await sleep(1500);
    const evaluated = await ruleStates();
    expect(evaluated.map((rule) => rule.name).sort()).toEqual([...alertNames].sort());
    expect(evaluated.filter((rule) => rule.health !== 'ok').map((rule) => [rule.name, rule.lastError])).toEqual([]);
    expect(evaluated.filter((rule) => rule.state !== 'inactive').map((rule) => rule.name)).toEqual([]);
    expect(rules.length).toBe(alertNames.length);
  }, 60_000);

  it('has the types the rules assume, and every metric an alert reads is one the server exports', async () => {
    const metadata = (await prometheus.api('metadata')).data as Record<string, { type: string }[]>;
    const typeOf = (name: string) => metadata[name]?.[0]?.type;
    expect(
      Object.fromEntries(
        [
          'clerk_webhook_deliveries_total',
          'clerk_webhook_requests_total',
          'clerk_webhook_verification_failures_total',
          'clerk_webhook_processing_duration_seconds',
          'clerk_webhook_last_delivery_timestamp_seconds',
          'clerk_webhook_ledger_failed_events',
          'clerk_webhook_ledger_oldest_failed_timestamp_seconds',
          'clerk_webhook_prune_last_success_timestamp_seconds',
          'clerk_pg_sync_ready',
          'db_pool_clients',
          'process_start_time_seconds',
        ].map((name) => [name, typeOf(name)]),
      ),
    ).toEqual({
      clerk_webhook_deliveries_total: 'counter',
      clerk_webhook_requests_total: 'counter',
      clerk_webhook_verification_failures_total: 'counter',
      clerk_webhook_processing_duration_seconds: 'histogram',
      clerk_webhook_last_delivery_timestamp_seconds: 'gauge',
      clerk_webhook_ledger_failed_events: 'gauge',
      clerk_webhook_ledger_oldest_failed_timestamp_seconds: 'gauge',
      clerk_webhook_prune_last_success_timestamp_seconds: 'gauge',
      clerk_pg_sync_ready: 'gauge',
      db_pool_clients: 'gauge',
      process_start_time_seconds: 'gauge',
    });

    const exported = exposedMetricNames(await (await fetch(`${server.url}/metrics`)).text());
    // `up` is Prometheus's own, per target.
    exported.add('up');
    for (const rule of await ruleStates()) {
      const reads = metricsRead(rule.query);
      expect({ alert: rule.name, problems: reads.problems, unknown: reads.metrics.filter((name) => !exported.has(name)) }).toEqual({ alert: rule.name, problems: [], unknown: [] });
    }
  });

  it('shows real signed deliveries, a failing and a forged one included, and fires the failed alert', async () => {
    const failedAlert = (await ruleStates()).find((rule) => rule.name === 'ClerkPgSyncDeliveriesFailed')!;
    expect(await prometheus.query(failedAlert.query)).toEqual([]);

    const tag = uniqueTag();
    const created = signDelivery(fixtureText('user.created', tag));
    const broken = fixture('organizationMembership.created', tag);
    delete (broken.data as Record<string, unknown>).organization;
    const sentAt = Date.now() / 1000;
    const answers = [];
    for (const delivery of [created, created, signDelivery(broken)]) answers.push(await postWebhook(server.url, delivery));
    answers.push(await postWebhook(server.url, { ...created, body: created.body.replace('Admin', 'Evil') }));
    expect(answers.map((answer) => [answer.status, answer.body.status])).toEqual([
      [200, 'processed'],
      [200, 'duplicate'],
      [200, 'failed'],
      [400, undefined],
    ]);

    await eventually(`sum(clerk_webhook_deliveries_total{job="${JOB}"})`, 3);
    expect(labelsAndValue(await prometheus.query(`clerk_webhook_deliveries_total{job="${JOB}"}`), 'event_type', 'outcome')).toEqual([
      ['organizationMembership.created', 'failed', 1],
      ['user.created', 'duplicate', 1],
      ['user.created', 'processed', 1],
    ]);
    expect(labelsAndValue(await prometheus.query(`clerk_webhook_requests_total{job="${JOB}"} > 0`), 'status')).toEqual([
      ['200', 3],
      ['400', 1],
    ]);
    expect(await total(`clerk_webhook_verification_failures_total{job="${JOB}",reason="bad_signature"}`)).toBe(1);

    // The histogram: one observation per verified delivery, by outcome, in cumulative buckets.
    expect(labelsAndValue(await prometheus.query(`clerk_webhook_processing_duration_seconds_count{job="${JOB}"} > 0`), 'outcome')).toEqual([
      ['duplicate', 1],
      ['failed', 1],
      ['processed', 1],
    ]);
    expect(await total(`sum(clerk_webhook_processing_duration_seconds_bucket{job="${JOB}",le="+Inf"})`)).toBe(3);
    expect(await total(`sum(clerk_webhook_processing_duration_seconds_bucket{job="${JOB}",le="15"})`)).toBe(3);
    const p99 = await waitFor('a p99 from the histogram', async () => {
      const value = await total(`histogram_quantile(0.99, sum by (le) (rate(clerk_webhook_processing_duration_seconds_bucket{job="${JOB}"}[1m])))`);
      return value !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
    });
    expect(p99).toBeLessThanOrEqual(15);

    const lastDelivery = await total(`clerk_webhook_last_delivery_timestamp_seconds{job="${JOB}"}`);
    expect(lastDelivery).toBeGreaterThanOrEqual(Math.floor(sentAt));
    expect(lastDelivery).toBeLessThanOrEqual(Date.now() / 1000);

    // The ledger gauges are read from the database at most every 5 s.
    await eventually(`clerk_webhook_ledger_failed_events{job="${JOB}"}`, 1);
    const oldestFailed = await total(`clerk_webhook_ledger_oldest_failed_timestamp_seconds{job="${JOB}"}`);
    expect(oldestFailed).toBeGreaterThanOrEqual(Math.floor(startedAt));
    expect(oldestFailed).toBeLessThanOrEqual(Date.now() / 1000);

    // The failed alert: its own expression, then the alert itself (no `for`: it fires at once).
    await eventually(failedAlert.query, 1);
    expect((await prometheus.query(failedAlert.query))[0].metric).toEqual({ job: JOB });
    const alerts = await waitFor('ClerkPgSyncDeliveriesFailed to fire', async () => {
      const active = (await prometheus.api('alerts')).data.alerts as { labels: Record<string, string>; state: string }[];
      return active.some((alert) => alert.labels.alertname === 'ClerkPgSyncDeliveriesFailed' && alert.state === 'firing') ? active : undefined;
    });
    expect(alerts.map((alert) => [alert.labels.alertname, alert.state, alert.labels.job, alert.labels.severity])).toEqual([
      ['ClerkPgSyncDeliveriesFailed', 'firing', JOB, 'warning'],
    ]);
  }, 90_000);

  it('reports every pool by state and its maximum', async () => {
    const clients = await prometheus.query(`db_pool_clients{job="${JOB}"}`);
    expect(clients.map((sample) => `${sample.metric.pool}/${sample.metric.state}`).sort()).toEqual(
      ['auth', 'owner', 'webhook'].flatMap((pool) => ['active', 'idle', 'waiting'].map((state) => `${pool}/${state}`)),
    );
    expect(labelsAndValue(await prometheus.query(`db_pool_max_clients{job="${JOB}"}`), 'pool')).toEqual([
      ['auth', 10],
      ['owner', 1],
      ['webhook', 10],
    ]);
  });
});
