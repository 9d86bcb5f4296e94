// Retention by partition, on a database of its own (it drops partitions): only whole expired
// months go, rows on the kept side of the cutoff stay, exactly-once holds for what is kept, and a
// message whose ledger row expired is applied again without bringing anything back.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { pruneLedger } from '../../../server/database/ledgerRetention.ts';
import { deliverAsWebhook, fixture, taggedId, uniqueTag } from '../../helpers/clerkEvents.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/scratchDatabase.ts';
import { newSvixId } from '../../helpers/webhooks.ts';

const DAY = 86_400_000;
let database: ScratchDatabase;
let root: pg.Pool;

/** Start of the UTC month `offset` months from now's. */
function month(offset: number): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
}

async function partitions() {
  const { rows } = await root.query('select partition_name, range_start, range_end, is_default from app_private.webhook_event_partitions()');
  return rows;
}

/** A delivery recorded as received at `receivedAt` (moved into that month's partition). */
async function deliverAt(payload: object, receivedAt: Date, svixId = newSvixId()) {
  const client = await root.connect();
  try {
    const result = await deliverAsWebhook(client, payload, svixId);
    await client.query('update app_private.webhook_events set received_at = $2, last_received_at = $2 where svix_id = $1', [svixId, receivedAt]);
    return result;
  } finally {
    client.release();
  }
}

async function ledgerCount(where = 'true', values: unknown[] = []): Promise<number> {
  return (await root.query(`select count(*)::int as n from app_private.webhook_events where ${where}`, values)).rows[0].n;
}

beforeAll(async () => {
  database = await createScratchDatabase('prune');
  root = new pg.Pool({ connectionString: database.rootUrl, max: 4 });
});
afterAll(async () => {
  await root.end();
  await database.drop();
});

describe('ledger partitions', () => {
  it('exist from this month to two months ahead, with a default partition for the rest', async () => {
    const names = (await partitions()).map((p) => p.partition_name);
    for (const offset of [0, 1, 2]) {
      const start = month(offset);
      expect(names).toContain(`webhook_events_${start.getUTCFullYear()}_${String(start.getUTCMonth() + 1).padStart(2, '0')}`);
    }
    expect((await partitions()).filter((p) => p.is_default).map((p) => p.partition_name)).toEqual(['webhook_events_default']);
  });

  it('a delivery lands in its month; one in a month without a partition is moved there when it is created', async () => {
    const tag = uniqueTag();
    const far = new Date(month(6).getTime() + 3 * DAY);
    const event = fixture('organization.created', tag);
    await deliverAt(event, far);
    const where = (await root.query(`select tableoid::regclass::text as partition from app_private.webhook_events where object_id = $1`, [event.data.id])).rows[0];
    expect(where.partition).toBe('app_private.webhook_events_default');

    // A retention long enough that this run drops nothing the tests below need.
    const { actions } = await pruneLedger(root, { retentionDays: 3650, now: far });
    const monthName = `webhook_events_${far.getUTCFullYear()}_${String(far.getUTCMonth() + 1).padStart(2, '0')}`;
    expect(actions.filter((a) => a.action === 'create').map((a) => a.partition_name)).toContain(monthName);
    const moved = (await root.query(`select tableoid::regclass::text as partition, payload from app_private.webhook_events where object_id = $1`, [event.data.id])).rows;
    expect(moved).toEqual([{ partition: `app_private.${monthName}`, payload: event }]);
  });
});

