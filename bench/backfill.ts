// `npm run bench -- backfill`: the backfill engine against the fake Backend API (Clerk's wire
// format over local HTTP, no 429s), beside the API-free floor: the same objects, synthesized into
// the same events, fed to the database in batches with nothing read from an API.
import pg from 'pg';
import { runBackfill, synthesizeEvent } from '../ops/backfill/backfill.ts';
import type { ClerkJson, FamilyName } from '../ops/backfill/families.ts';
import { createBackendApi } from '../server/clerk/backendApi.ts';
import { handleClerkEvents } from '../server/database/clerkEvents.ts';
import { withTransaction } from '../server/database/transaction.ts';
import { FakeClerkBackendApi, type SeedCounts } from '../test/fakes/clerkBackendApi.ts';
import { startBenchDatabase, type BenchDatabase } from './lib/database.ts';
import type { BenchOptions } from './lib/options.ts';
import { machineLoad, median, pairedRatio, printTable, verdict, VERDICT_HEADER } from './lib/report.ts';

/** The scale of the backfill test of the CLI: 31,000 objects. */
const SEED: SeedCounts = { users: 10_000, organizations: 1_000, memberships: 20_000 };
const FAMILIES: FamilyName[] = ['users', 'organizations', 'memberships'];
/** Objects per transaction on the floor side: a page of Clerk's largest size. */
const FLOOR_BATCH = 500;
/** Objects per second of this benchmark's workload before the write path was reworked (31k objects in 50 s). */
const EARLIER_OBJECTS_PER_SECOND = 620;

async function clearProductTables(database: BenchDatabase): Promise<void> {
  const { rows } = await database.sql<{ statement: string }>(
    `select 'truncate ' || string_agg(format('%I.%I', schemaname, tablename), ', ') || ' restart identity cascade' as statement
       from pg_tables where schemaname in ('app_public', 'app_private')`,
  );
  await database.sql(rows[0].statement);
  await database.sql('vacuum analyze');
  await database.sql('checkpoint');
}

export async function backfill(options: BenchOptions): Promise<void> {
  console.log('starting a fresh embedded Postgres with the committed migrations and a seeded fake Backend API …');
  const database = await startBenchDatabase();
  const fake = new FakeClerkBackendApi();
  fake.seed(SEED);
  const apiUrl = await fake.start();
  // As the CLI connects: the owner, two connections.
  const pool = new pg.Pool({ connectionString: database.ownerUrl, max: 2 });
  pool.on('error', () => undefined);
  try {
    const snapshot = fake.snapshot();
    const objects: [FamilyName, ClerkJson[]][] = [
      ['users', snapshot.users as ClerkJson[]],
      ['organizations', snapshot.organizations as ClerkJson[]],
      ['memberships', snapshot.memberships as ClerkJson[]],
    ];
    const total = objects.reduce((sum, [, list]) => sum + list.length, 0);
    const engine: number[] = [];
    const floor: number[] = [];
    let requests = 0;
    for (let round = 0; round < options.rounds; round++) {
      const sides = round % 2 ? (['floor', 'engine'] as const) : (['engine', 'floor'] as const);
      for (const side of sides) {
        await clearProductTables(database);
        const started = performance.now();
        if (side === 'engine') {
          const before = fake.requests.length;
          const summary = await runBackfill(
            { families: FAMILIES, resume: false, reconcile: false, dryRun: false },
            { api: createBackendApi({ secretKey: fake.secretKey, apiUrl }), db: pool },
          );
          if (summary.totals.created !== total) throw new Error(`the backfill created ${summary.totals.created} of ${total} objects`);
          requests = fake.requests.length - before;
        } else {
          for (const [family, list] of objects) {
            for (let first = 0; first < list.length; first += FLOOR_BATCH) {
              const events = list.slice(first, first + FLOOR_BATCH).map((object) => synthesizeEvent(family, object));
              await withTransaction(pool, (client) => handleClerkEvents(client, events, 'backfill'));
            }
          }
        }
        const perSecond = total / ((performance.now() - started) / 1000);
        console.log(`  round ${round + 1}/${options.rounds}: ${side === 'engine' ? 'backfill engine' : 'API-free floor'} ${perSecond.toFixed(0)} objects/s`);
        (side === 'engine' ? engine : floor).push(perSecond);
      }
    }
    const ratio = pairedRatio(engine, floor);
    printTable(
      `backfill: ${SEED.users} users, ${SEED.organizations} organizations, ${SEED.memberships} memberships (${total} objects), ` +
        `median of ${options.rounds} round(s), ${machineLoad()} at the end`,
      ['side', 'objects/s', 'seconds', 'API requests', '÷ floor'],
      [
        ['backfill engine, fake Backend API over HTTP (no 429s)', median(engine), total / median(engine), requests, ratio],
        [`API-free floor: the same events, ${FLOOR_BATCH} per transaction through handle_clerk_event`, median(floor), total / median(floor), 0, 1],
      ],
    );
    printTable('backfill targets', VERDICT_HEADER, [
      verdict(`backfill objects/s ÷ ${EARLIER_OBJECTS_PER_SECOND} (the earlier figure)`, median(engine) / EARLIER_OBJECTS_PER_SECOND, '>=', 3),
    ]);
  } finally {
    await pool.end();
    await fake.stop();
    await database.stop();
  }
}
