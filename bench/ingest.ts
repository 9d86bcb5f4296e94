// `npm run bench -- ingest`: signed Clerk deliveries over HTTP at a fixed number in flight,
// through the product and through five baselines, in the same run on the same database, with the
// WAL each event writes.
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort } from '../support/ports.ts';
import { userEvent } from '../support/clerkDeliveries.ts';
import { svixSignatureHeaders } from '../support/svixSignature.ts';
import { installBaselines, startBenchDatabase, type BenchDatabase } from './lib/database.ts';
import { currentWalLsn, walSince } from './db.ts';
import type { LoadResult } from './lib/loadWorker.ts';
import { productSecrets, startProduct } from './lib/product.ts';
import { runLoad, startServer } from './lib/processes.ts';
import { machineLoad, median, pairedRatio, printTable, verdict, VERDICT_HEADER } from './lib/report.ts';
import type { BenchOptions } from './lib/options.ts';

const WEBHOOK_PATH = '/api/webhooks/clerk';

interface Target {
  name: string;
  label: string;
  /** Rows that prove the target wrote what it answered 2xx for (null: writes nothing). */
  countWrites: string | null;
  start(port: number): ReturnType<typeof startServer>;
}

interface Measurement extends LoadResult {
  idleRssMiB: number;
  peakRssMiB: number;
  rowsWritten: number | null;
  /** WAL bytes per row written, warm-up included (null: writes nothing). */
  walPerEvent: number | null;
}

/** Requests per second of the latency run: well below what every database target sustains here. */
const MODERATE_RATE = 100;

/** Empties what the previous target wrote so every target starts from the same tables. */
async function resetTables(database: BenchDatabase): Promise<void> {
  const { rows } = await database.sql<{ statement: string | null }>(
    `select 'truncate ' || string_agg(format('%I.%I', schemaname, tablename), ', ') || ' restart identity cascade' as statement
       from pg_tables where schemaname in ('app_public', 'app_private', 'bench')`,
  );
  if (rows[0].statement) await database.sql(rows[0].statement);
  await database.sql('vacuum analyze');
  await database.sql('checkpoint');
}

