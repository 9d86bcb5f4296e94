// Liveness and readiness for orchestrators: /healthz says the process runs, /readyz that the
// database answers and holds every committed migration.
import { Router } from 'express';
import type { DatabasePools } from './database/pools.ts';
import { pendingMigrationReason } from './database/migrations.ts';

const PROBE_TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function healthRouter(pools: DatabasePools, expectedMigrations: string[]): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await withTimeout(pools.webhook.query('select 1'), 'the database');
      const pending = await withTimeout(pendingMigrationReason(pools.owner, expectedMigrations), 'the migration check');
      if (pending) {
        res.status(503).json({ status: 'unavailable', reason: pending });
        return;
      }
      res.json({ status: 'ready' });
    } catch (error) {
      res.status(503).json({ status: 'unavailable', reason: `database unreachable: ${(error as Error).message}` });
    }
  });
  return router;
}
