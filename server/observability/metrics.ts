// Prometheus metrics, one registry per app so that several apps in one process (the tests)
// never share counters. Delivery and GraphQL figures are taken when the response is done,
// from what the routes reported on it (see delivery.ts), so routes hold no metric code. The
// figures only the database knows (readiness, failed deliveries waiting) are in databaseGauges.ts.
import type { NextFunction, Request, Response } from 'express';
import { Router } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DatabasePools } from '../database/pools.ts';
import { databaseSnapshots, registerDatabaseGauges } from './databaseGauges.ts';
import { DELIVERY_OUTCOMES, deliveryOf, VERIFICATION_FAILURE_REASONS, verificationFailureOf } from './delivery.ts';

/** Clerk's event types look like `user.created` or `organizationMembership.deleted`. */
const EVENT_TYPE = /^[A-Za-z]{1,40}(?:\.[A-Za-z]{1,40}){1,3}$/;
/** Deliveries wait on one transaction; Svix gives up after 15 s. */
const DELIVERY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15];
const GRAPHQL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface Metrics {
  registry: Registry;
  rateLimited: Counter;
  /** Middleware for the webhook path: counts each delivery and refusal when it is answered. */
  observeDeliveries(req: Request, res: Response, next: NextFunction): void;
  /** Middleware for the GraphQL path. */
  observeGraphql(req: Request, res: Response, next: NextFunction): void;
  /** GraphQL requests answered by the request bounds instead of by execution, by reason (busy, timeout, tooLarge). */
  graphqlRefusals: Counter;
  /** Reports the GraphQL requests running and waiting, read at each scrape. */
  observeGraphqlLoad(load: () => { running: number; queued: number }): void;
  router(): Router;
}

function onceDone(res: Response, done: () => void): void {
  let called = false;
  const finish = () => {
    if (called) return;
    called = true;
    done();
  };
  res.once('finish', finish);
  res.once('close', finish);
}

