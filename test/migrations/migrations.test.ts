// Committed migrations are the truth for a fresh database: a reset and a plain migrate must
// produce the same schema (tables, columns, functions, policies, grants, comments).
import { afterAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import * as graphileMigrate from 'graphile-migrate';
import { clearAllPools } from 'graphile-migrate/dist/pgReal.js';
import { applyMigrations, migrationSettings } from '../../server/database/migrations.ts';
import { setupDatabase } from '../../server/database/setup.ts';
import { endTestPools, getRootPool, testDatabase } from '../helpers/db.ts';

const quiet = () => undefined;
const created: string[] = [];

afterAll(async () => {
  for (const database of created) await getRootPool().query(`drop database if exists ${database} with (force)`);
  await endTestPools();
});

function urlsFor(database: string) {
  const withDatabase = (url: string) => Object.assign(new URL(url), { pathname: `/${database}` }).toString();
  created.push(database);
  return { rootUrl: testDatabase.rootUrl(), ownerUrl: withDatabase(testDatabase.ownerUrl()), authUrl: withDatabase(testDatabase.authUrl()) };
}

const FINGERPRINT = `
  select 'relation' as kind, n.nspname || '.' || c.relname || ':' || c.relkind::text || ':' || c.relrowsecurity::text || c.relforcerowsecurity::text
         || ':' || coalesce(c.relacl::text, '') || ':' || coalesce(obj_description(c.oid), '') as item
    from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname in ('app_public', 'app_private')
  union all
  select 'column', n.nspname || '.' || c.relname || '.' || a.attname || ':' || format_type(a.atttypid, a.atttypmod) || ':' || a.attnotnull::text::text
         || ':' || coalesce(pg_get_expr(d.adbin, d.adrelid), '') || ':' || coalesce(a.attacl::text, '') || ':' || coalesce(col_description(c.oid, a.attnum), '')
    from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
   where n.nspname in ('app_public', 'app_private') and a.attnum > 0 and not a.attisdropped
  union all
  select 'index', pg_get_indexdef(i.indexrelid) from pg_index i join pg_class c on c.oid = i.indrelid
    join pg_namespace n on n.oid = c.relnamespace where n.nspname in ('app_public', 'app_private')
  union all
  select 'function', p.oid::regprocedure::text || ':' || md5(p.prosrc) || ':' || p.prosecdef::text || ':' || p.provolatile::text
         || ':' || coalesce(array_to_string(p.proconfig, ','), '') || ':' || coalesce(p.proacl::text, '') || ':' || coalesce(obj_description(p.oid), '')
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname in ('app_public', 'app_private')
  union all
  select 'policy', schemaname || '.' || tablename || '.' || policyname || ':' || cmd || ':' || roles::text || ':' || coalesce(qual, '') || ':' || coalesce(with_check, '')
    from pg_policies where schemaname in ('app_public', 'app_private')
  union all
  select 'schema', nspname || ':' || coalesce(nspacl::text, '') || ':' || coalesce(obj_description(oid), '')
    from pg_namespace where nspname in ('app_public', 'app_private')
  order by 1, 2`;

async function fingerprint(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(FINGERPRINT);
    return rows.map((row) => `${row.kind} ${row.item}`);
  } finally {
    await client.end();
  }
}

describe('committed migrations', () => {
  it('rebuild the same schema through db:reset as through db:setup + db:migrate', async () => {
    const suffix = Date.now().toString(36);
    const migrated = urlsFor(`${testDatabase.name()}_migrated_${suffix}`);
    await setupDatabase(migrated);
    await applyMigrations(migrated, quiet);

    const reset = urlsFor(`${testDatabase.name()}_reset_${suffix}`);
    await setupDatabase(reset);
    await graphileMigrate.reset(migrationSettings(reset, quiet));
    clearAllPools();

    const [fromMigrate, fromReset] = await Promise.all([fingerprint(migrated.ownerUrl), fingerprint(reset.ownerUrl)]);
    expect(fromMigrate.length).toBeGreaterThan(0);
    expect(fromReset).toEqual(fromMigrate);
  });
});
