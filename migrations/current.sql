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
--!include functions/webhook_event_result.sql
--!include functions/claim_webhook_key.sql
--!include functions/record_webhook_event.sql
--!include functions/webhook_event_partitions.sql
--!include functions/create_webhook_event_partitions.sql
--!include functions/prune_webhook_events.sql
select app_private.create_webhook_event_partitions();
