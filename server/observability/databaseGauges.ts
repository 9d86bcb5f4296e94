// Gauges only the database can answer, read when /metrics is scraped: whether the server is
// ready (the /readyz check), the ledger's failed deliveries that wait for a replay, when
// ledger maintenance last completed (recorded by the database function, whoever ran it), and the
// oldest change notification the relay has not sent yet. Every
// replica reads the same ledger, so alerts and dashboards take max() over instances. However
// often /metrics is asked, the database sees at most one round of these queries per
// SNAPSHOT_MAX_AGE_MS (concurrent scrapes share the round in flight), and a round never waits
// longer than the probe timeout: a slow database shows as not ready, never as a hung scrape.
import { Gauge, type Registry } from 'prom-client';
import type { DatabasePools } from '../database/pools.ts';
import { checkReadiness, withTimeout } from '../health.ts';

export const SNAPSHOT_MAX_AGE_MS = 5000;

const LEDGER_SUMMARY = `
  select count(*)::int as failed, coalesce(extract(epoch from min(received_at)), 0)::float8 as oldest,
         coalesce((select extract(epoch from last_success_at) from app_private.ledger_maintenance), 0)::float8 as pruned,
         coalesce((select extract(epoch from min(queued_at)) from app_private.live_changes), 0)::float8 as live_oldest
    from app_private.webhook_events
   where outcome = 'failed'`;

export interface DatabaseSnapshot {
  ready: boolean;
  /** Absent when the ledger could not be read this round. */
  ledger?: { failed: number; oldestFailedSeconds: number; lastPruneSeconds: number; oldestLiveChangeSeconds: number };
}

/** Reads a snapshot, or returns the one read less than `maxAgeMs` ago (or still being read). */
export function databaseSnapshots(pools: DatabasePools, expectedMigrations: string[], maxAgeMs = SNAPSHOT_MAX_AGE_MS): () => Promise<DatabaseSnapshot> {
  let latest: { startedAt: number; snapshot: Promise<DatabaseSnapshot> } | undefined;
  const read = async (): Promise<DatabaseSnapshot> => {
    // The pool gauges of the same scrape are read first: a query on an idle pool sits in its
    // queue until the next tick, and would otherwise be counted as a client waiting.
    await new Promise((resolve) => setImmediate(resolve));
    const readiness = await checkReadiness(pools, expectedMigrations);
    if (!readiness.ready) return { ready: false };
    try {
      const { rows } = await withTimeout(pools.owner.query<{ failed: number; oldest: number; pruned: number; live_oldest: number }>(LEDGER_SUMMARY), 'the ledger summary');
      const [row] = rows;
      return { ready: true, ledger: { failed: row.failed, oldestFailedSeconds: row.oldest, lastPruneSeconds: row.pruned, oldestLiveChangeSeconds: row.live_oldest } };
    } catch {
      return { ready: true };
    }
  };
  return () => {
    if (!latest || Date.now() - latest.startedAt >= maxAgeMs) latest = { startedAt: Date.now(), snapshot: read() };
    return latest.snapshot;
  };
}

/**
 * Registers the gauges. While the ledger cannot be read its gauges keep their last values (the
 * readiness gauge says why), so a database outage neither raises nor clears a failure alert.
 */
export function registerDatabaseGauges(registry: Registry, snapshot: () => Promise<DatabaseSnapshot>): void {
  new Gauge({
    name: 'clerk_pg_sync_ready',
    help: '1 when the database answers and holds every committed migration (what GET /readyz reports), else 0.',
    registers: [registry],
    async collect() {
      this.set((await snapshot()).ready ? 1 : 0);
    },
  });
  new Gauge({
    name: 'clerk_webhook_ledger_failed_events',
    help: 'Deliveries recorded failed in the ledger and not yet replayed successfully.',
    registers: [registry],
    async collect() {
      const { ledger } = await snapshot();
      if (ledger) this.set(ledger.failed);
    },
  });
  new Gauge({
    name: 'clerk_webhook_ledger_oldest_failed_timestamp_seconds',
    help: 'When the oldest delivery still recorded failed in the ledger was received (Unix time); 0 when there is none.',
    registers: [registry],
    async collect() {
      const { ledger } = await snapshot();
      if (ledger) this.set(ledger.oldestFailedSeconds);
    },
  });
  new Gauge({
    name: 'clerk_webhook_prune_last_success_timestamp_seconds',
    help: 'When ledger maintenance (creating partitions ahead, dropping expired ones) last completed, by any replica, the prune command or pg_cron (Unix time); 0 when it never has.',
    registers: [registry],
    async collect() {
      const { ledger } = await snapshot();
      if (ledger) this.set(ledger.lastPruneSeconds);
    },
  });
  new Gauge({
    name: 'clerk_live_oldest_queued_change_timestamp_seconds',
    help: 'When the oldest change notification still waiting for the relay was queued (Unix time); 0 when none waits. Minutes old: no process is relaying.',
    registers: [registry],
    async collect() {
      const { ledger } = await snapshot();
      if (ledger) this.set(ledger.oldestLiveChangeSeconds);
    },
  });
}