export function createMetrics(pools: DatabasePools, expectedMigrations: string[]): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerDatabaseGauges(registry, databaseSnapshots(pools, expectedMigrations));

  const deliveries = new Counter({
    name: 'clerk_webhook_deliveries_total',
    help: 'Verified webhook deliveries by event type and outcome (processed, duplicate, stale, ignored, failed, unavailable, error).',
    labelNames: ['event_type', 'outcome'],
    registers: [registry],
  });
  const deliveryDuration = new Histogram({
    name: 'clerk_webhook_processing_duration_seconds',
    help: 'Time from receiving a verified delivery to answering it, by outcome.',
    labelNames: ['outcome'],
    buckets: DELIVERY_BUCKETS,
    registers: [registry],
  });
  const verificationFailures = new Counter({
    name: 'clerk_webhook_verification_failures_total',
    help: 'Webhook requests refused before the ledger, by reason (missing_headers, bad_signature, timestamp_out_of_tolerance, malformed_headers, body_too_large, malformed_body).',
    labelNames: ['reason'],
    registers: [registry],
  });
  // Every reason is exported from the start at 0, so the first refusal is an increase that
  // rate() and increase() see (a series born at 1 looks flat to them). The same for the latency
  // histogram's outcomes and the answers the error-ratio alert divides.
  for (const reason of VERIFICATION_FAILURE_REASONS) verificationFailures.inc({ reason }, 0);
  for (const outcome of DELIVERY_OUTCOMES) deliveryDuration.zero({ outcome });
  const webhookResponses = new Counter({
    name: 'clerk_webhook_requests_total',
    help: 'Every request to the webhook route by the HTTP status answered, verified or not; aborted when the connection closed before the answer was sent. A 5xx delivery is retried by Svix.',
    labelNames: ['status'],
    registers: [registry],
  });
  for (const status of ['200', '500', '503']) webhookResponses.inc({ status }, 0);
  const lastDelivery = new Gauge({
    name: 'clerk_webhook_last_delivery_timestamp_seconds',
    help: 'When this process last answered a verified delivery, whatever its outcome (Unix time); 0 when it has answered none since it started.',
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: 'clerk_webhook_rate_limited_total',
    help: 'Webhook requests answered 429 because their address failed verification too often.',
    registers: [registry],
  });
  const payloadKeysChanged = new Counter({
    name: 'clerk_webhook_payload_keys_changed_total',
    help: 'Top-level data keys of a Clerk event type that appeared (added) or that every earlier delivery had and one lacked (missing), as this process saw them.',
    labelNames: ['event_type', 'change'],
    registers: [registry],
  });
  pools.events.on('payloadShapeChanged', (change) => {
    const eventType = EVENT_TYPE.test(change.event_type) ? change.event_type : 'other';
    if (change.added.length) payloadKeysChanged.inc({ event_type: eventType, change: 'added' }, change.added.length);
    if (change.missing.length) payloadKeysChanged.inc({ event_type: eventType, change: 'missing' }, change.missing.length);
  });
  const foreignInstance = new Counter({
    name: 'clerk_webhook_foreign_instance_total',
    help: 'Verified deliveries ignored because they came from a Clerk instance other than CLERK_INSTANCE_ID (an endpoint of another instance pointed here).',
    registers: [registry],
  });
  const pruneRuns = new Counter({
    name: 'clerk_webhook_prune_runs_total',
    help: 'Scheduled ledger maintenance runs of this process by result (done, skipped: another replica held the lock, failed: see the log).',
    labelNames: ['result'],
    registers: [registry],
  });
  for (const result of ['done', 'skipped', 'failed']) pruneRuns.inc({ result }, 0);
  const prunedPartitions = new Counter({
    name: 'clerk_webhook_prune_dropped_partitions_total',
    help: 'Expired ledger partitions dropped by the scheduled maintenance of this process.',
    registers: [registry],
  });
  pools.events.on('ledgerMaintenance', (run) => {
    pruneRuns.inc({ result: run.result });
    prunedPartitions.inc(run.dropped);
  });
  const graphqlRequests = new Counter({
    name: 'graphql_requests_total',
    help: 'GraphQL HTTP requests by response status code.',
    labelNames: ['status'],
    registers: [registry],
  });
  const graphqlDuration = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'GraphQL request latency.',
    buckets: GRAPHQL_BUCKETS,
    registers: [registry],
  });
  new Gauge({
    name: 'db_pool_clients',
    help: 'Database connections per pool: active (checked out), idle, and waiting (requests queued for a connection).',
    labelNames: ['pool', 'state'],
    registers: [registry],
    collect() {
      for (const [name, pool] of Object.entries({ auth: pools.auth, webhook: pools.webhook, owner: pools.owner })) {
        this.set({ pool: name, state: 'active' }, pool.totalCount - pool.idleCount);
        this.set({ pool: name, state: 'idle' }, pool.idleCount);
        this.set({ pool: name, state: 'waiting' }, pool.waitingCount);
      }
    },
  });
  new Gauge({
    name: 'db_pool_max_clients',
    help: 'Configured maximum connections per pool.',
    labelNames: ['pool'],
    registers: [registry],
    collect() {
      for (const [name, pool] of Object.entries({ auth: pools.auth, webhook: pools.webhook, owner: pools.owner })) {
        this.set({ pool: name }, pool.options.max ?? 10);
      }
    },
  });

  const graphqlRefusals = new Counter({
    name: 'graphql_refused_total',
    help: 'GraphQL requests answered by the request bounds instead of by execution, by reason (busy: queue full, timeout: wall-clock budget spent, tooLarge: response over the size bound).',
    labelNames: ['reason'],
    registers: [registry],
  });
  let graphqlLoad: () => { running: number; queued: number } = () => ({ running: 0, queued: 0 });
  new Gauge({
    name: 'graphql_requests_in_flight',
    help: 'GraphQL requests executing (running) and waiting for a slot (queued).',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const { running, queued } = graphqlLoad();
      this.set({ state: 'running' }, running);
      this.set({ state: 'queued' }, queued);
    },
  });

  return {
    registry,
    rateLimited,
    graphqlRefusals,
    observeGraphqlLoad(load) {
      graphqlLoad = load;
    },
    observeDeliveries(_req, res, next) {
      const stopTimer = deliveryDuration.startTimer();
      onceDone(res, () => {
        webhookResponses.inc({ status: res.writableFinished ? String(res.statusCode) : 'aborted' });
        const delivery = deliveryOf(res);
        if (delivery) {
          const eventType = EVENT_TYPE.test(delivery.eventType) ? delivery.eventType : 'other';
          deliveries.inc({ event_type: eventType, outcome: delivery.outcome });
          if (delivery.reason === 'foreign_instance') foreignInstance.inc();
          stopTimer({ outcome: delivery.outcome });
          lastDelivery.setToCurrentTime();
          return;
        }
        const reason = verificationFailureOf(res);
        if (reason) verificationFailures.inc({ reason });
      });
      next();
    },
    observeGraphql(_req, res, next) {
      const stopTimer = graphqlDuration.startTimer();
      onceDone(res, () => {
        stopTimer();
        graphqlRequests.inc({ status: String(res.statusCode) });
      });
      next();
    },
    router() {
      const router = Router();
      router.get('/metrics', async (_req, res) => {
        res.set('Content-Type', registry.contentType);
        res.send(await registry.metrics());
      });
      return router;
    },
  };
}
