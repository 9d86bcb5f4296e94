--! Previous: sha1:726c66e491ee31ea649da92f477504e0cf9c9333
--! Hash: sha1:8d8a7599c1321561c4898ec6e836a966344432d6
--! Message: Partition the ledger by month of received_at; prune whole expired partitions

-- The ledger partitioned by month of received_at, so its retention drops whole partitions.
-- A ledger holding rows is not copied: the table becomes the partition of everything received
-- before next month (attaching reads it once to check that bound, writes nothing), and every new
-- month gets a partition of its own. An empty one is simply replaced.
do $$
declare
  v_boundary timestamptz := (date_trunc('month', now() at time zone 'UTC') + interval '1 month') at time zone 'UTC';
  v_function regprocedure;
  v_index record;
begin
  if (select c.relkind from pg_class as c where c.oid = 'app_private.webhook_events'::regclass) = 'p' then
    return;
  end if;
  alter table app_private.webhook_events rename to webhook_events_before_partitioning;
  alter table app_private.webhook_events_before_partitioning rename constraint webhook_events_pkey to webhook_events_before_partitioning_pkey;
  for v_index in
    select i.relname from pg_index as x join pg_class as i on i.oid = x.indexrelid
     where x.indrelid = 'app_private.webhook_events_before_partitioning'::regclass and not x.indisprimary
  loop
    execute format('alter index app_private.%I rename to %I', v_index.relname, replace(v_index.relname, 'webhook_events_', 'webhook_events_before_partitioning_'));
  end loop;

  create table app_private.webhook_events (
    svix_id text not null,
    event_type text,
    object_id text,
    organization_id text,
    payload jsonb not null,
    source text not null default 'webhook',
    outcome text not null constraint webhook_events_outcome_check check (outcome in ('processed', 'stale', 'ignored', 'failed')),
    error_code text,
    error_message text,
    attempts integer not null default 1,
    duplicates integer not null default 0,
    occurred_at timestamptz,
    received_at timestamptz not null default now(),
    last_received_at timestamptz not null default now(),
    processed_at timestamptz
  ) partition by range (received_at);
  create index webhook_events_received_at_idx on app_private.webhook_events (received_at);
  create index webhook_events_failed_idx on app_private.webhook_events (received_at) where outcome = 'failed';
  create index webhook_events_object_id_idx on app_private.webhook_events (object_id);
  create index webhook_events_user_id_idx on app_private.webhook_events (app_private.clerk_event_user_id(payload));
  create index webhook_events_inviter_id_idx on app_private.webhook_events ((payload #>> '{data,inviter_id}')) where event_type like 'organizationInvitation.%';
  create index webhook_events_address_idx on app_private.webhook_events (app_private.clerk_event_address(payload))
    where event_type in ('organizationInvitation.created', 'organizationInvitation.accepted', 'organizationInvitation.revoked',
                         'invitation.created', 'invitation.accepted', 'invitation.revoked', 'waitlistEntry.created',
                         'waitlistEntry.updated', 'email.created', 'sms.created');
  create table app_private.webhook_events_default partition of app_private.webhook_events default;
  alter table app_private.webhook_events_default add constraint webhook_events_default_pkey primary key (svix_id);

  if exists (select from app_private.webhook_events_before_partitioning) then
    -- Its primary key on svix_id stays (each partition has one); its other indexes match the new
    -- table's and are adopted as they are.
    execute format('alter table app_private.webhook_events attach partition app_private.webhook_events_before_partitioning for values from (minvalue) to (%L)', v_boundary);
    comment on table app_private.webhook_events_before_partitioning is E'Ledger rows received before the ledger was partitioned (up to the end of that month). Dropped whole once its newest row is older than the payload retention.';
  end if;

  -- Functions taking or returning the ledger's row type still name the old table's: dropped
  -- here, created again below for the new one.
  for v_function in
    select p.oid::regprocedure from pg_proc as p
     where p.prorettype = 'app_private.webhook_events_before_partitioning'::regtype
        or 'app_private.webhook_events_before_partitioning'::regtype = any(p.proargtypes)
  loop
    execute format('drop function %s', v_function);
  end loop;
  if not exists (select from pg_inherits as i where i.inhrelid = 'app_private.webhook_events_before_partitioning'::regclass) then
    drop table app_private.webhook_events_before_partitioning;
  end if;
end;
$$;
comment on table app_private.webhook_events is E'The ledger: every verified Clerk delivery, once, keyed by svix-id. Exactly-once holds through the advisory lock on the key (app_private.claim_webhook_key); each partition''s primary key on svix_id also refuses a second row from a writer that bypassed it (a unique index of the partitioned table itself would have to include received_at). Partitioned by month of received_at (webhook_events_YYYY_MM, UTC); app_private.prune_webhook_events drops the partitions older than the payload retention. Makes duplicates harmless and failed deliveries replayable (app_private.replay_webhook_event).';
comment on table app_private.webhook_events_default is E'Ledger rows received in a month that had no partition yet; moved into their month''s partition when that is created.';
comment on column app_private.webhook_events.svix_id is E'The svix-id header (the same on every retry and replay), or sha256:<hex of the payload as received, before redaction> when the caller had none.';
comment on column app_private.webhook_events.event_type is E'Clerk event type (payload.type); null when the payload had none.';
comment on column app_private.webhook_events.object_id is E'Clerk id of the object the event is about (data.id).';
comment on column app_private.webhook_events.organization_id is E'Organization the event concerns, when it has one.';
comment on column app_private.webhook_events.payload is E'The delivered body as received (a JSON string when the body was not JSON), except what must never be stored: app_private.webhook_payload_to_store redacts the one-time codes of email.created/sms.created before the insert, and a deleted user''s personal data (app_private.erase_user_personal_data erases it from earlier payloads when the user is deleted).';
comment on column app_private.webhook_events.source is E'Who submitted the event: webhook (default), backfill, or another caller naming itself.';
comment on column app_private.webhook_events.outcome is E'processed (changed data), stale (older than what we hold), ignored (type not modelled), failed (permanent error, see error_*).';
comment on column app_private.webhook_events.error_code is E'SQLSTATE of the permanent error when outcome is failed.';
comment on column app_private.webhook_events.error_message is E'Message of the permanent error when outcome is failed.';
comment on column app_private.webhook_events.attempts is E'How many times the event was processed: 1, plus one per replay.';
comment on column app_private.webhook_events.duplicates is E'How many further deliveries of the same svix-id arrived (answered duplicate, changed nothing).';
comment on column app_private.webhook_events.occurred_at is E'Envelope timestamp (when it happened in Clerk), when present.';
comment on column app_private.webhook_events.received_at is E'When the first delivery arrived (the partition key); stands in for missing event times, so replays decide the same way.';
comment on column app_private.webhook_events.last_received_at is E'When the latest delivery of this svix-id arrived.';
comment on column app_private.webhook_events.processed_at is E'When the latest processing finished.';
--! Included functions/webhook_event_result.sql
create or replace function app_private.webhook_event_result(ledger app_private.webhook_events, status text) returns jsonb
language sql immutable as $$
  select jsonb_strip_nulls(jsonb_build_object(
    'status', status,
    'svix_id', ledger.svix_id,
    'event_type', ledger.event_type,
    'object_id', ledger.object_id,
    'organization_id', ledger.organization_id,
    'error', case when status = 'failed' then jsonb_build_object('code', ledger.error_code, 'message', ledger.error_message) end,
    -- Why a delivery was ignored, when it was for a reason of its own (foreign_instance).
    'reason', case when status = 'ignored' then ledger.error_message end,
    'original_status', case when status = 'duplicate' then ledger.outcome end))
$$;
comment on function app_private.webhook_event_result(app_private.webhook_events, text) is E'The result object of handle_clerk_event and replay_webhook_event for a ledger row: status, svix_id, event_type, object_id, organization_id (when known), error {code, message} when failed, reason when ignored for a reason of its own (foreign_instance), original_status (the recorded outcome) when duplicate.';
--! EndIncluded functions/webhook_event_result.sql
--! Included functions/claim_webhook_key.sql
-- Exactly-once without relying on a unique index: a transaction-level advisory lock on the key
-- makes a second delivery of the same svix-id (from any receiver on the same database) wait here
-- until the first one's transaction ends; each statement of a read-committed transaction sees
-- what committed before it, so the look-up then finds the first delivery's ledger row.
create or replace function app_private.claim_webhook_key(p_key text) returns app_private.webhook_events
language plpgsql volatile as $$
declare
  v_earlier app_private.webhook_events;
begin
  perform pg_advisory_xact_lock(hashtextextended(p_key, 0));
  update app_private.webhook_events as w
     set duplicates = w.duplicates + 1, last_received_at = now()
   where w.svix_id = p_key
  returning * into v_earlier;
  return v_earlier;
end;
$$;
comment on function app_private.claim_webhook_key(text) is E'Takes the ledger key of a delivery for the rest of the transaction (an advisory lock: a concurrent delivery of the same key waits until this transaction ends), then looks for an earlier delivery of it. Returns that ledger row, counted one more duplicate, or a row of nulls when this is the first delivery.';
--! EndIncluded functions/claim_webhook_key.sql
--! Included functions/record_webhook_event.sql
-- The one insert of a delivery into the ledger, made after the sync with its final outcome, so the
-- row (and its payload) is written once. claim_webhook_key has already excluded a duplicate; a
-- conflict here means a writer that did not take that lock (an older receiver during a rolling
-- deploy) committed the key first: the delivery is retried, and the retry answers duplicate.
create or replace function app_private.record_webhook_event(
  p_key text,
  p_payload jsonb,
  p_source text,
  p_outcome text,
  p_error_code text,
  p_error_message text,
  p_occurred_at timestamptz
) returns app_private.webhook_events
language plpgsql volatile as $$
declare
  v_ledger app_private.webhook_events;
begin
  insert into app_private.webhook_events as w
         (svix_id, event_type, object_id, organization_id, payload, source, outcome, error_code, error_message, occurred_at, processed_at)
  values (p_key, p_payload ->> 'type', p_payload #>> '{data,id}', app_private.clerk_event_organization_id(p_payload), p_payload,
          p_source, p_outcome, p_error_code, p_error_message, p_occurred_at, clock_timestamp())
  -- Any key conflict: each partition's primary key on svix_id.
  on conflict do nothing
  returning * into v_ledger;
  if not found then
    raise exception 'delivery % was recorded concurrently', p_key using errcode = '40001';
  end if;
  return v_ledger;
end;
$$;
comment on function app_private.record_webhook_event(text, jsonb, text, text, text, text, timestamptz) is E'Inserts the ledger row of a first delivery with its final outcome (processed, stale, ignored, or failed with SQLSTATE and message) and returns it. Raises serialization_failure (40001, transient: the caller answers 503 and the retry is a duplicate) when the key was committed meanwhile by a writer that did not take claim_webhook_key''s lock.';
--! EndIncluded functions/record_webhook_event.sql
--! Included functions/webhook_event_partitions.sql
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
--! EndIncluded functions/webhook_event_partitions.sql
--! Included functions/create_webhook_event_partitions.sql
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
--! EndIncluded functions/create_webhook_event_partitions.sql
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
    end if;
    return query select 'drop', v_partition.partition_name, v_partition.range_start, v_partition.range_end, v_partition.estimated_rows;
  end loop;
end;
$$;
revoke all on function app_private.prune_webhook_events(interval, boolean, integer, timestamptz) from public;
comment on function app_private.prune_webhook_events(interval, boolean, integer, timestamptz) is E'Ledger maintenance: creates the monthly partitions of app_private.webhook_events up to p_months_ahead months ahead, and detaches and drops every partition whose whole range is older than p_retention (at least 1 day): catalog changes only, never a DELETE. With p_dry_run nothing changes and the rows say what would be done. One row per action: create or drop (or a single skipped row when another run holds the maintenance lock, a transaction-level advisory lock on (hashtext(''clerk-pg-sync: ledger maintenance''), 0)), the partition, its received_at range and its estimated row count (planner statistics, no table is read). Waits at most 5 s for a lock (lock_timeout) so it never holds up deliveries for long. Owner only; the server runs it on a schedule.';
--! EndIncluded functions/prune_webhook_events.sql
select app_private.create_webhook_event_partitions();
