create or replace function app_private.sync_role(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_permissions jsonb := case when jsonb_typeof(event.data -> 'permissions') = 'array' then event.data -> 'permissions' else '[]' end;
  v_permission jsonb;
  v_changed boolean := false;
begin
  if event.event_type = 'role.deleted' then
    v_changed := app_private.apply_clerk_change(event, 'roles', v_data ->> 'id', p_deleted_at => app_private.clerk_deletion_time(event));
  elsif event.event_type in ('role.created', 'role.updated') then
    -- The embedded permissions first, in id order so concurrent role events lock them in the same order.
    for v_permission in
      select p from jsonb_array_elements(v_permissions) as p where jsonb_typeof(p) = 'object' and p ->> 'id' <> '' order by p ->> 'id'
    loop
      if app_private.apply_permission(row(event.svix_id, event.event_type, v_permission, event.occurred_at, event.client_ip, event.user_agent)::app_private.clerk_event) then
        v_changed := true;
      end if;
    end loop;
    -- Not `apply_clerk_change(…) or v_changed`: with a subquery among the arguments the statement
    -- is planned with v_changed as a constant, and `… or true` would skip the call.
    if app_private.apply_clerk_change(
      event, 'roles', v_data ->> 'id',
      p_fields => jsonb_build_object(
        'key', v_data ->> 'key',
        'name', v_data ->> 'name',
        'description', v_data ->> 'description',
        'is_creator_eligible', app_private.jsonb_boolean(v_data -> 'is_creator_eligible'),
        'permission_ids', to_jsonb(array(select distinct p ->> 'id' from jsonb_array_elements(v_permissions) as p
                                          where jsonb_typeof(p) = 'object' and p ->> 'id' <> '' order by 1)),
        'clerk_created_at', app_private.clerk_time(v_data -> 'created_at')),
      p_version => app_private.clerk_event_version(event)) then
      v_changed := true;
    end if;
  else
    return 'ignored';
  end if;
  perform app_private.refresh_role_permissions(array[v_data ->> 'id']);
  return case when v_changed then 'processed' else 'stale' end;
end;
$$;
comment on function app_private.sync_role(app_private.clerk_event) is E'role.created/updated/deleted into app_public.roles; the deletion is a tombstone (soft delete). The full permissions a role event embeds are applied to app_public.permissions too, and the role''s app_public.role_permissions links are rewritten from its newest version. Returns processed, stale or ignored (other role.* types).';
