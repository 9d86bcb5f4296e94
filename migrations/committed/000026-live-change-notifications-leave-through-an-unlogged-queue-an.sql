--! Previous: sha1:a42efd8abbe6176a2783588b2b2208bdd208c741
--! Hash: sha1:90f6c0a4a99a5c96c98a02c177c38638aca28d8b
--! Message: Live change notifications leave through an unlogged queue and one relay; audit rows of no organization skip the live trigger

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

--! Included functions/notify_live_change.sql
-- Tells GraphQL subscribers that a row changed, with ids only: the payload names the table (kind),
-- the row's id, the operation and the organization, never a column value, because every listener
-- of a channel receives it. Subscribers load the row themselves, under their own row-level security.
-- The change is queued in app_private.live_changes, not sent with pg_notify here: PostgreSQL lets
-- only one transaction that issued a NOTIFY commit at a time (through its WAL flush), which would
-- serialize every delivery's commit. app_private.relay_live_changes sends the queue in batches.
-- The queue is transactional: a delivery that rolls back (or a failed one, whose work is rolled back
-- to its savepoint) queues nothing, and a duplicate or stale delivery writes no row, so it queues
-- nothing either.
-- Trigger arguments: the column holding the organization id and the one holding the user id (''
-- for none): the change goes to `org:<organization>` and to `user:<user>`.
-- SECURITY DEFINER because tenants' own writes fire it too, and they have no access to app_private.
create or replace function app_private.notify_live_change() returns trigger
  language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
  as $$
declare
  v_row jsonb := to_jsonb(case when tg_op = 'DELETE' then old else new end);
  v_organization_id text := case when tg_argv[0] <> '' then v_row ->> tg_argv[0] end;
  v_user_id text := case when tg_nargs > 1 and tg_argv[1] <> '' then v_row ->> tg_argv[1] end;
  v_payload text;
begin
  v_payload := json_build_object(
    'kind', tg_table_name,
    'id', v_row ->> 'id',
    -- A soft delete (deleted_at set) is a deletion to a subscriber.
    'op', case
      when tg_op = 'INSERT' then 'insert'
      when tg_op = 'DELETE' then 'delete'
      when v_row ->> 'deleted_at' is not null and to_jsonb(old) ->> 'deleted_at' is null then 'delete'
      else 'update'
    end,
    'org', v_organization_id
  )::text;
  -- NOTIFY refuses payloads of 8000 bytes and more; only an absurd id could get there, and a
  -- write must never fail for want of a notification.
  if octet_length(v_payload) >= 8000 then
    return null;
  end if;
  insert into app_private.live_changes (channel, payload)
  select c, v_payload
    from unnest(array[app_private.live_channel('org', v_organization_id), app_private.live_channel('user', v_user_id)]) as c
   where c is not null;
  return null;
end;
$$;

revoke all on function app_private.notify_live_change() from public;
comment on function app_private.notify_live_change() is
  'AFTER row trigger: queues {kind, id, op, org} and nothing else for the channels org:<organization> '
  'and user:<user> (the columns named by the trigger arguments) in app_private.live_changes, which '
  'app_private.relay_live_changes sends with NOTIFY.';
--! EndIncluded functions/notify_live_change.sql
--! Included functions/relay_live_changes.sql
-- Sends the queued change notifications (app_private.live_changes) with NOTIFY, oldest first, and
-- removes them, in one transaction: its commit is the only one that waits on PostgreSQL's NOTIFY
-- queue lock, once per batch instead of once per delivery. Every server process calls it in a
-- loop; one at a time gets through (a transaction-level advisory lock, tried, never waited for),
-- so notifications leave in queue order. Changes of one row are queued in the order of their
-- commits (the second writer waits on the row lock), so they are sent in that order too.
-- Returns how many were sent, or null when another relay held the lock.
create or replace function app_private.relay_live_changes(max_changes integer default 1000) returns integer
  language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
  as $$
declare
  v_sent integer;
