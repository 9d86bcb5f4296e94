// The migration that partitions the ledger, run on a database whose ledger holds rows, as a live
// one does: no row is lost or changed, a retry of a recorded delivery is still a duplicate, and new
// deliveries land in the new monthly partitions.
import { afterAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as graphileMigrate from 'graphile-migrate';
import { clearAllPools } from 'graphile-migrate/dist/pgReal.js';
import pg from 'pg';
import { MIGRATIONS_FOLDER, migrationSettings } from '../../server/database/migrations.ts';
import { setupDatabase } from '../../server/database/setup.ts';
import { deliverAsWebhook, fixture, uniqueTag } from '../helpers/clerkEvents.ts';
import { endTestPools, getRootPool, testDatabase } from '../helpers/db.ts';
import { newSvixId } from '../helpers/webhooks.ts';

const PARTITIONING = /partition by range \(received_at\)/;
const database = `${testDatabase.name()}_partition_migration`.slice(0, 63);
const onDatabase = (url: string) => Object.assign(new URL(url), { pathname: `/${database}` }).toString();
const urls = { rootUrl: testDatabase.rootUrl(), ownerUrl: onDatabase(testDatabase.ownerUrl()), authUrl: onDatabase(testDatabase.authUrl()) };
const folders: string[] = [];

afterAll(async () => {
  await getRootPool().query(`drop database if exists ${database} with (force)`);
  await endTestPools();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** A migrations folder holding only what was committed before the ledger was partitioned. */
function migrationsBeforePartitioning(): string {
  const committed = readdirSync(path.join(MIGRATIONS_FOLDER, 'committed')).filter((name) => /^\d{6}.*\.sql$/.test(name)).sort();
  const first = committed.findIndex((name) => PARTITIONING.test(readFileSync(path.join(MIGRATIONS_FOLDER, 'committed', name), 'utf8')));
  if (first < 0) expect(readFileSync(path.join(MIGRATIONS_FOLDER, 'current.sql'), 'utf8')).toMatch(PARTITIONING);
  const folder = mkdtempSync(path.join(os.tmpdir(), 'clerk-pg-sync-migrations-'));
  folders.push(folder);
  mkdirSync(path.join(folder, 'committed'));
  for (const name of first < 0 ? committed : committed.slice(0, first)) cpSync(path.join(MIGRATIONS_FOLDER, 'committed', name), path.join(folder, 'committed', name));
  writeFileSync(path.join(folder, 'current.sql'), '-- Enter migration here\n');
  cpSync(path.join(MIGRATIONS_FOLDER, 'afterReset.sql'), path.join(folder, 'afterReset.sql'));
  return folder;
}

async function migrate(folder?: string) {
  try {
    const settings = { ...migrationSettings(urls), ...(folder ? { migrationsFolder: folder } : {}) };
    await graphileMigrate.migrate(settings);
    if (!folder) await graphileMigrate.watch(settings, true);
  } finally {
    clearAllPools();
  }
}

describe('partitioning the ledger', () => {
  it('keeps every row of a live ledger and exactly-once across the migration', async () => {
    await getRootPool().query(`drop database if exists ${database} with (force)`);
    await setupDatabase(urls);
    await migrate(migrationsBeforePartitioning());

    const root = new pg.Client({ connectionString: onDatabase(testDatabase.rootUrl()) });
    await root.connect();
    try {
      expect((await root.query(`select relkind from pg_class where oid = 'app_private.webhook_events'::regclass`)).rows[0].relkind).toBe('r');
      const tag = uniqueTag();
      const deliveries = ['organization.created', 'user.created', 'organizationMembership.created', 'user.updated', 'email.created', 'variants/unknown.type'].map((name) => ({
        payload: fixture(name, tag),
        svixId: newSvixId(),
      }));
      for (const { payload, svixId } of deliveries) await deliverAsWebhook(root, payload, svixId);
      await deliverAsWebhook(root, { type: 'user.created', data: null }, newSvixId()); // a failed one
      // Rows of earlier months too, as a live ledger has.
      await root.query(`update app_private.webhook_events set received_at = received_at - interval '75 days' where event_type = 'organization.created'`);
      const before = (await root.query('select to_jsonb(w) as row from app_private.webhook_events as w order by svix_id')).rows.map((r) => r.row);
      expect(before.length).toBe(deliveries.length + 1);

      await migrate();

      expect((await root.query(`select relkind from pg_class where oid = 'app_private.webhook_events'::regclass`)).rows[0].relkind).toBe('p');
      const after = (await root.query('select to_jsonb(w) as row from app_private.webhook_events as w order by svix_id')).rows.map((r) => r.row);
      expect(after).toEqual(before);
      // They stayed where they were: the old table is now the ledger's first partition.
      const homes = (await root.query('select distinct tableoid::regclass::text as partition from app_private.webhook_events')).rows.map((r) => r.partition);
      expect(homes).toEqual(['app_private.webhook_events_before_partitioning']);

      for (const { payload, svixId } of deliveries) {
        expect(await deliverAsWebhook(root, payload, svixId)).toMatchObject({ status: 'duplicate', svix_id: svixId });
      }
      const fresh = newSvixId();
      expect((await deliverAsWebhook(root, fixture('organization.updated', tag), fresh)).status).toBe('processed');
      const { rows: [row] } = await root.query('select tableoid::regclass::text as partition, duplicates from app_private.webhook_events where svix_id = $1', [fresh]);
      expect(row.partition).toBe('app_private.webhook_events_before_partitioning');
      expect((await root.query('select sum(duplicates)::int as n from app_private.webhook_events')).rows[0].n).toBe(deliveries.length);
      const partitions = (await root.query('select partition_name from app_private.webhook_event_partitions()')).rows.map((r) => r.partition_name);
      expect(partitions).toEqual(expect.arrayContaining(['webhook_events_before_partitioning', 'webhook_events_default']));
      expect(partitions.filter((name: string) => /^webhook_events_\d{4}_\d{2}$/.test(name)).length).toBeGreaterThanOrEqual(2);
    } finally {
      await root.end();
    }
  });
});