/** Whether the product serves the webhook route yet (it lands separately from the benchmarks). */
async function productAccepts(url: string, secret: string): Promise<boolean> {
  const body = JSON.stringify(userEvent('user.created', { key: `probe${randomBytes(6).toString('hex')}`, updatedAt: Date.now() }));
  const headers = svixSignatureHeaders(secret, `msg_probe${randomBytes(6).toString('hex')}`, body);
  const response = await fetch(`${url}${WEBHOOK_PATH}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  return response.status === 200;
}

export async function ingest(options: BenchOptions): Promise<void> {
  const secrets = productSecrets();
  const secret = secrets.webhookSecret;
  console.log('starting a fresh embedded Postgres with the committed migrations …');
  const database = await startBenchDatabase();
  try {
    await installBaselines(database);
    const logDir = database.dataDir;
    const baseline = (mode: string, url: string | undefined) => (port: number) =>
      startServer({
        args: [path.join('bench', 'servers', 'baselineReceiver.ts'), mode],
        env: { PORT: String(port), WEBHOOK_SECRET: secret, DATABASE_URL: url },
        port,
        readyPath: '/readyz',
        logFile: path.join(logDir, `${mode}.log`),
      });
    const targets: Target[] = [
      {
        name: 'product',
        label: 'clerk-pg-sync (handle_clerk_event)',
        countWrites: 'select count(*)::int as n from app_private.webhook_events',
        start: (port) => startProduct(database, secrets, port),
      },
      {
        name: 'product-webhooks',
        label: 'clerk-pg-sync, webhook-only process (--only webhooks)',
        countWrites: 'select count(*)::int as n from app_private.webhook_events',
        start: (port) => startProduct(database, secrets, port, 'product-webhooks', { SERVE_ONLY: 'webhooks' }),
      },
      { name: 'a', label: '(a) bare function, one round trip', countWrites: 'select count(*)::int as n from bench.users', start: baseline('bare-function', database.authUrl) },
      {
        name: 'a+',
        label: '(a+) bare function + ledger insert, one round trip',
        countWrites: 'select count(*)::int as n from bench.ledger',
        start: baseline('bare-with-ledger', database.authUrl),
      },
      { name: 'b', label: '(b) conventional TS handler', countWrites: 'select count(*)::int as n from bench.webhook_events', start: baseline('conventional', database.ownerUrl) },
      { name: 'c', label: '(c) verify only, no database', countWrites: null, start: baseline('verify-only', undefined) },
      { name: 'd', label: '(d) bare node:http', countWrites: null, start: baseline('node-http', undefined) },
    ];

    const results = new Map<string, Measurement[]>();
    const unavailable = new Set<string>();
    for (let round = 0; round < options.rounds; round++) {
      // Rotating the order spreads slow drift of the machine over all targets.
      const order = targets.map((_, index) => targets[(index + round) % targets.length]);
      for (const target of order) {
        if (unavailable.has(target.name)) continue;
        await resetTables(database);
        const port = await freePort();
        const server = await target.start(port);
        try {
          if (target.name.startsWith('product') && !(await productAccepts(server.url, secret))) {
            unavailable.add(target.name);
            console.log(`  ${target.label}: ${WEBHOOK_PATH} does not process deliveries yet; skipped`);
            continue;
          }
          const idleRssMiB = server.peakRssMiB();
          process.stdout.write(`  round ${round + 1}/${options.rounds}: ${target.label} … `);
          const lsn = await currentWalLsn(database);
          const load = await runLoad({
            url: server.url,
            path: WEBHOOK_PATH,
            connections: options.connections,
            warmupSeconds: options.warmupSeconds,
            durationSeconds: options.durationSeconds,
            webhook: { secret, keyPrefix: `b${round}${target.name}${randomBytes(3).toString('hex')}x` },
          });
          const rowsWritten = target.countWrites ? (await database.sql<{ n: number }>(target.countWrites)).rows[0].n : null;
          const walPerEvent = rowsWritten ? (await walSince(database, lsn)) / rowsWritten : null;
          const measurement = { ...load, idleRssMiB, peakRssMiB: server.peakRssMiB(), rowsWritten, walPerEvent };
          console.log(`${load.requestsPerSecond.toFixed(0)} events/s, p99 ${load.p99} ms${walPerEvent ? `, ${walPerEvent.toFixed(0)} B WAL/event` : ''}`);
          results.set(target.name, [...(results.get(target.name) ?? []), measurement]);
        } finally {
          await server.stop();
        }
      }
    }

    // Latency when not saturated: the same deliveries at a moderate fixed rate, product and (a).
    const moderate = new Map<string, LoadResult>();
    for (const target of targets.filter((candidate) => ['product', 'a'].includes(candidate.name) && !unavailable.has(candidate.name))) {
      await resetTables(database);
      const server = await target.start(await freePort());
      try {
        moderate.set(
          target.name,
          await runLoad({
            url: server.url,
            path: WEBHOOK_PATH,
            connections: options.connections,
            rate: MODERATE_RATE,
            warmupSeconds: options.warmupSeconds,
            durationSeconds: options.durationSeconds,
            webhook: { secret, keyPrefix: `m${target.name}${randomBytes(3).toString('hex')}x` },
          }),
        );
      } finally {
        await server.stop();
      }
    }

    const summary = new Map<
      string,
      { rps: number; p50: number; p99: number; idleRss: number; rss: number; non2xx: number; rows: number | null; total: number; wal: number | null }
    >();
    for (const [name, runs] of results) {
      summary.set(name, {
        rps: median(runs.map((run) => run.requestsPerSecond)),
        p50: median(runs.map((run) => run.p50)),
        p99: median(runs.map((run) => run.p99)),
        idleRss: median(runs.map((run) => run.idleRssMiB)),
        rss: Math.max(...runs.map((run) => run.peakRssMiB)),
        non2xx: runs.reduce((sum, run) => sum + run.non2xx + run.errors, 0),
        rows: runs.at(-1)!.rowsWritten,
        total: runs.at(-1)!.total,
        wal: runs[0].walPerEvent === null ? null : median(runs.map((run) => run.walPerEvent!)),
      });
    }
    const product = summary.get('product');
    const productRuns = results.get('product');
    /** Median of the per-round ratios product ÷ target (both ran in the same round). */
    const ratioTo = (name: string) => (productRuns ? pairedRatio(productRuns.map((run) => run.requestsPerSecond), results.get(name)!.map((run) => run.requestsPerSecond)) : null);
    printTable(
      `ingest: signed user.created deliveries (~3.4 KB, a new user and svix-id each), ${options.connections} in flight, ` +
        `${options.durationSeconds} s measured after ${options.warmupSeconds} s warm-up, median of ${options.rounds} round(s) ` +
        `(ratios: median of the per-round ratios), ${machineLoad()} at the end`,
      ['target', 'events/s', 'p50 ms', 'p99 ms', 'RSS idle MiB', 'peak RSS MiB', 'non-2xx+errors', 'rows written', 'WAL B/event', 'product ÷ this'],
      targets.map((target) => {
        const row = summary.get(target.name);
        if (!row) return [target.label, 'not available'];
        return [target.label, row.rps, row.p50, row.p99, row.idleRss, row.rss, row.non2xx, row.rows, row.wal, ratioTo(target.name)];
      }),
    );
    if (moderate.size) {
      printTable(
        `ingest latency at a moderate ${MODERATE_RATE} events/s (open loop, same deliveries, ${options.durationSeconds} s)`,
        ['target', 'events/s', 'p50 ms', 'p90 ms', 'p99 ms', 'non-2xx+errors'],
        [...moderate].map(([name, load]) => [targets.find((target) => target.name === name)!.label, load.requestsPerSecond, load.p50, load.p90, load.p99, load.non2xx + load.errors]),
      );
    }
    if (product) {
      printTable('ingest targets', VERDICT_HEADER, [
        verdict('product ÷ (a) bare function', ratioTo('a')!, '>=', 0.8),
        verdict('product ÷ (a+) bare function + ledger insert', ratioTo('a+') ?? Number.NaN, '>=', 0.9),
        verdict('product ÷ (b) conventional handler', ratioTo('b')!, '>=', 1.5),
        verdict('WAL per event: product ÷ (a+)', (product.wal ?? Number.NaN) / (summary.get('a+')?.wal ?? Number.NaN), '<=', 1.2),
        verdict(
          `p99 latency at ${MODERATE_RATE} events/s: product ÷ (a)`,
          (moderate.get('product')?.p99 ?? Number.NaN) / (moderate.get('a')?.p99 ?? Number.NaN),
          '<=',
          1.5,
        ),
        verdict(`product p99 latency, ${options.connections} in flight (saturated)`, product.p99, '<=', 30, ' ms'),
        verdict(`product p99 latency at ${MODERATE_RATE} events/s`, moderate.get('product')?.p99 ?? Number.NaN, '<=', 30, ' ms'),
        verdict('product peak RSS under load', product.rss, '<=', 200, ' MiB'),
        verdict('webhook-only process peak RSS under load', summary.get('product-webhooks')?.rss ?? Number.NaN, '<=', 150, ' MiB'),
      ]);
      if (product.non2xx) console.log(`\nwarning: the product answered ${product.non2xx} deliveries with non-2xx or errors (see ${path.join(logDir, 'product.log')})`);
    }
  } finally {
    await database.stop();
  }
}
