// What the app's schemas hold, as sorted text lines: relations with their row-level security,
// privileges and comments; columns; indexes; functions (source, security, settings, privileges,
// comments); policies and their comments; the schemas themselves. Privileges are listed in a fixed
// order, so two databases that grant the same things compare equal whatever order they granted in.
import type { Queryable } from '../../server/database/clerkEvents.ts';

const acl = (column: string) => `coalesce((select string_agg(a::text, ',' order by a::text) from unnest(${column}) a), '')`;

const FINGERPRINT = `
  select 'relation' as kind, n.nspname || '.' || c.relname || ':' || c.relkind::text || ':' || c.relrowsecurity::text || c.relforcerowsecurity::text
         || ':' || ${acl('c.relacl')} || ':' || coalesce(obj_description(c.oid), '') as item
    from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname in ('app_public', 'app_private')
  union all
  select 'column', n.nspname || '.' || c.relname || '.' || a.attname || ':' || format_type(a.atttypid, a.atttypmod) || ':' || a.attnotnull::text::text
         || ':' || coalesce(pg_get_expr(d.adbin, d.adrelid), '') || ':' || ${acl('a.attacl')} || ':' || coalesce(col_description(c.oid, a.attnum), '')
    from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
   where n.nspname in ('app_public', 'app_private') and a.attnum > 0 and not a.attisdropped
  union all
  select 'index', pg_get_indexdef(i.indexrelid) from pg_index i join pg_class c on c.oid = i.indrelid
    join pg_namespace n on n.oid = c.relnamespace where n.nspname in ('app_public', 'app_private')
  union all
  select 'function', p.oid::regprocedure::text || ':' || md5(p.prosrc) || ':' || p.prosecdef::text || ':' || p.provolatile::text
         || ':' || coalesce(array_to_string(p.proconfig, ','), '') || ':' || ${acl('p.proacl')} || ':' || coalesce(obj_description(p.oid), '')
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname in ('app_public', 'app_private')
  union all
  select 'policy', n.nspname || '.' || c.relname || '.' || p.polname || ':' || p.polcmd::text || ':' || p.polpermissive::text
         || ':' || coalesce((select string_agg(case r when 0 then 'public' else r::regrole::text end, ',' order by 1) from unnest(p.polroles) r), '')
         || ':' || coalesce(pg_get_expr(p.polqual, p.polrelid), '') || ':' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '')
         || ':' || coalesce(obj_description(p.oid, 'pg_policy'), '')
    from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace
   where n.nspname in ('app_public', 'app_private')
  union all
  select 'schema', nspname || ':' || ${acl('nspacl')} || ':' || coalesce(obj_description(oid), '')
    from pg_namespace where nspname in ('app_public', 'app_private')
  order by 1, 2`;

export async function schemaFingerprint(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ kind: string; item: string }>(FINGERPRINT);
  return rows.map((row) => `${row.kind} ${row.item}`);
}
