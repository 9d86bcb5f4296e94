create or replace function app_private.sync_user(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_user app_public.users;
  v_deleted_at timestamptz;
  v_changes integer;
begin
  if event.event_type = 'user.deleted' then
    v_deleted_at := app_private.clerk_deletion_time(event);
    -- Before the row is scrubbed: the erasure reads the addresses the row still holds.
    perform app_private.erase_user_personal_data(v_data ->> 'id');
    -- The user first, then its memberships: the order deletions lock rows in.
    v_changes := app_private.apply_user_change(event, v_data ->> 'id', p_deleted_at => v_deleted_at)::integer;
    v_changes := v_changes + app_private.cascade_clerk_delete(event, 'organization_memberships', 'user_id', v_data ->> 'id', v_deleted_at);
    -- The user's address is personal data too where Clerk's messages recorded it.
    update app_private.clerk_messages as m set to_address = null where m.user_id = v_data ->> 'id' and m.to_address is not null;
  elsif event.event_type in ('user.created', 'user.updated') then
    v_user := app_private.user_version_of(v_data);
    v_changes := app_private.apply_user_change(
      event, v_data ->> 'id', v_user,
      p_version => app_private.clerk_event_version(event),
      p_private_metadata => app_private.jsonb_object_or_empty(v_data -> 'private_metadata'))::integer;
  end if;
  return app_private.clerk_sync_outcome(v_changes);
end;
$$;
comment on function app_private.sync_user(app_private.clerk_event) is E'user.created/updated/deleted into app_public.users. A deletion soft-deletes the user, scrubs personal data (row, private metadata, audit history, recipient of its Clerk emails/SMS, every ledger payload about or embedding the user: app_private.erase_user_personal_data) and soft-deletes the user''s memberships. Returns processed, stale or ignored (other user.* types).';
