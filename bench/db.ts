// `npm run bench -- db`: pgbench calling app_private.handle_clerk_event with realistic user
// deliveries vs bench.bare_ingest (one upsert + one audit insert) and (a+)
// bench.bare_ingest_with_ledger (the same plus a ledger-shaped insert of the payload) on the same
// payloads, with the WAL each transaction writes.
import { userEvent } from '../support/clerkDeliveries.ts';
import { installBaselines, startBenchDatabase, type BenchDatabase } from './lib/database.ts';
import { medianOf, runPgbench, type PgbenchResult } from './lib/pgbench.ts';
import { type Cell, machineLoad, median, pairedRatio, printTable, verdict, VERDICT_HEADER } from './lib/report.ts';
import type { BenchOptions } from './lib/options.ts';

/** As many sessions as the server's webhook pool holds. */
export const DB_CLIENTS = 10;
/** Users each pgbench client keeps updating in the update workload. */
const USERS_PER_CLIENT = 200;
const TIME_SENTINEL = 1111111111111;
const CREATED_AT = Date.UTC(2025, 5, 1);

const FUNCTIONS = {
  product: 'app_private.handle_clerk_event',
  bare: 'bench.bare_ingest',
  floor: 'bench.bare_ingest_with_ledger',
} as const;
const SIDES = Object.keys(FUNCTIONS) as Side[];
type Side = keyof typeof FUNCTIONS;

const sqlLiteral = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** A Clerk delivery as SQL text, with pgbench variables in place of its key, time and name. */
function template(type: 'user.created' | 'user.updated', key: string): string {
  const json = JSON.stringify(userEvent(type, { key, createdAt: CREATED_AT, updatedAt: TIME_SENTINEL, firstName: 'FIRSTNAME' }));
  // The space keeps pgbench from reading `"key"::ts` as a cast.
  return json.replaceAll(String(TIME_SENTINEL), ' :ts').replace('FIRSTNAME', 'Shift :i');
}

interface Workload {
  name: string;
  about: string;
  /** Runs before each pgbench run, as the superuser, for the objects of that run. */
  seed?: (database: BenchDatabase, side: Side, run: number) => Promise<void>;
  script: (side: Side) => string;
}

const WORKLOADS: Workload[] = [
  {
    name: 'create',
    about: 'user.created, a new user and svix-id per transaction',
    script: (side) =>
      [
        '\\set i :i + 1',
        '\\set k :run * 10000000000 + :client_id * 100000000 + :i',
        `\\set ts ${CREATED_AT} + :i`,
        `select ${FUNCTIONS[side]}(${sqlLiteral(template('user.created', 'bench:k'))}::jsonb, 'msg_bench:k');`,
      ].join('\n'),
  },
  {
    name: 'update',
    about: `user.updated of ${USERS_PER_CLIENT * DB_CLIENTS} existing users, newer each time, name changed`,
    seed: async (database, side, run) => {
      const seed = template('user.created', 'u:uk').replace('Shift :i', 'Seed');
      await database.sql(
        `select ${FUNCTIONS[side]}(replace(replace($1, ':uk', ($2::bigint * 100000000 + c * 1000000 + m)::text), ':ts', $3)::jsonb,
                'msg_seed_' || ($2::bigint * 100000000 + c * 1000000 + m))
           from generate_series(0, $4 - 1) c, generate_series(0, $5 - 1) m`,
        [seed, run, String(CREATED_AT), DB_CLIENTS, USERS_PER_CLIENT],
      );
    },
    script: (side) =>
      [
        '\\set i :i + 1',
        `\\set uk :run * 100000000 + :client_id * 1000000 + :i % ${USERS_PER_CLIENT}`,
        `\\set ts ${CREATED_AT + 1000} + :i`,
        '\\set k :run * 10000000000 + :client_id * 100000000 + :i',
        `select ${FUNCTIONS[side]}(${sqlLiteral(template('user.updated', 'u:uk'))}::jsonb, 'msg_upd:k');`,
      ].join('\n'),
  },
];

export interface DbFigures {
  workload: string;
  about: string;
  product: PgbenchResult;
  bare: PgbenchResult;
  floor: PgbenchResult;
  /** Median of the per-round ratios product tps ÷ bare tps. */
  ratio: number;
  /** Median of the per-round ratios product tps ÷ (a+) tps. */
  floorRatio: number;
  /** WAL bytes per transaction (median of the rounds). */
  walPerEvent: Record<Side, number>;
}

/** Bytes of WAL written since `from` (an LSN), as the server counts them. */
export async function walSince(database: BenchDatabase, from: string): Promise<number> {
  const { rows } = await database.sql<{ bytes: string }>('select pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::bigint as bytes', [from]);
  return Number(rows[0].bytes);
}