begin
  if not pg_try_advisory_xact_lock(hashtext('clerk-pg-sync: live relay'), 0) then
    return null;
  end if;
  with taken as (
    delete from app_private.live_changes as q
     where q.id in (select o.id from app_private.live_changes as o order by o.id limit greatest(1, relay_live_changes.max_changes))
    returning q.id, q.channel, q.payload
  )
  select count(*) into v_sent
    from (select pg_notify(t.channel, t.payload) from taken as t order by t.id) as sent;
  return v_sent;
end;
$$;

revoke all on function app_private.relay_live_changes(integer) from public;
grant execute on function app_private.relay_live_changes(integer) to clerk_webhook;
comment on function app_private.relay_live_changes(integer) is
  'Sends up to max_changes queued change notifications (app_private.live_changes) with NOTIFY, oldest '
  'first, and removes them. Returns the number sent, or null when another relay was running (a '
  'transaction-level advisory lock on (hashtext(''clerk-pg-sync: live relay''), 0), tried only). '
  'The server calls it in a loop (LIVE_RELAY_INTERVAL_MS).';
--! EndIncluded functions/relay_live_changes.sql
--! Included triggers/live_changes.sql
-- Which tables announce their changes to GraphQL subscribers, and on which channels (see
-- app_private.notify_live_change): arguments are the organization column and the user column.
-- AFTER row triggers, so the sync functions stay unaware of subscriptions; a table that should be
-- live gets one line here.
drop trigger if exists live_change on app_public.organizations;
create trigger live_change after insert or update or delete on app_public.organizations
  for each row execute function app_private.notify_live_change('id', '');

drop trigger if exists live_change on app_public.users;
create trigger live_change after insert or update or delete on app_public.users
  for each row execute function app_private.notify_live_change('', 'id');

drop trigger if exists live_change on app_public.organization_memberships;
create trigger live_change after insert or update or delete on app_public.organization_memberships
  for each row execute function app_private.notify_live_change('organization_id', 'user_id');

drop trigger if exists live_change on app_public.organization_invitations;
create trigger live_change after insert or update or delete on app_public.organization_invitations
  for each row execute function app_private.notify_live_change('organization_id', '');

drop trigger if exists live_change on app_public.organization_domains;
create trigger live_change after insert or update or delete on app_public.organization_domains
  for each row execute function app_private.notify_live_change('organization_id', '');

drop trigger if exists live_change on app_public.billing_subscriptions;
create trigger live_change after insert or update or delete on app_public.billing_subscriptions
  for each row execute function app_private.notify_live_change('organization_id', 'user_id');

drop trigger if exists live_change on app_public.billing_subscription_items;
create trigger live_change after insert or update or delete on app_public.billing_subscription_items
  for each row execute function app_private.notify_live_change('organization_id', 'user_id');

drop trigger if exists live_change on app_public.sessions;
create trigger live_change after insert or update or delete on app_public.sessions
  for each row execute function app_private.notify_live_change('', 'user_id');

-- Audit rows are only ever added (and redacted, which is not news). A row of no organization (a
-- user's own history) has no channel: the WHEN clause spares every user delivery the call.
drop trigger if exists live_change on app_public.audit_logs;
create trigger live_change after insert on app_public.audit_logs
  for each row when (new.organization_id is not null) execute function app_private.notify_live_change('organization_id', '');

-- The reference tenant's tables, written by visitors through GraphQL.
drop trigger if exists live_change on app_public.loads;
create trigger live_change after insert or update or delete on app_public.loads
  for each row execute function app_private.notify_live_change('organization_id', '');

drop trigger if exists live_change on app_public.drivers;
create trigger live_change after insert or update or delete on app_public.drivers
  for each row execute function app_private.notify_live_change('organization_id', '');

drop trigger if exists live_change on app_public.vehicles;
create trigger live_change after insert or update or delete on app_public.vehicles
  for each row execute function app_private.notify_live_change('organization_id', '');

drop trigger if exists live_change on app_public.compliance_documents;
create trigger live_change after insert or update or delete on app_public.compliance_documents
  for each row execute function app_private.notify_live_change('organization_id', '');

drop trigger if exists live_change on app_public.ifta_reports;
create trigger live_change after insert or update or delete on app_public.ifta_reports
  for each row execute function app_private.notify_live_change('organization_id', '');
--! EndIncluded triggers/live_changes.sql
