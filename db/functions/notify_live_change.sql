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
