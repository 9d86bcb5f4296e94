// The large-ledger figure of `npm run bench -- scale`: ingest over HTTP and handle_clerk_event
// under pgbench with the ledger empty and with --ledger-rows rows (default 10,000,000) in the four
// whole months before this one, the most a ledger kept 90 days holds; then the prune of one month,
// timed.
//
// Both states are measured in every round, in turns, like every other ratio of the benchmarks:
// the generated months are real partitions of app_private.webhook_events, with the product's
// indexes, detached for the empty state and attached again for the full one. Each carries a CHECK
// constraint on its range, so attaching skips the validating scan and both switches touch the
// catalog only. The rows are written into the detached tables (unlogged) and indexed once
// afterwards (a bulk build instead of 10M index insertions).
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { statfsSync } from 'node:fs';
import { pruneLedger } from '../server/database/ledgerRetention.ts';
import { userEvent } from '../support/clerkDeliveries.ts';
import { freePort } from '../support/ports.ts';
import { measureDbWorkloads, type DbFigures } from './db.ts';
import type { BenchDatabase } from './lib/database.ts';
import type { LoadResult } from './lib/loadWorker.ts';
import type { BenchOptions } from './lib/options.ts';
import { productSecrets, startProduct } from './lib/product.ts';
import { runLoad } from './lib/processes.ts';
import { machineLoad, median } from './lib/report.ts';

const WEBHOOK_PATH = '/api/webhooks/clerk';
const MONTHS = 4;
/** Rows per insert statement while generating (one transaction each). */
const BATCH = 500_000;
/** Distinct users the generated deliveries are about. */
const GENERATED_USERS = 200_000;
const TIME_SENTINEL = 1111111111111;

export type LedgerState = 'empty' | 'full';

export interface LedgerRound {
  state: LedgerState;
  db: DbFigures[];
  ingest: LoadResult;
}

export interface LedgerFigures {
  rows: number;
  generatedSeconds: number;
  /** Heap, TOAST and indexes of the generated partitions. */
  size: string;
  rounds: LedgerRound[];
  /** EXPLAIN ANALYZE of the claim's look-up of a new svix-id, in each state. */
  claimPlans: Record<LedgerState, string>;
  pruneMs: number;
  prunedPartition: string;
  prunedRows: number;
  load: { start: string; end: string };
}

interface Partition {
  name: string;
  start: string;
  end: string;
  rows: number;
}

/** Disk the generated rows take, about (heap ~2 KB a row, indexes ~0.3 KB), checked before generating. */
const BYTES_PER_ROW = 2400;

function checkDiskSpace(dataDir: string, rows: number): void {
  const { bavail, bsize } = statfsSync(dataDir);
  const free = bavail * bsize;
  const needed = rows * BYTES_PER_ROW;
  // Half the free space at most: the machine is shared, and the cluster writes WAL and temp files too.
  if (needed > free / 2) {
    const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
    throw new Error(`--ledger-rows ${rows} needs about ${gib(needed)} in ${dataDir}, more than half of the ${gib(free)} free: use fewer rows`);
  }
}

/** The product's ledger DDL runs as its owner, as `npm run webhooks -- prune` does. */
async function ownerClient(database: BenchDatabase): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: database.ownerUrl });
  await client.connect();
  return client;
}

/**
 * A user.updated delivery of Clerk's shape at the small end of real ones (about 1.9 KB: one email
 * address, no phone or OAuth account); ids, names and times vary per row. Its size matters little
 * to the figure: the write path reads only the partitions' primary keys.
 */
function generatedDelivery() {
  const event = userEvent('user.updated', { key: 'GENKEY', createdAt: Date.UTC(2025, 5, 1), updatedAt: TIME_SENTINEL });
  const data = event.data as Record<string, unknown>;
  data.email_addresses = (data.email_addresses as unknown[]).slice(-1);
  data.phone_numbers = [];
  data.external_accounts = [];
  data.primary_phone_number_id = null;
  return event;
}

