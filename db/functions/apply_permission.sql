-- Shared by permission.* events and the full permission objects embedded in role events, so a
-- role event also brings the permissions it lists up to date (each guarded by its own updated_at).
create or replace function app_private.apply_permission(event app_private.clerk_event) returns boolean
language sql volatile as $$
  select app_private.apply_clerk_change(
    event, 'permissions', event.data ->> 'id',
    p_fields => jsonb_build_object(
      'key', event.data ->> 'key',
      'name', event.data ->> 'name',
      'description', event.data ->> 'description',
      'type', event.data ->> 'type',
      'clerk_created_at', app_private.clerk_time(event.data -> 'created_at')),
    p_version => app_private.clerk_event_version(event))
$$;
comment on function app_private.apply_permission(app_private.clerk_event) is E'Applies the full permission in event.data to app_public.permissions (staleness guard and audit through apply_clerk_change). Returns false when it was stale.';
