import { afterAll, describe, expect, it } from '@jest/globals';
import { endTestPools, withRoleDb, withRootDb, sqlErrorOf } from '../../helpers/db.ts';

afterAll(endTestPools);

const SYNCED_TABLES = ['organizations', 'users', 'organization_memberships', 'audit_logs'];

describe('synced tables', () => {
  it('force row-level security on every app_public table', async () => {
    await withRootDb(async (client) => {
      const { rows } = await client.query(
        `select c.relname, c.relrowsecurity, c.relforcerowsecurity
           from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'app_public' and c.relkind = 'r' and c.relname = any($1) order by 1`,
        [SYNCED_TABLES],
      );
      expect(rows).toEqual(SYNCED_TABLES.slice().sort().map((relname) => ({ relname, relrowsecurity: true, relforcerowsecurity: true })));
    });
  });

  it('comment every table and column of the schema', async () => {
    await withRootDb(async (client) => {
      const { rows } = await client.query(
        `select c.relname as name
           from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname in ('app_public', 'app_private') and c.relkind in ('r', 'p') and obj_description(c.oid, 'pg_class') is null
         union all
         select c.relname || '.' || a.attname
           from pg_class c join pg_namespace n on n.oid = c.relnamespace
           join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
          -- A partition's columns are the partitioned table's, commented there.
          where n.nspname in ('app_public', 'app_private') and c.relkind in ('r', 'p') and not c.relispartition and col_description(c.oid, a.attnum) is null
         union all
         select p.polname || ' on ' || c.relname
           from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'app_public' and obj_description(p.oid, 'pg_policy') is null`,
      );
      expect(rows).toEqual([]);
    });
  });

  it('index the columns tenant policies filter on', async () => {
    await withRootDb(async (client) => {
      const { rows } = await client.query(
        `select t.relname, a.attname
           from pg_index i join pg_class t on t.oid = i.indrelid
           join pg_attribute a on a.attrelid = t.oid and a.attnum = i.indkey[0]
           join pg_namespace n on n.oid = t.relnamespace
          where n.nspname = 'app_public' order by 1, 2`,
      );
      const indexed = rows.map((row) => `${row.relname}.${row.attname}`);
      expect(indexed).toEqual(expect.arrayContaining([
        'organization_memberships.organization_id',
        'organization_memberships.user_id',
        'audit_logs.organization_id',
      ]));
    });
  });

  it('give tenants and the webhook role no direct access to the ledger or private metadata', async () => {
    for (const role of ['authenticated', 'anonymous', 'clerk_webhook'] as const) {
      await withRoleDb(role, null, async (client) => {
        for (const table of ['app_private.webhook_events', 'app_private.private_metadata']) {
          expect(await sqlErrorOf(client, `select * from ${table}`)).toEqual({ code: '42501', message: expect.stringContaining('permission denied') });
        }
      });
    }
  });

  it('let the webhook role write no synced table directly', async () => {
    await withRoleDb('clerk_webhook', null, async (client) => {
      expect(await sqlErrorOf(client, `insert into app_public.users (id) values ('user_x')`)).toEqual({ code: '42501', message: expect.stringContaining('permission denied') });
    });
  });
});