/**
 * Creates the four months' partitions with the product's own function, detaches them and
 * strips their indexes, fills them, then builds the primary keys and lets ATTACH build the
 * ledger's other indexes. Leaves them attached.
 */
async function generateLedger(database: BenchDatabase, owner: pg.Client, rows: number, log: (line: string) => void): Promise<Partition[]> {
  const { rows: created } = await owner.query<{ partition_name: string; range_start: Date; range_end: Date }>(
    `select partition_name, range_start, range_end
       from app_private.create_webhook_event_partitions($1, date_trunc('month', now() at time zone 'UTC') at time zone 'UTC' - make_interval(months => $2))`,
    [MONTHS - 1, MONTHS],
  );
  if (created.length !== MONTHS) throw new Error(`expected ${MONTHS} new partitions for the generated months, got ${created.map((p) => p.partition_name).join(', ') || 'none'}`);
  const total = created.reduce((sum, p) => sum + (p.range_end.getTime() - p.range_start.getTime()), 0);
  let assigned = 0;
  const partitions = created.map((p, index) => {
    const share = index === created.length - 1 ? rows - assigned : Math.round((rows * (p.range_end.getTime() - p.range_start.getTime())) / total);
    assigned += share;
    return { name: p.partition_name, start: p.range_start.toISOString(), end: p.range_end.toISOString(), rows: share };
  });

  for (const partition of partitions) {
    const table = `app_private.${partition.name}`;
    await owner.query(`alter table app_private.webhook_events detach partition ${table}`);
    const { rows: indexes } = await owner.query<{ name: string; constraint: boolean }>(
      `select i.indexrelid::regclass::text as name, exists (select from pg_constraint c where c.conindid = i.indexrelid) as constraint
         from pg_index i where i.indrelid = $1::regclass`,
      [table],
    );
    for (const index of indexes) {
      if (index.constraint) await owner.query(`alter table ${table} drop constraint ${index.name.replace(/^app_private\./, '')}`);
      else await owner.query(`drop index ${index.name}`);
    }
    // Unlogged: generating writes no WAL. Its rows are never written again and the write path
    // reads only its primary key, which reads the same either way.
    await owner.query(`alter table ${table} set unlogged`);
    await owner.query(`alter table ${table} set (autovacuum_enabled = false)`);
    await owner.query(`alter table ${table} add constraint ${partition.name}_range check (received_at >= '${partition.start}' and received_at < '${partition.end}')`);
  }

  const template = JSON.stringify(generatedDelivery());
  const offsets = partitions.map((_, index) => partitions.slice(0, index).reduce((sum, p) => sum + p.rows, 0));
  const fill = async (client: pg.Client, index: number) => {
    const partition = partitions[index];
    const table = `app_private.${partition.name}`;
    const filling = performance.now();
    for (let from = 0; from < partition.rows; from += BATCH) {
      const to = Math.min(partition.rows, from + BATCH);
      // In received order; a svix-id like Svix's (msg_ and a time-ordered KSUID-length tail).
      await client.query(
        `insert into ${table} (svix_id, event_type, object_id, payload, source, outcome, occurred_at, received_at, last_received_at, processed_at)
         select 'msg_2' || lpad((${offsets[index]} + j)::text, 10, '0') || substr(md5(j::text || '${partition.name}'), 1, 16),
                'user.updated', 'user_g' || u,
                replace(replace($1, 'GENKEY', 'g' || u), '${TIME_SENTINEL}', (extract(epoch from t) * 1000)::bigint::text)::jsonb,
                'webhook', 'processed', t, t, t, t
           from generate_series($2::bigint, $3::bigint - 1) as j,
                lateral (select (j * 7919) % ${GENERATED_USERS} as u,
                                $4::timestamptz + (j::double precision / $5) * ($6::timestamptz - $4::timestamptz) as t) as v`,
        [template, from, to, partition.start, partition.rows, partition.end],
      );
      log(`  ${partition.name}: ${to.toLocaleString('en')} / ${partition.rows.toLocaleString('en')} rows (${((performance.now() - filling) / 1000).toFixed(0)} s)`);
    }
    const indexing = performance.now();
    await client.query(`alter table ${table} add constraint ${partition.name}_pkey primary key (svix_id)`);
    await client.query(`alter table app_private.webhook_events attach partition ${table} for values from ('${partition.start}') to ('${partition.end}')`);
    // Statistics now; autovacuum is off for these tables, so it never runs during a measurement.
    await client.query(`analyze ${table}`);
    log(`  ${partition.name}: indexed, attached and analyzed in ${((performance.now() - indexing) / 1000).toFixed(0)} s`);
  };
  // Two sessions, two months each: generating is CPU-bound and the machine has two cores.
  const second = await ownerClient(database);
  try {
    await Promise.all([
      (async () => { for (let index = 0; index < partitions.length; index += 2) await fill(owner, index); })(),
      (async () => { for (let index = 1; index < partitions.length; index += 2) await fill(second, index); })(),
    ]);
  } finally {
    await second.end();
  }
  return partitions;
}

