-- Live change notifications leave through a queue: the row triggers insert into it, and one relay
-- at a time sends it with NOTIFY in batches. NOTIFY in the delivery's own transaction made every
-- delivery's commit wait for the cluster-wide NOTIFY lock.
-- Unlogged: its rows are worth nothing after a crash (the LISTEN connections break too, and
-- subscribers reconnect and refetch), so it writes no WAL.
create unlogged table if not exists app_private.live_changes (
  id bigint generated always as identity primary key,
  channel text not null,
  payload text not null,
  queued_at timestamptz not null default now()
);
comment on table app_private.live_changes is
  'Change notifications for live subscriptions, queued by app_private.notify_live_change and sent with '
  'NOTIFY by app_private.relay_live_changes, which removes them. Unlogged: emptied by a crash, when '
  'every LISTEN connection breaks and subscribers refetch anyway.';
comment on column app_private.live_changes.id is 'Queue order: the relay sends oldest first.';
comment on column app_private.live_changes.channel is 'The NOTIFY channel (app_private.live_channel): org:<id> or user:<id>.';
comment on column app_private.live_changes.payload is 'The notification: {kind, id, op, org}, ids only.';
comment on column app_private.live_changes.queued_at is 'When the change was queued (its transaction''s start).';
revoke all on app_private.live_changes from public;

--!include functions/notify_live_change.sql
--!include functions/relay_live_changes.sql
--!include triggers/live_changes.sql
