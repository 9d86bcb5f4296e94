// The server's ledger maintenance on a database of its own: the scheduled run recreates a missing
// partition, replicas running it at once do it once, and 0 turns it off.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { pruneLedger, scheduleLedgerMaintenance, type LedgerMaintenanceRun } from '../../../server/database/ledgerRetention.ts';
import type { Logger } from '../../../server/logger.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/scratchDatabase.ts';

let database: ScratchDatabase;
let owner: pg.Pool;

function recordingLogger() {
  const lines: Array<{ level: string; message: string; fields?: unknown }> = [];
  const at = (level: string) => (fieldsOrMessage: unknown, message?: string) =>
    lines.push(typeof fieldsOrMessage === 'string' ? { level, message: fieldsOrMessage } : { level, message: message ?? '', fields: fieldsOrMessage });
  return { lines, logger: { info: at('info'), warn: at('warn'), debug: at('debug'), error: at('error') } as unknown as Logger };
}

const nextMonthPartition = () => {
  const now = new Date();
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 1));
  return `webhook_events_${next.getUTCFullYear()}_${String(next.getUTCMonth() + 1).padStart(2, '0')}`;
};

async function partitionNames(): Promise<string[]> {
  return (await owner.query('select partition_name from app_private.webhook_event_partitions()')).rows.map((row) => row.partition_name);
}

async function until(condition: () => boolean | Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  database = await createScratchDatabase('ledger_maintenance');
  owner = new pg.Pool({ connectionString: database.ownerUrl, max: 4 });
});
afterAll(async () => {
  await owner.end();
  await database.drop();
});

describe('scheduled ledger maintenance', () => {
  it('creates the partitions ahead that are missing, once even when replicas run together', async () => {
    const missing = nextMonthPartition();
    await owner.query(`drop table app_private.${missing}`);
    expect(await partitionNames()).not.toContain(missing);

    const replicas = [recordingLogger(), recordingLogger(), recordingLogger()];
    const runs: LedgerMaintenanceRun[] = [];
    const jobs = replicas.map(({ logger }) =>
      scheduleLedgerMaintenance({ pool: owner, retentionDays: 90, intervalHours: 24, logger, firstRunDelayMs: 0, onRun: (run) => runs.push(run) }));
    try {
      await until(() => replicas.every(({ lines }) => lines.length > 0) && runs.length === replicas.length);
    } finally {
      for (const job of jobs) job.stop();
    }
    // Each replica reports its run: done (one created the partition, any later one found nothing
    // to do) or skipped (another held the lock meanwhile); none dropped anything.
    expect(runs.filter((run) => run.result === 'done').length).toBeGreaterThanOrEqual(1);
    for (const run of runs) expect(run).toEqual({ result: expect.stringMatching(/^(done|skipped)$/), dropped: 0 });
    expect(await partitionNames()).toContain(missing);
    const created = replicas.flatMap(({ lines }) => lines.filter((line) => line.message === 'ledger maintenance done').flatMap((line) => (line.fields as { created: string[] }).created));
    expect(created).toEqual([missing]);
    for (const { lines } of replicas) expect(lines.filter((line) => line.level === 'warn')).toEqual([]);
  });

  it('is off at 0, and a failed run is logged, not thrown', async () => {
    const off = recordingLogger();
    scheduleLedgerMaintenance({ pool: owner, retentionDays: 90, intervalHours: 0, logger: off.logger, firstRunDelayMs: 0 }).stop();
    expect(off.lines).toEqual([{ level: 'info', message: expect.stringMatching(/^ledger maintenance is off/) }]);

    const broken = new pg.Pool({ connectionString: database.ownerUrl.replace(/\/[^/]*$/, '/no_such_database'), max: 1 });
    broken.on('error', () => undefined);
    const failing = recordingLogger();
    const runs: LedgerMaintenanceRun[] = [];
    const job = scheduleLedgerMaintenance({ pool: broken, retentionDays: 90, intervalHours: 24, logger: failing.logger, firstRunDelayMs: 0, onRun: (run) => runs.push(run) });
    try {
      await until(() => failing.lines.length > 0 && runs.length > 0);
    } finally {
      job.stop();
      await broken.end();
    }
    expect(failing.lines[0]).toMatchObject({ level: 'warn', message: expect.stringMatching(/ledger maintenance failed/) });
    expect(runs).toEqual([{ result: 'failed', dropped: 0 }]);
  });

  it('reports the partitions it would drop on a dry run, and changes nothing', async () => {
    const before = await partitionNames();
    const later = new Date(Date.now() + 400 * 86_400_000);
    const { actions } = await pruneLedger(owner, { retentionDays: 90, dryRun: true, now: later });
    expect(actions.filter((action) => action.action === 'drop').length).toBeGreaterThanOrEqual(3);
    expect(await partitionNames()).toEqual(before);
  });

  it("is not cut short by the owner pool's statement timeout, which is for the probes", async () => {
    // The server's owner pool cancels statements after 2 s; one of 1 ms cancels any real run.
    const hurried = new pg.Pool({ connectionString: database.ownerUrl, max: 1, statement_timeout: 1 });
    try {
      await expect(hurried.query(`select count(*) from app_private.webhook_event_partitions(), pg_sleep(0.01)`)).rejects.toMatchObject({ code: '57014' });
      const { actions } = await pruneLedger(hurried, { retentionDays: 90, now: new Date(Date.now() + 400 * 86_400_000) });
      expect(actions.filter((action) => action.action === 'drop').length).toBeGreaterThanOrEqual(3);
    } finally {
      await hurried.end();
    }
  });
});
