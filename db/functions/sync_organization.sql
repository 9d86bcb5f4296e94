create or replace function app_private.sync_organization(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_deleted_at timestamptz;
  v_changed boolean;
begin
  if event.event_type = 'organization.deleted' then
    v_deleted_at := app_private.clerk_deletion_time(event);
    v_changed := app_private.apply_clerk_change(event, 'organizations', v_data ->> 'id', p_deleted_at => v_deleted_at);
    -- `if`, not `v_changed := cascade(…) or v_changed`: Postgres may plan that OR with v_changed
    -- as a constant and skip the call once v_changed is true (see sync_role).
    if app_private.cascade_clerk_delete(event, 'organization_memberships', 'organization_id', v_data ->> 'id', v_deleted_at) then
      v_changed := true;
    end if;
    if app_private.cascade_clerk_delete(event, 'organization_invitations', 'organization_id', v_data ->> 'id', v_deleted_at) then
      v_changed := true;
    end if;
    if app_private.cascade_clerk_delete(event, 'organization_domains', 'organization_id', v_data ->> 'id', v_deleted_at) then
      v_changed := true;
    end if;
  elsif event.event_type in ('organization.created', 'organization.updated') then
    v_changed := app_private.apply_clerk_change(
      event, 'organizations', v_data ->> 'id',
      p_fields => jsonb_build_object(
        'name', v_data ->> 'name',
        'slug', v_data ->> 'slug',
        'image_url', v_data ->> 'image_url',
        'created_by', nullif(v_data ->> 'created_by', ''),
        'max_allowed_memberships', app_private.jsonb_integer(v_data -> 'max_allowed_memberships'),
        'admin_delete_enabled', app_private.jsonb_boolean(v_data -> 'admin_delete_enabled'),
        'public_metadata', app_private.jsonb_object_or_empty(v_data -> 'public_metadata'),
        'clerk_created_at', app_private.clerk_time(v_data -> 'created_at')),
      p_version => app_private.clerk_event_version(event),
      p_private_metadata => app_private.jsonb_object_or_empty(v_data -> 'private_metadata'));
  else
    return 'ignored';
  end if;
  return case when v_changed then 'processed' else 'stale' end;
end;
$$;
comment on function app_private.sync_organization(app_private.clerk_event) is E'organization.created/updated/deleted into app_public.organizations. A deletion soft-deletes the organization and its memberships, invitations and domains. Returns processed, stale or ignored (other organization.* types).';