async function setState(owner: pg.Client, partitions: Partition[], state: LedgerState): Promise<void> {
  for (const partition of partitions) {
    const { rows } = await owner.query(`select from pg_inherits where inhrelid = $1::regclass`, [`app_private.${partition.name}`]);
    const attached = rows.length > 0;
    if (state === 'full' && !attached) {
      await owner.query(`alter table app_private.webhook_events attach partition app_private.${partition.name} for values from ('${partition.start}') to ('${partition.end}')`);
    } else if (state === 'empty' && attached) {
      await owner.query(`alter table app_private.webhook_events detach partition app_private.${partition.name}`);
    }
  }
}

/** What the runs write is removed before each; the generated partitions are neither emptied nor vacuumed. */
async function cleanupStatements(database: BenchDatabase, partitions: Partition[]): Promise<{ cleanup: string[]; vacuum: string }> {
  const { rows: [current] } = await database.sql<{ name: string }>(
    `select partition_name as name from app_private.webhook_event_partitions() where not is_default and range_start <= now() and now() < range_end`,
  );
  const generated = partitions.map((partition) => partition.name);
  const { rows } = await database.sql<{ name: string }>(
    `select format('%I.%I', n.nspname, c.relname) as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname in ('app_public', 'app_private', 'bench') and c.relkind = 'r' and not (c.relname = any($1)) order by 1`,
    [generated],
  );
  return {
    cleanup: [
      `truncate app_private.${current.name}, app_private.webhook_events_default, app_private.private_metadata`,
      `delete from app_public.audit_logs where svix_id not like 'msg\\_s%'`,
    ],
    vacuum: `vacuum analyze ${rows.map((row) => row.name).join(', ')}`,
  };
}

/** Signed user.created deliveries over HTTP to a fresh `node server/main.ts`. */
async function measureIngest(database: BenchDatabase, options: BenchOptions, cleanup: { cleanup: string[]; vacuum: string }, tag: string): Promise<LoadResult> {
  for (const statement of cleanup.cleanup) await database.sql(statement);
  await database.sql(cleanup.vacuum);
  await database.sql('checkpoint');
  const secrets = productSecrets();
  const server = await startProduct(database, secrets, await freePort(), `ledger-ingest-${tag}`);
  try {
    const result = await runLoad({
      url: server.url,
      path: WEBHOOK_PATH,
      connections: options.connections,
      warmupSeconds: options.warmupSeconds,
      durationSeconds: options.durationSeconds,
      webhook: { secret: secrets.webhookSecret, keyPrefix: `l${tag}${randomBytes(3).toString('hex')}x` },
    });
    if (result.non2xx || result.errors) throw new Error(`ingest (${tag}): ${result.non2xx} non-2xx and ${result.errors} errors under load`);
    return result;
  } finally {
    await server.stop();
  }
}

/** How the claim finds (or not) an earlier delivery: one primary-key probe per partition. */
async function claimPlan(database: BenchDatabase): Promise<string> {
  const { rows } = await database.sql<{ 'QUERY PLAN': string }>(
    `explain (analyze, buffers, costs off) select * from app_private.webhook_events where svix_id = 'msg_2never_delivered_before'`,
  );
  return rows.map((row) => row['QUERY PLAN']).join('\n');
}

