// Ledger retention: app_private.prune_webhook_events creates the coming months' partitions and
// drops those older than the payload retention. One door for `npm run webhooks -- prune` and for
// the server's schedule; the function itself lets one run at a time through (advisory lock).
import pg from 'pg';
import type { Logger } from '../logger.ts';

export interface PruneAction {
  action: 'create' | 'drop' | 'skipped';
  partition_name: string | null;
  range_start: Date | null;
  range_end: Date | null;
  estimated_rows: number | null;
}

export interface PruneResult {
  actions: PruneAction[];
  durationMs: number;
}

export interface PruneOptions {
  retentionDays: number;
  dryRun?: boolean;
  /** Decide as of this time (tests); now by default. */
  now?: Date;
}

/** One maintenance run in its own transaction, on a connection of the owner. */
export async function pruneLedger(db: pg.Pool | pg.ClientBase, options: PruneOptions): Promise<PruneResult> {
  const pooled = db instanceof pg.Pool;
  const client = pooled ? await db.connect() : db;
  const started = performance.now();
  try {
    await client.query('begin');
    // The server's owner pool cancels statements after 2 s (it serves the probes); a prune that
    // moves rows out of the default partition, or drops a large month, may take longer. Its own
    // lock_timeout still keeps it from holding deliveries up.
    await client.query(`set local statement_timeout = '15min'`);
    const { rows } = await client.query<PruneAction & { estimated_rows: string | null }>(
      `select action, partition_name, range_start, range_end, estimated_rows
         from app_private.prune_webhook_events(make_interval(days => $1), $2, p_now => coalesce($3::timestamptz, now()))`,
      [options.retentionDays, Boolean(options.dryRun), options.now ?? null],
    );
    await client.query('commit');
    return {
      // The partition that took over an unpartitioned ledger starts at -infinity (not a Date).
      actions: rows.map((row) => ({
        ...row,
        range_start: row.range_start instanceof Date ? row.range_start : null,
        range_end: row.range_end instanceof Date ? row.range_end : null,
        estimated_rows: row.estimated_rows === null ? null : Number(row.estimated_rows),
      })),
      durationMs: performance.now() - started,
    };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    if (pooled) (client as pg.PoolClient).release();
  }
}

export interface LedgerMaintenance {
  stop(): void;
}

/** How one scheduled run ended: done (the function completed), skipped (another run held the lock) or failed. */
export interface LedgerMaintenanceRun {
  result: 'done' | 'skipped' | 'failed';
  /** Partitions it dropped. */
  dropped: number;
}

/**
 * Runs pruneLedger shortly after start and then every `intervalHours` (0: never, for deployments
 * that use pg_cron or pg_partman instead). Every replica may run it: the advisory lock in the
 * function lets one through and the others skip. A failed run (a lock not granted within its
 * lock_timeout, the database away) is logged and tried again at the next interval.
 */
export function scheduleLedgerMaintenance(options: {
  pool: pg.Pool;
  retentionDays: number;
  intervalHours: number;
  logger: Logger;
  firstRunDelayMs?: number;
  /** Told how each run ended (the metrics count them). */
  onRun?: (run: LedgerMaintenanceRun) => void;
}): LedgerMaintenance {
  const { pool, retentionDays, intervalHours, logger } = options;
  const report = (run: LedgerMaintenanceRun) => {
    try {
      options.onRun?.(run);
    } catch {
      // A listener's failure is not the maintenance's.
    }
  };
  if (intervalHours <= 0) {
    logger.info('ledger maintenance is off (WEBHOOK_PRUNE_INTERVAL_HOURS=0): partitions must be created and dropped by other means');
    return { stop: () => undefined };
  }
  let stopped = false;
  let running: Promise<void> | undefined;
  const run = async () => {
    try {
      const { actions, durationMs } = await pruneLedger(pool, { retentionDays });
      const done = actions.filter((action) => action.action !== 'skipped');
      if (actions.some((action) => action.action === 'skipped')) {
        logger.debug('ledger maintenance skipped: another run holds the lock');
        report({ result: 'skipped', dropped: 0 });
      } else {
        const dropped = done.filter((a) => a.action === 'drop').map((a) => a.partition_name);
        logger.info(
          { created: done.filter((a) => a.action === 'create').map((a) => a.partition_name), dropped, durationMs: Math.round(durationMs) },
          'ledger maintenance done',
        );
        report({ result: 'done', dropped: dropped.length });
      }
    } catch (error) {
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'ledger maintenance failed; it runs again at the next interval');
      report({ result: 'failed', dropped: 0 });
    }
  };
  const tick = () => {
    if (stopped || running) return;
    running = run().finally(() => (running = undefined));
  };
  const first = setTimeout(tick, options.firstRunDelayMs ?? 10_000);
  const every = setInterval(tick, intervalHours * 3_600_000);
  first.unref();
  every.unref();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(first);
      clearInterval(every);
    },
  };
}
