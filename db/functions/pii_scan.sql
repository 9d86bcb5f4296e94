-- The check that an erasure worked, without trusting the erasure's own list of places: every
-- text-like, json and jsonb column (and arrays of them) of every table and materialized view in
-- the database, searched for each needle as a case-insensitive substring of the column's text.
-- A sequential scan of everything: an operator's tool, not something to run per request.
create or replace function app_private.pii_scan(p_needles text[])
returns table (table_name text, column_name text, row_ctid tid, needle text, excerpt text)
language plpgsql stable as $$
declare
  v_needles text[] := array(select distinct lower(n) from unnest(p_needles) as n where n is not null order by 1);
  v_column record;
begin
  if exists (select from unnest(v_needles) as n where length(n) < 3) then
    raise exception 'pii_scan needs needles of at least 3 characters' using errcode = '22023';
  end if;
  if cardinality(v_needles) = 0 then
    return;
  end if;
  for v_column in
    select c.oid::regclass as relation, a.attname
      from pg_class as c
      join pg_namespace as s on s.oid = c.relnamespace
      join pg_attribute as a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      join pg_type as t on t.oid = a.atttypid
      left join pg_type as e on e.oid = t.typelem and t.typcategory = 'A'
     where c.relkind in ('r', 'p', 'm') and not c.relispartition
       and s.nspname not in ('pg_catalog', 'information_schema') and s.nspname not like 'pg\_%'
       and (t.typcategory = 'S' or t.oid in ('json'::regtype, 'jsonb'::regtype)
            or e.typcategory = 'S' or e.oid in ('json'::regtype, 'jsonb'::regtype))
     order by s.nspname, c.relname, a.attnum
  loop
    -- tableoid names the partition a row of a partitioned table lives in.
    return query execute format(
      'select t.tableoid::regclass::text, %1$L::text, t.ctid, n.needle,
              substr(t.%2$I::text, greatest(1, strpos(lower(t.%2$I::text), n.needle) - 40), length(n.needle) + 80)
         from %3$s as t cross join unnest($1) as n(needle)
        where strpos(lower(t.%2$I::text), n.needle) > 0',
      v_column.attname, v_column.attname, v_column.relation) using v_needles;
  end loop;
end;
$$;
revoke all on function app_private.pii_scan(text[]) from public;
comment on function app_private.pii_scan(text[]) is E'Every place in the database that still holds one of p_needles (email addresses, phone numbers, names, usernames …; at least 3 characters each): one row per (row, column, needle) with the table (the partition for partitioned tables), column, ctid and an excerpt around the match. Searches every text-like, json and jsonb column, and arrays of them, of every table and materialized view outside the system schemas, case-insensitively. Reads everything: run it by hand (npm run webhooks -- pii-scan), not per request.';
