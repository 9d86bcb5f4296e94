-- The ledger's partitions as data: what pruning decides on and what the prune command shows.
create or replace function app_private.webhook_event_partitions()
returns table (partition_name text, range_start timestamptz, range_end timestamptz, is_default boolean, estimated_rows bigint)
language sql stable as $$
  select c.relname::text,
         case when b.bound ~ 'FROM \(MINVALUE\)' then '-infinity'::timestamptz else substring(b.bound from 'FROM \(''([^'']+)''\)')::timestamptz end,
         case when b.bound ~ 'TO \(MAXVALUE\)' then 'infinity'::timestamptz else substring(b.bound from 'TO \(''([^'']+)''\)')::timestamptz end,
         b.bound = 'DEFAULT',
         greatest(c.reltuples, 0)::bigint
    from pg_inherits as i
    join pg_class as c on c.oid = i.inhrelid
    cross join lateral (select pg_get_expr(c.relpartbound, c.oid) as bound) as b
   where i.inhparent = 'app_private.webhook_events'::regclass
   order by 2 nulls last, 1
$$;
comment on function app_private.webhook_event_partitions() is E'The partitions of app_private.webhook_events: name, the range of received_at each holds (range_start inclusive, range_end exclusive; -infinity for the partition that took over the rows of the unpartitioned ledger), whether it is the default partition (rows outside every range), and the planner''s row estimate (pg_class.reltuples: no table is read).';