export async function currentWalLsn(database: BenchDatabase): Promise<string> {
  return (await database.sql<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn')).rows[0].lsn;
}

/** Empties what the runs write, so every run starts from the same tables. */
async function clearWrites(database: BenchDatabase, productCleanup: string[], vacuum: string): Promise<void> {
  await database.sql(`truncate bench.users, bench.audit_logs, bench.webhook_events, bench.ledger restart identity`);
  for (const statement of productCleanup) await database.sql(statement);
  await database.sql(vacuum);
  await database.sql('checkpoint');
}

/**
 * Measures every workload on both sides, interleaved per round. `productCleanup` runs before each
 * run (the scale benchmark's keeps its generated rows); `vacuum` after it (the large-ledger figure
 * leaves out the generated partitions, which no run writes).
 */
export async function measureDbWorkloads(
  database: BenchDatabase,
  options: BenchOptions,
  productCleanup: string[],
  runBase = 0,
  vacuum = 'vacuum analyze',
): Promise<DbFigures[]> {
  const figures: DbFigures[] = [];
  let run = runBase;
  for (const workload of WORKLOADS) {
    const results: Record<Side, PgbenchResult[]> = { product: [], bare: [], floor: [] };
    const wal: Record<Side, number[]> = { product: [], bare: [], floor: [] };
    for (let round = 0; round < options.rounds; round++) {
      const sides = SIDES.map((_, index) => SIDES[(index + round) % SIDES.length]);
      for (const side of sides) {
        await clearWrites(database, productCleanup, vacuum);
        // Every pgbench run (warm-up included) works on objects of its own, so none is stale.
        const pgbench = async (seconds: number) => {
          run++;
          await workload.seed?.(database, side, run);
          return runPgbench({
            url: database.authUrl,
            role: 'clerk_webhook',
            script: workload.script(side),
            clients: DB_CLIENTS,
            seconds,
            variables: { i: 0, run },
          });
        };
        if (options.warmupSeconds > 0) await pgbench(options.warmupSeconds);
        const lsn = await currentWalLsn(database);
        const result = await pgbench(options.durationSeconds);
        const walPerEvent = (await walSince(database, lsn)) / Math.max(1, result.transactions);
        console.log(
          `  ${workload.name} round ${round + 1}/${options.rounds}: ${side} ${result.tps.toFixed(0)} tps, p99 ${result.p99.toFixed(1)} ms, ${walPerEvent.toFixed(0)} B WAL/event`,
        );
        results[side].push(result);
        wal[side].push(walPerEvent);
      }
    }
    figures.push({
      workload: workload.name,
      about: workload.about,
      product: medianOf(results.product),
      bare: medianOf(results.bare),
      floor: medianOf(results.floor),
      ratio: pairedRatio(results.product.map((result) => result.tps), results.bare.map((result) => result.tps)),
      floorRatio: pairedRatio(results.product.map((result) => result.tps), results.floor.map((result) => result.tps)),
      walPerEvent: { product: median(wal.product), bare: median(wal.bare), floor: median(wal.floor) },
    });
  }
  return figures;
}

export interface FunctionProfile {
  workload: string;
  events: number;
  tps: number;
  rows: { name: string; callsPerEvent: number; selfUs: number; totalUs: number; share: number }[];
}

/**
 * Where handle_clerk_event's time goes: one more product run per workload with track_functions on
 * (PL/pgSQL functions only), kept apart from the measured runs because timing every call costs a
 * little. Self time per event for each function, and its share of handle_clerk_event's total.
 */
export async function profileProduct(database: BenchDatabase, options: BenchOptions, productCleanup: string[], runBase = 50_000): Promise<FunctionProfile[]> {
  const profiles: FunctionProfile[] = [];
  const name = (await database.sql<{ name: string }>('select current_database() as name')).rows[0].name;
  let run = runBase;
  for (const workload of WORKLOADS) {
    await clearWrites(database, productCleanup, 'vacuum analyze');
    run++;
    await workload.seed?.(database, 'product', run);
    await database.sql(`alter database ${name} set track_functions = 'pl'`);
    await database.sql('select pg_stat_reset()');
    let result: PgbenchResult;
    try {
      result = await runPgbench({ url: database.authUrl, role: 'clerk_webhook', script: workload.script('product'), clients: DB_CLIENTS, seconds: options.durationSeconds, variables: { i: 0, run } });
    } finally {
      await database.sql(`alter database ${name} reset track_functions`);
    }
    // Sessions hand their counters over when they end; pgbench's have ended.
    const { rows } = await database.sql<{ funcname: string; calls: string; self_time: number; total_time: number }>(
      `select funcname, calls, self_time, total_time from pg_stat_user_functions where schemaname = 'app_private' order by self_time desc`,
    );
    const entry = rows.find((row) => row.funcname === 'handle_clerk_event');
    const events = Number(entry?.calls ?? 0);
    const totalMs = entry?.total_time ?? Number.NaN;
    profiles.push({
      workload: workload.name,
      events,
      tps: result.tps,
      rows: rows.map((row) => ({
        name: row.funcname,
        callsPerEvent: Number(row.calls) / events,
        selfUs: (row.self_time * 1000) / events,
        totalUs: (row.total_time * 1000) / events,
        share: row.self_time / totalMs,
      })),
    });
  }
  return profiles;
}

/**
 * The webhook pool's size, chosen by measurement: the create workload through handle_clerk_event at
 * several session counts, one run each, interleaved with nothing else.
 */
export async function measurePoolSizes(database: BenchDatabase, options: BenchOptions, productCleanup: string[], sizes = [2, 4, 10, 20], runBase = 60_000): Promise<{ clients: number; result: PgbenchResult }[]> {
  const create = WORKLOADS.find((workload) => workload.name === 'create')!;
  const results: { clients: number; result: PgbenchResult }[] = [];
  let run = runBase;
  for (const clients of sizes) {
    await clearWrites(database, productCleanup, 'vacuum analyze');
    const pgbench = (seconds: number) =>
      runPgbench({ url: database.authUrl, role: 'clerk_webhook', script: create.script('product'), clients, seconds, variables: { i: 0, run: ++run } });
    if (options.warmupSeconds > 0) await pgbench(options.warmupSeconds);
    results.push({ clients, result: await pgbench(options.durationSeconds) });
  }
  return results;
}

export function printFunctionProfiles(profiles: FunctionProfile[]): void {
  for (const profile of profiles) {
    printTable(
      `where handle_clerk_event's time goes, ${profile.workload}: ${profile.events.toLocaleString('en')} events at ${profile.tps.toFixed(0)} tps with track_functions = pl (self time per event, PL/pgSQL functions; SQL statements inside a function count as its own)`,
      ['function', 'calls/event', 'self µs/event', 'total µs/event', 'share of handle_clerk_event'],
      profile.rows.filter((row) => row.share >= 0.01).map((row) => [row.name, row.callsPerEvent, row.selfUs, row.totalUs, `${(row.share * 100).toFixed(1)} %`]),
    );
  }
}

/** Empties every table of the product (the plain db benchmark starts each run from nothing). */
export async function truncateProductTables(database: BenchDatabase): Promise<string[]> {
  const { rows } = await database.sql<{ name: string }>(
    `select format('%I.%I', schemaname, tablename) as name from pg_tables where schemaname in ('app_public', 'app_private') order by 1`,
  );
  return [`truncate ${rows.map((row) => row.name).join(', ')} restart identity cascade`];
}

export async function hasHandleClerkEvent(database: BenchDatabase): Promise<boolean> {
  const { rows } = await database.sql(`select 1 from pg_proc where oid = to_regproc('app_private.handle_clerk_event')`).catch(() => ({ rows: [] }));
  return rows.length > 0;
}

export function printDbFigures(title: string, figures: DbFigures[]): void {
  printTable(
    title,
    ['workload', 'side', 'tps', 'p50 ms', 'p99 ms', 'WAL B/event', 'product ÷ this'],
    figures.flatMap((figure) => [
      [`${figure.workload}: ${figure.about}`, 'handle_clerk_event', figure.product.tps, figure.product.p50, figure.product.p99, figure.walPerEvent.product, 1],
      ['', '(a) bare', figure.bare.tps, figure.bare.p50, figure.bare.p99, figure.walPerEvent.bare, figure.ratio],
      ['', '(a+) bare + ledger insert', figure.floor.tps, figure.floor.p50, figure.floor.p99, figure.walPerEvent.floor, figure.floorRatio],
    ]),
  );
}

export function dbVerdicts(figures: DbFigures[]): Cell[][] {
  return figures.flatMap((figure) => [
    verdict(`${figure.workload}: handle_clerk_event ÷ bare`, figure.ratio, '>=', 0.75),
    verdict(`${figure.workload}: handle_clerk_event ÷ (a+)`, figure.floorRatio, '>=', 0.9),
    verdict(`${figure.workload}: WAL per event ÷ (a+)`, figure.walPerEvent.product / figure.walPerEvent.floor, '<=', 1.2),
  ]);
}

export async function db(options: BenchOptions): Promise<void> {
  console.log('starting a fresh embedded Postgres with the committed migrations …');
  const database = await startBenchDatabase();
  try {
    if (!(await hasHandleClerkEvent(database))) {
      throw new Error('app_private.handle_clerk_event is not in the committed migrations yet: nothing to measure');
    }
    await installBaselines(database);
    const figures = await measureDbWorkloads(database, options, await truncateProductTables(database));
    printDbFigures(
      `db: pgbench, ${DB_CLIENTS} clients as clerk_webhook, ${options.durationSeconds} s measured after ${options.warmupSeconds} s warm-up, ` +
        `median of ${options.rounds} round(s) (ratio: median of the per-round ratios), ${machineLoad()} at the end`,
      figures,
    );
    printTable('db targets', VERDICT_HEADER, dbVerdicts(figures));
    const cleanup = await truncateProductTables(database);
    const pools = await measurePoolSizes(database, options, cleanup);
    printTable(
      `webhook pool size: handle_clerk_event, create workload, by concurrent sessions (one run each, ${machineLoad()} at the end)`,
      ['sessions', 'tps', 'p50 ms', 'p99 ms'],
      pools.map(({ clients, result }) => [clients, result.tps, result.p50, result.p99]),
    );
    printFunctionProfiles(await profileProduct(database, options, cleanup));
  } finally {
    await database.stop();
  }
}
