-- Tells GraphQL subscribers that a row changed, with ids only: the payload names the table (kind),
-- the row's id, the operation and the organization, never a column value, because every listener
-- of a channel receives it. Subscribers load the row themselves, under their own row-level security.
-- NOTIFY is transactional: a delivery that rolls back (or a failed one, whose work is rolled back to
-- its savepoint) notifies nobody, and a duplicate or stale delivery writes no row, so it notifies
-- nobody either.
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
  if v_organization_id is not null then
    perform pg_notify(app_private.live_channel('org', v_organization_id), v_payload);
  end if;
  if v_user_id is not null then
    perform pg_notify(app_private.live_channel('user', v_user_id), v_payload);
  end if;
  return null;
end;
$$;

revoke all on function app_private.notify_live_change() from public;
comment on function app_private.notify_live_change() is
  'AFTER row trigger: NOTIFY org:<organization> and user:<user> (the columns named by the trigger '
  'arguments) with {kind, id, op, org} and nothing else.';
