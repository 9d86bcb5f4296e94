create or replace function app_private.sync_permission(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_id text := event.data ->> 'id';
  v_changes integer;
begin
  if event.event_type = 'permission.deleted' then
    v_changes := app_private.apply_clerk_change(event, 'permissions', v_id, p_deleted_at => app_private.clerk_deletion_time(event))::integer;
    perform app_private.refresh_role_permissions(array(select l.role_id from app_public.role_permissions as l where l.permission_id = v_id));
  elsif event.event_type in ('permission.created', 'permission.updated') then
    v_changes := app_private.apply_permission(event)::integer;
  end if;
  return app_private.clerk_sync_outcome(v_changes);
end;
$$;
comment on function app_private.sync_permission(app_private.clerk_event) is E'permission.created/updated/deleted into app_public.permissions; the deletion is a tombstone (soft delete) and unlinks the permission from every role. Returns processed, stale or ignored (other permission.* types).';
