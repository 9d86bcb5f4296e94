create or replace function app_private.sync_clerk_message(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_changes integer;
begin
  if event.event_type in ('email.created', 'sms.created') then
    if coalesce(v_data ->> 'id', '') = '' then
      raise exception '% event without an object id', event.event_type using errcode = '22023';
    end if;
    -- A message is sent once and never changes: the first report of it is the record.
    insert into app_private.clerk_messages (id, channel, slug, status, user_id, to_address, from_address, identifier_id, delivered_by_clerk, svix_id, occurred_at)
    values (
      v_data ->> 'id',
      split_part(event.event_type, '.', 1),
      v_data ->> 'slug',
      v_data ->> 'status',
      nullif(v_data ->> 'user_id', ''),
      -- A deleted user's address is not kept (as user.deleted scrubs it from earlier messages).
      case when not exists (select from app_public.users as u where u.id = v_data ->> 'user_id' and u.deleted_at is not null)
        then coalesce(v_data ->> 'to_email_address', v_data ->> 'to_phone_number') end,
      coalesce(v_data ->> 'from_email_name', v_data ->> 'from_phone_number'),
      coalesce(v_data ->> 'email_address_id', v_data ->> 'phone_number_id'),
      app_private.jsonb_boolean(v_data -> 'delivered_by_clerk'),
      event.svix_id,
      event.occurred_at)
    on conflict (id) do nothing;
    get diagnostics v_changes = row_count;
  end if;
  return app_private.clerk_sync_outcome(v_changes);
end;
$$;
comment on function app_private.sync_clerk_message(app_private.clerk_event) is E'email.created and sms.created into app_private.clerk_messages (delivery metadata only; the ledger''s copy of the payload had its one-time codes redacted by app_private.handle_clerk_event before it was stored). No audit row: nothing tenant-visible changes. Returns processed, stale (message already recorded) or ignored.';
