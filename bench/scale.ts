// `npm run bench -- scale`: the db and graphql benchmarks on 1,000 users, then again after growing
// the synced tables to --users users (default 1,000,000), --users/10 organizations and --users
// memberships made in SQL; the ratios say how much slower the big database is, and EXPLAIN shows
// how the tenant policies reach the rows (index scans, not sequential ones).
import pg from 'pg';
import { pgSettingsFor } from '../server/auth/pgSettings.ts';
import { withTransaction } from '../server/database/transaction.ts';
import { hasHandleClerkEvent, measureDbWorkloads, type DbFigures } from './db.ts';
import { measureGraphql, SMALL_TENANTS, type GraphqlFigures } from './graphql.ts';
import { ledgerMedian, ledgerSlowdown, measureLargeLedger, type LedgerFigures, type LedgerRound } from './ledger.ts';
import { installBaselines, startBenchDatabase, type BenchDatabase } from './lib/database.ts';
import { productSecrets } from './lib/product.ts';
import { printTable, verdict, VERDICT_HEADER, type Cell } from './lib/report.ts';
import { ADMIN_PERMISSIONS, benchTenant, generateTenants } from './lib/tenants.ts';
import type { BenchOptions } from './lib/options.ts';

/** Removes what the db runs wrote to the ledger and audit tables; the generated tenants stay. */
const CLEANUP = [
  'truncate app_private.webhook_events, app_private.private_metadata',
  `delete from app_public.audit_logs where svix_id not like 'msg\\_s%'`,
];

/** Queries a tenant's page makes, each run as that tenant under its policies. */
const POLICY_QUERIES: [string, string][] = [
  ['memberships of the organization', `select * from app_public.organization_memberships where organization_id = $1`],
  ['every user the tenant may see', `select * from app_public.users`],
  ['every organization the tenant may see', `select * from app_public.organizations`],
  ['the organization by id', `select * from app_public.organizations where id = $1`],
  ['latest audit rows of the organization', `select * from app_public.audit_logs where organization_id = $1 order by occurred_at desc limit 50`],
];

interface Sized {
  db: DbFigures[] | null;
  graphql: GraphqlFigures;
}

async function measure(database: BenchDatabase, options: BenchOptions, secrets: ReturnType<typeof productSecrets>, label: string, withDb: boolean): Promise<Sized> {
  const db = withDb ? await measureDbWorkloads(database, options, CLEANUP, label === 'small' ? 0 : 1000) : null;
  return { db, graphql: await measureGraphql(database, secrets, options, label) };
}

/** EXPLAIN ANALYZE of the tenant queries as the first benchmark organization's admin. */
async function explainPolicies(database: BenchDatabase): Promise<{ name: string; plan: string; sequential: string[] }[]> {
  const { organizationId, userId } = benchTenant(0);
  const settings = pgSettingsFor({ sub: userId, org_id: organizationId, org_role: 'org:admin', org_permissions: ADMIN_PERMISSIONS });
  const client = new pg.Client({ connectionString: database.superuserUrl });
  await client.connect();
  try {
    const plans = [];
    for (const [name, sql] of POLICY_QUERIES) {
      const values = sql.includes('$1') ? [organizationId] : [];
      const { rows } = await withTransaction(client, (tx) => tx.query<{ 'QUERY PLAN': string }>(`explain (analyze, costs off, summary off) ${sql}`, values), {
        rollback: true,
        settings,
      });
      const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
      const sequential = [...plan.matchAll(/Seq Scan on (\w+)/g)].map((match) => match[1]);
      plans.push({ name, plan, sequential });
    }
    return plans;
  } finally {
    await client.end();
  }
}

function printLargeLedger(ledger: LedgerFigures, options: BenchOptions): void {
  const rows: Cell[][] = [];
  const verdicts: Cell[][] = [];
  const figure = (name: string, value: (round: LedgerRound) => number, target?: number, higherIsSlower = false) => {
    const slowdown = ledgerSlowdown(ledger.rounds, value);
    const shown = higherIsSlower ? 1 / slowdown : slowdown;
    rows.push([name, ledgerMedian(ledger.rounds, 'empty', value), ledgerMedian(ledger.rounds, 'full', value), shown]);
    if (target) verdicts.push(verdict(`${name}: empty ÷ ${ledger.rows.toLocaleString('en')} rows`, shown, '<=', target));
  };
  figure(`ingest over HTTP, ${options.connections} in flight: events/s`, (round) => round.ingest.requestsPerSecond, 1.1);
  figure('ingest over HTTP: p99 ms', (round) => round.ingest.p99, undefined, true);
  for (const [index, { workload }] of ledger.rounds[0].db.entries()) {
    figure(`db ${workload}: handle_clerk_event tps`, (round) => round.db[index].product.tps, 1.1);
    figure(`db ${workload}: handle_clerk_event p99 ms`, (round) => round.db[index].product.p99, undefined, true);
    figure(`db ${workload}: bare tps (control: never reads the ledger)`, (round) => round.db[index].bare.tps);
  }
  printTable(
    `large ledger: empty vs ${ledger.rows.toLocaleString('en')} rows in ${ledger.size} over the 4 months before this one (generated in ${ledger.generatedSeconds.toFixed(0)} s), ` +
      `both states in every round, ${options.durationSeconds} s runs after ${options.warmupSeconds} s warm-up, median of ${options.rounds} round(s) ` +
      `(slowdown: median of the per-round ratios, for latency full ÷ empty), ${ledger.load.start} at the start, ${ledger.load.end} at the end`,
    ['figure', 'empty ledger', `${ledger.rows.toLocaleString('en')} rows`, 'slowdown'],
    rows,
  );
  printTable('large-ledger targets', VERDICT_HEADER, verdicts);
  for (const state of ['empty', 'full'] as const) console.log(`\nthe claim's look-up of a new svix-id, ${state === 'empty' ? 'empty ledger' : `${ledger.rows.toLocaleString('en')} rows`}:\n${ledger.claimPlans[state]}`);
  console.log(`\nprune of one month (${ledger.prunedPartition}, ${ledger.prunedRows.toLocaleString('en')} rows, detach + drop, as \`npm run webhooks -- prune\` runs it): ${ledger.pruneMs.toFixed(0)} ms`);
}