export async function measureLargeLedger(database: BenchDatabase, options: BenchOptions, log: (line: string) => void): Promise<LedgerFigures> {
  const rows = options.ledgerRows;
  const owner = await ownerClient(database);
  try {
    checkDiskSpace(database.dataDir, rows);
    const loadAtStart = machineLoad();
    await owner.query('truncate app_private.webhook_events');
    log(`ledger: generating ${rows.toLocaleString('en')} rows in the ${MONTHS} months before this one …`);
    const started = performance.now();
    const partitions = await generateLedger(database, owner, rows, log);
    const generatedSeconds = (performance.now() - started) / 1000;
    const { rows: [size] } = await database.sql<{ size: string }>(
      `select pg_size_pretty(sum(pg_total_relation_size(('app_private.' || name)::regclass))) as size from unnest($1::text[]) as name`,
      [partitions.map((partition) => partition.name)],
    );
    log(`ledger: ${size.size} generated in ${generatedSeconds.toFixed(0)} s`);
    const cleanup = await cleanupStatements(database, partitions);

    const claimPlans = {} as Record<LedgerState, string>;
    const rounds: LedgerRound[] = [];
    for (let round = 0; round < options.rounds; round++) {
      for (const state of (round % 2 ? ['full', 'empty'] : ['empty', 'full']) as LedgerState[]) {
        await setState(owner, partitions, state);
        claimPlans[state] ??= await claimPlan(database);
        const label = state === 'empty' ? 'empty ledger' : `${rows.toLocaleString('en')} rows`;
        const db = await measureDbWorkloads(database, { ...options, rounds: 1 }, cleanup.cleanup, 5000 + rounds.length * 100, cleanup.vacuum);
        const ingest = await measureIngest(database, options, cleanup, `${round}${state}`);
        log(`  ledger round ${round + 1}/${options.rounds}, ${label}: ingest ${ingest.requestsPerSecond.toFixed(0)} events/s (p99 ${ingest.p99} ms), ` +
          db.map((figure) => `${figure.workload} ${figure.product.tps.toFixed(0)} tps`).join(', '));
        rounds.push({ state, db, ingest });
      }
    }

    await setState(owner, partitions, 'full');
    const oldest = partitions[0];
    const { rows: [estimate] } = await database.sql<{ estimated_rows: string }>(
      `select estimated_rows from app_private.webhook_event_partitions() where partition_name = $1`,
      [oldest.name],
    );
    // As of one second after the oldest month became older than the 90-day retention: it alone goes.
    const pruned = await pruneLedger(owner, { retentionDays: 90, now: new Date(new Date(oldest.end).getTime() + 90 * 86_400_000 + 1000) });
    const dropped = pruned.actions.filter((action) => action.action === 'drop').map((action) => action.partition_name);
    if (dropped.length !== 1 || dropped[0] !== oldest.name) throw new Error(`the prune dropped ${dropped.join(', ') || 'nothing'}, not ${oldest.name}`);
    return {
      rows,
      generatedSeconds,
      size: size.size,
      rounds,
      claimPlans,
      pruneMs: pruned.durationMs,
      prunedPartition: oldest.name,
      prunedRows: Number(estimate.estimated_rows),
      load: { start: loadAtStart, end: machineLoad() },
    };
  } finally {
    await owner.end();
  }
}

/** Median over the rounds of the per-round ratio empty ÷ full of `value` (rounds pair up in order). */
export function ledgerSlowdown(rounds: LedgerRound[], value: (round: LedgerRound) => number): number {
  const empty = rounds.filter((round) => round.state === 'empty').map(value);
  const full = rounds.filter((round) => round.state === 'full').map(value);
  return median(empty.map((e, index) => e / full[index]));
}

export function ledgerMedian(rounds: LedgerRound[], state: LedgerState, value: (round: LedgerRound) => number): number {
  return median(rounds.filter((round) => round.state === state).map(value));
}
