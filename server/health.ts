// Liveness and readiness for orchestrators: /healthz says the process runs, /readyz that the
// database answers and holds every committed migration. The same readiness check feeds the
// clerk_pg_sync_ready gauge on /metrics (server/observability/databaseGauges.ts).
import { Router } from 'express';
import type { DatabasePools } from './database/pools.ts';
import { pendingMigrationReason } from './database/migrations.ts';

export const PROBE_TIMEOUT_MS = 2000;

export function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export type Readiness = { ready: true } | { ready: false; reason: string };

/** Whether the database answers and holds every committed migration; never throws. */
export async function checkReadiness(pools: DatabasePools, expectedMigrations: string[]): Promise<Readiness> {
  try {
    await withTimeout(pools.webhook.query('select 1'), 'the database');
    const pending = await withTimeout(pendingMigrationReason(pools.owner, expectedMigrations), 'the migration check');
    return pending ? { ready: false, reason: pending } : { ready: true };
  } catch (error) {
    return { ready: false, reason: `database unreachable: ${(error as Error).message}` };
  }
}

export function healthRouter(pools: DatabasePools, expectedMigrations: string[]): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const readiness = await checkReadiness(pools, expectedMigrations);
    if (readiness.ready) {
      res.json({ status: 'ready' });
      return;
    }
    res.status(503).json({ status: 'unavailable', reason: readiness.reason });
  });
  return router;
}