export async function scale(options: BenchOptions): Promise<void> {
  const users = options.scaleUsers;
  const big = { users, organizations: Math.max(Math.round(users / 10), SMALL_TENANTS.organizations), memberships: users };
  console.log('starting a fresh embedded Postgres with the committed migrations …');
  const database = await startBenchDatabase();
  try {
    const withDb = await hasHandleClerkEvent(database);
    if (!withDb) console.log('app_private.handle_clerk_event is not in the committed migrations yet: measuring graphql only');
    await installBaselines(database);
    const secrets = productSecrets();
    await generateTenants(database, SMALL_TENANTS);
    console.log(`measuring on ${SMALL_TENANTS.users} users …`);
    const small = await measure(database, options, secrets, 'small', withDb);

    console.log(`growing to ${big.users} users, ${big.organizations} organizations, ${big.memberships} memberships …`);
    const started = performance.now();
    await generateTenants(database, big, (line) => console.log(line));
    const generatedIn = (performance.now() - started) / 1000;
    const { rows: sizes } = await database.sql<{ name: string; size: string }>(
      `select relname as name, pg_size_pretty(pg_total_relation_size(c.oid)) as size from pg_class c
        where relnamespace = 'app_public'::regnamespace and relname in ('users', 'organizations', 'organization_memberships')`,
    );
    console.log(`measuring on ${big.users} users …`);
    const large = await measure(database, options, secrets, 'large', withDb);

    const rows: Cell[][] = [];
    const verdicts: Cell[][] = [];
    const compare = (name: string, smallValue: number, largeValue: number) => {
      rows.push([name, smallValue, largeValue, smallValue / largeValue]);
      verdicts.push(verdict(`${name}: 1k ÷ ${users.toLocaleString('en')}`, smallValue / largeValue, '<=', 1.25));
    };
    for (const [index, figure] of (small.db ?? []).entries()) {
      compare(`db ${figure.workload}: handle_clerk_event tps`, figure.product.tps, large.db![index].product.tps);
      rows.push([`db ${figure.workload}: bare tps`, figure.bare.tps, large.db![index].bare.tps, figure.bare.tps / large.db![index].bare.tps]);
    }
    compare('graphql JWT + RLS req/s', small.graphql.rls.requestsPerSecond, large.graphql.rls.requestsPerSecond);
    rows.push(['graphql RLS bypassed req/s', small.graphql.bypass.requestsPerSecond, large.graphql.bypass.requestsPerSecond, small.graphql.bypass.requestsPerSecond / large.graphql.bypass.requestsPerSecond]);
    rows.push(['graphql JWT + RLS p99 ms', small.graphql.rls.p99, large.graphql.rls.p99, large.graphql.rls.p99 / small.graphql.rls.p99]);

    printTable(
      `scale: ${SMALL_TENANTS.users.toLocaleString('en')} users vs ${big.users.toLocaleString('en')} users / ${big.organizations.toLocaleString('en')} organizations / ` +
        `${big.memberships.toLocaleString('en')} memberships (generated in ${generatedIn.toFixed(0)} s; ${sizes.map((size) => `${size.name} ${size.size}`).join(', ')}), ` +
        `${options.durationSeconds} s runs, median of ${options.rounds} round(s)`,
      ['figure', '1k users', `${users.toLocaleString('en')} users`, '1k ÷ large (slowdown)'],
      rows,
    );
    printTable('scale targets', VERDICT_HEADER, verdicts);

    if (withDb && options.ledgerRows > 0) printLargeLedger(await measureLargeLedger(database, options, (line) => console.log(line)), options);

    const plans = await explainPolicies(database);
    console.log(`\nEXPLAIN ANALYZE as the admin of ${benchTenant(0).organizationId} (role authenticated, v1 claims), ${big.users.toLocaleString('en')} users:`);
    for (const { name, plan } of plans) console.log(`\n-- ${name}\n${plan}`);
    printTable(
      'policy plans',
      ['query', 'sequential scans'],
      plans.map(({ name, sequential }) => [name, sequential.length ? sequential.join(', ') : 'none (index scans only)']),
    );
  } finally {
    await database.stop();
  }
}
