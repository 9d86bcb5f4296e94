--! Previous: sha1:6b3d5e9d833c9ce48b456d25bda78587ad6eaec0
--! Hash: sha1:a42efd8abbe6176a2783588b2b2208bdd208c741
--! Message: Ledger maintenance records its last completed run

-- When ledger maintenance last completed, whoever ran it: read by the prune metric and its alert.
create table if not exists app_private.ledger_maintenance (
  singleton boolean primary key default true check (singleton),
  last_success_at timestamptz not null,
  partitions_dropped bigint not null default 0
);
comment on table app_private.ledger_maintenance is
  'One row: the last completed run of app_private.prune_webhook_events (not a dry run, not skipped), '
  'by a replica''s schedule, `npm run webhooks -- prune` or pg_cron alike. Absent until the first run. '
  'Exported as clerk_webhook_prune_last_success_timestamp_seconds.';
comment on column app_private.ledger_maintenance.singleton is 'Always true: keeps the table to one row.';
comment on column app_private.ledger_maintenance.last_success_at is 'When the last completed run''s transaction started.';
comment on column app_private.ledger_maintenance.partitions_dropped is 'Expired partitions dropped by every run so far.';

--! Included functions/prune_webhook_events.sql
-- Retention of the ledger: whole partitions go, never rows one by one. A partition is dropped
-- once its newest possible row (its range end) is older than the retention, so a payload is kept
-- at least the retention and at most one month longer. Detaching and dropping touch the catalog
-- only: no row is read or written, whatever the partition holds.
create or replace function app_private.prune_webhook_events(p_retention interval, p_dry_run boolean default false, p_months_ahead integer default 2, p_now timestamptz default now())
returns table (action text, partition_name text, range_start timestamptz, range_end timestamptz, estimated_rows bigint)
language plpgsql volatile as $$
declare
  v_partition record;
  v_dropped integer := 0;
begin
  if p_retention is null or p_retention < interval '1 day' then
    raise exception 'the ledger retention must be at least 1 day (got %)', p_retention using errcode = '22023';
  end if;
  -- One maintenance run at a time, whichever replica or operator starts it; the others skip.
  if not pg_try_advisory_xact_lock(hashtext('clerk-pg-sync: ledger maintenance'), 0) then
    return query select 'skipped', null::text, null::timestamptz, null::timestamptz, null::bigint;
    return;
  end if;
  -- Creating or dropping a partition waits for every transaction using the ledger, and each
  -- delivery would queue behind it: give up quickly instead; the next run tries again.
  perform set_config('lock_timeout', '5s', true);

  for v_partition in select * from app_private.create_webhook_event_partitions(p_months_ahead, p_now, p_dry_run) loop
    return query select 'create', v_partition.partition_name, v_partition.range_start, v_partition.range_end, 0::bigint;
  end loop;

  for v_partition in
    select * from app_private.webhook_event_partitions() as p where not p.is_default and p.range_end <= p_now - p_retention order by p.range_end
  loop
    if not p_dry_run then
      execute format('alter table app_private.webhook_events detach partition app_private.%I', v_partition.partition_name);
      execute format('drop table app_private.%I', v_partition.partition_name);
      v_dropped := v_dropped + 1;
    end if;
    return query select 'drop', v_partition.partition_name, v_partition.range_start, v_partition.range_end, v_partition.estimated_rows;
  end loop;

  -- What the prune metric and its alert read, whoever ran it (a replica, the CLI, pg_cron);
  -- committed with the partition changes or not at all.
  if not p_dry_run then
    insert into app_private.ledger_maintenance as m (last_success_at, partitions_dropped)
    values (now(), v_dropped)
    on conflict (singleton) do update
      set last_success_at = excluded.last_success_at,
          partitions_dropped = m.partitions_dropped + excluded.partitions_dropped;
  end if;
end;
$$;
revoke all on function app_private.prune_webhook_events(interval, boolean, integer, timestamptz) from public;
comment on function app_private.prune_webhook_events(interval, boolean, integer, timestamptz) is E'Ledger maintenance: creates the monthly partitions of app_private.webhook_events up to p_months_ahead months ahead, and detaches and drops every partition whose whole range is older than p_retention (at least 1 day): catalog changes only, never a DELETE. With p_dry_run nothing changes and the rows say what would be done. One row per action: create or drop (or a single skipped row when another run holds the maintenance lock, a transaction-level advisory lock on (hashtext(''clerk-pg-sync: ledger maintenance''), 0)), the partition, its received_at range and its estimated row count (planner statistics, no table is read). Waits at most 5 s for a lock (lock_timeout) so it never holds up deliveries for long. A run that is neither a dry run nor skipped records its time and the partitions it dropped in app_private.ledger_maintenance. Owner only; the server runs it on a schedule.';
--! EndIncluded functions/prune_webhook_events.sql
