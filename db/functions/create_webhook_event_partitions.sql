-- Monthly partitions, created ahead of time so a delivery never waits on DDL. A delivery whose
-- month has no partition yet (maintenance was off for months) lands in the default partition,
-- and is moved into its month's partition when that is created here.
create or replace function app_private.create_webhook_event_partitions(p_months_ahead integer default 2, p_now timestamptz default now(), p_dry_run boolean default false)
returns table (partition_name text, range_start timestamptz, range_end timestamptz)
language plpgsql volatile as $$
declare
  v_month timestamp;
  v_stranded boolean;
begin
  for v_month in
    select m from generate_series(date_trunc('month', p_now at time zone 'UTC'),
                                  date_trunc('month', p_now at time zone 'UTC') + make_interval(months => greatest(p_months_ahead, 0)),
                                  interval '1 month') as m
  loop
    partition_name := 'webhook_events_' || to_char(v_month, 'YYYY_MM');
    range_start := v_month at time zone 'UTC';
    range_end := (v_month + interval '1 month') at time zone 'UTC';
    continue when exists (select from app_private.webhook_event_partitions() as p
                           where not p.is_default and p.range_start < create_webhook_event_partitions.range_end and p.range_end > create_webhook_event_partitions.range_start);
    if not p_dry_run then
      select exists (select from app_private.webhook_events_default as d where d.received_at >= range_start and d.received_at < range_end) into v_stranded;
      if v_stranded then
        -- Postgres refuses a partition for rows the default partition holds: set them aside,
        -- create the partition, and route them again (to it, or to a fresh default partition).
        alter table app_private.webhook_events detach partition app_private.webhook_events_default;
        alter table app_private.webhook_events_default rename to webhook_events_default_moving;
        alter table app_private.webhook_events_default_moving rename constraint webhook_events_default_pkey to webhook_events_default_moving_pkey;
        execute format('create table app_private.%I partition of app_private.webhook_events for values from (%L) to (%L)', partition_name, range_start, range_end);
        create table app_private.webhook_events_default partition of app_private.webhook_events default;
        alter table app_private.webhook_events_default add constraint webhook_events_default_pkey primary key (svix_id);
        comment on table app_private.webhook_events_default is E'Ledger rows received in a month that had no partition yet; moved into its partition when that is created.';
        insert into app_private.webhook_events select * from app_private.webhook_events_default_moving;
        drop table app_private.webhook_events_default_moving;
      else
        execute format('create table app_private.%I partition of app_private.webhook_events for values from (%L) to (%L)', partition_name, range_start, range_end);
      end if;
      -- The key, unique within the partition: see the comment on app_private.webhook_events.
      execute format('alter table app_private.%I add constraint %I primary key (svix_id)', partition_name, partition_name || '_pkey');
      execute format('comment on table app_private.%I is %L', partition_name,
        format('Ledger rows received in %s (UTC). Dropped whole once older than the payload retention.', to_char(v_month, 'YYYY-MM')));
    end if;
    return next;
  end loop;
end;
$$;
revoke all on function app_private.create_webhook_event_partitions(integer, timestamptz, boolean) from public;
comment on function app_private.create_webhook_event_partitions(integer, timestamptz, boolean) is E'Creates the monthly partitions of app_private.webhook_events (UTC months, named webhook_events_YYYY_MM) from the month of p_now to p_months_ahead months later where no partition covers them yet; rows that landed in the default partition for such a month are moved into it. Returns the partitions created (with p_dry_run: those it would create, creating nothing). Owner only.';
