create or replace function app_private.sync_role(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_permissions jsonb := case when jsonb_typeof(event.data -> 'permissions') = 'array' then event.data -> 'permissions' else '[]' end;
  v_permission jsonb;
  v_changes integer;
begin
  if event.event_type = 'role.deleted' then
    v_changes := app_private.apply_clerk_change(event, 'roles', v_data ->> 'id', p_deleted_at => app_private.clerk_deletion_time(event))::integer;
  elsif event.event_type in ('role.created', 'role.updated') then
    v_changes := 0;
    -- The embedded permissions first, in id order so concurrent role events lock them in the same order.
    for v_permission in
      select p from jsonb_array_elements(v_permissions) as p where jsonb_typeof(p) = 'object' and p ->> 'id' <> '' order by p ->> 'id'
    loop
      v_changes := v_changes + app_private.apply_permission(row(event.svix_id, event.event_type, v_permission, event.occurred_at, event.client_ip, event.user_agent)::app_private.clerk_event)::integer;
    end loop;
    v_changes := v_changes + app_private.apply_clerk_change(
      event, 'roles', v_data ->> 'id',
      p_fields => jsonb_build_object(
        'key', v_data ->> 'key',
        'name', v_data ->> 'name',
        'description', v_data ->> 'description',
        'is_creator_eligible', app_private.jsonb_boolean(v_data -> 'is_creator_eligible'),
        'permission_ids', to_jsonb(array(select distinct p ->> 'id' from jsonb_array_elements(v_permissions) as p
                                          where jsonb_typeof(p) = 'object' and p ->> 'id' <> '' order by 1)),
        'clerk_created_at', app_private.clerk_time(v_data -> 'created_at')),
      p_version => app_private.clerk_event_version(event))::integer;
  end if;
  if v_changes is not null then
    perform app_private.refresh_role_permissions(array[v_data ->> 'id']);
  end if;
  return app_private.clerk_sync_outcome(v_changes);
end;
$$;
comment on function app_private.sync_role(app_private.clerk_event) is E'role.created/updated/deleted into app_public.roles; the deletion is a tombstone (soft delete). The full permissions a role event embeds are applied to app_public.permissions too, and the role''s app_public.role_permissions links are rewritten from its newest version. Returns processed, stale or ignored (other role.* types).';