describe('pruning', () => {
  it('drops only whole partitions older than the retention, reading and deleting no row', async () => {
    const tag = uniqueTag();
    const thisMonth = month(0);
    const nextMonth = month(1);
    // Rows on both sides of the cutoff: this month (expired at the cutoff) and next month (kept).
    const old = [fixture('organization.created', tag), fixture('user.created', tag)];
    const kept = [fixture('organization.updated', tag), fixture('user.updated', tag)];
    const oldIds: string[] = [];
    for (const payload of old) oldIds.push((await deliverAt(payload, new Date(thisMonth.getTime() + DAY))).svix_id);
    const keptIds: string[] = [];
    for (const payload of kept) keptIds.push((await deliverAt(payload, new Date(nextMonth.getTime() + 2 * DAY))).svix_id);
    const before = await ledgerCount();

    // A second before this month's partition is entirely older than 90 days: nothing to drop.
    const justBefore = new Date(nextMonth.getTime() + 90 * DAY - 1000);
    const early = await pruneLedger(root, { retentionDays: 90, now: justBefore, dryRun: true });
    expect(early.actions.filter((a) => a.action === 'drop').map((a) => a.partition_name)).not.toContain(partitionName(thisMonth));

    const cutoffPassed = new Date(nextMonth.getTime() + 90 * DAY + 1000);
    const dry = await pruneLedger(root, { retentionDays: 90, now: cutoffPassed, dryRun: true });
    expect(dry.actions.filter((a) => a.action === 'drop').map((a) => a.partition_name)).toEqual([partitionName(thisMonth)]);
    expect(await ledgerCount()).toBe(before);
    expect((await partitions()).map((p) => p.partition_name)).toContain(partitionName(thisMonth));

    const pruned = await pruneLedger(root, { retentionDays: 90, now: cutoffPassed });
    expect(pruned.actions.filter((a) => a.action === 'drop').map((a) => a.partition_name)).toEqual([partitionName(thisMonth)]);
    expect((await partitions()).map((p) => p.partition_name)).not.toContain(partitionName(thisMonth));
    expect(await ledgerCount('svix_id = any($1)', [oldIds])).toBe(0);
    expect(await ledgerCount('svix_id = any($1)', [keptIds])).toBe(keptIds.length);
    // Nothing of the month kept was touched.
    expect(await ledgerCount(`received_at >= $1`, [nextMonth])).toBeGreaterThanOrEqual(keptIds.length);
    console.log(`prune of one month: ${pruned.durationMs.toFixed(1)} ms (catalog only)`);

    // Exactly-once still holds for what is kept.
    const client = await root.connect();
    try {
      expect(await deliverAsWebhook(client, kept[1], keptIds[1])).toMatchObject({ status: 'duplicate', original_status: 'processed' });
      // An expired message replayed (Svix can still send it, or a backfill): applied again, and
      // the versions make it stale: nothing older comes back.
      const userId = taggedId('user_2xtKOmOKFZcYQ8kBGzxhPlrgBJv', tag);
      const firstName = (await client.query('select first_name, clerk_updated_at from app_public.users where id = $1', [userId])).rows[0];
      expect(await deliverAsWebhook(client, old[1], oldIds[1])).toMatchObject({ status: 'stale' });
      expect((await client.query('select first_name, clerk_updated_at from app_public.users where id = $1', [userId])).rows[0]).toEqual(firstName);
    } finally {
      client.release();
    }
  });

  it('never resurrects a deleted user from an expired message', async () => {
    const tag = uniqueTag();
    // This month's partition went in the test above: next month's and the one after.
    const created = fixture('user.created', tag);
    const createdId = (await deliverAt(created, new Date(month(1).getTime() + 5 * DAY))).svix_id;
    const deletion = fixture('user.deleted', tag);
    deletion.timestamp = Date.now();
    await deliverAt(deletion, new Date(month(2).getTime() + DAY));
    await pruneLedger(root, { retentionDays: 90, now: new Date(month(2).getTime() + 91 * DAY) });
    expect(await ledgerCount('svix_id = $1', [createdId])).toBe(0);

    const client = await root.connect();
    try {
      const replay = await deliverAsWebhook(client, created, createdId);
      expect(['stale', 'processed']).toContain(replay.status);
      const { rows: [user] } = await client.query('select deleted_at, email, first_name from app_public.users where id = $1', [created.data.id]);
      expect(user).toMatchObject({ email: null, first_name: null, deleted_at: expect.any(Date) });
      // Stored as a delivery about a deleted user: erased.
      const { rows: [row] } = await client.query('select payload from app_private.webhook_events where svix_id = $1', [createdId]);
      expect(row.payload.data.email_addresses).toBeNull();
    } finally {
      client.release();
    }
  });

  it('records when a run completed and what it dropped; a dry run, a skipped run or a failed one records nothing', async () => {
    const recorded = async () => (await root.query('select last_success_at, partitions_dropped from app_private.ledger_maintenance')).rows;
    // The runs above recorded theirs: one row, counting the partitions they dropped.
    const [earlier] = await recorded();
    expect(earlier).toEqual({ last_success_at: expect.any(Date), partitions_dropped: expect.any(String) });
    expect(Number(earlier.partitions_dropped)).toBeGreaterThanOrEqual(2);

    await pruneLedger(root, { retentionDays: 90, dryRun: true, now: new Date(Date.now() + 400 * DAY) });
    const holder = await root.connect();
    try {
      await holder.query('begin');
      await holder.query(`select pg_advisory_xact_lock(hashtext('clerk-pg-sync: ledger maintenance'), 0)`);
      expect((await pruneLedger(root, { retentionDays: 90 })).actions.map((a) => a.action)).toEqual(['skipped']);
    } finally {
      await holder.query('rollback');
      holder.release();
    }
    await expect(root.query(`select * from app_private.prune_webhook_events(interval '1 hour')`)).rejects.toMatchObject({ code: '22023' });
    expect(await recorded()).toEqual([earlier]);

    // A run with nothing to drop still completed: its time is recorded, the count unchanged.
    const startedAt = new Date();
    const { actions } = await pruneLedger(root, { retentionDays: 90 });
    expect(actions.filter((a) => a.action === 'drop')).toEqual([]);
    const [latest] = await recorded();
    expect(latest.partitions_dropped).toBe(earlier.partitions_dropped);
    expect(latest.last_success_at.getTime()).toBeGreaterThanOrEqual(startedAt.getTime() - 1000);
    expect(latest.last_success_at.getTime()).toBeGreaterThan(earlier.last_success_at.getTime());
  });

  it('lets one run through at a time, refuses a retention under a day, and waits briefly for locks', async () => {
    const holder = await root.connect();
    try {
      await holder.query('begin');
      await holder.query(`select pg_advisory_xact_lock(hashtext('clerk-pg-sync: ledger maintenance'), 0)`);
      const { actions } = await pruneLedger(root, { retentionDays: 90 });
      expect(actions).toEqual([{ action: 'skipped', partition_name: null, range_start: null, range_end: null, estimated_rows: null }]);
    } finally {
      await holder.query('rollback');
      holder.release();
    }
    await expect(root.query(`select * from app_private.prune_webhook_events(interval '1 hour')`)).rejects.toMatchObject({ code: '22023' });
  });
});

function partitionName(start: Date): string {
  return `webhook_events_${start.getUTCFullYear()}_${String(start.getUTCMonth() + 1).padStart(2, '0')}`;
}
