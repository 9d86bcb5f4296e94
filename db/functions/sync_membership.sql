create or replace function app_private.sync_membership(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_organization_id text := event.data #>> '{organization,id}';
  v_user_id text := event.data #>> '{public_user_data,user_id}';
  v_inherited_deleted_at timestamptz;
begin
  if event.event_type not in ('organizationMembership.created', 'organizationMembership.updated', 'organizationMembership.deleted') then
    return 'ignored';
  end if;
  -- Parents first (placeholders if need be), in the same order as their deletions lock them.
  v_inherited_deleted_at := least(
    app_private.ensure_clerk_parent('organizations', v_organization_id),
    app_private.ensure_clerk_parent('users', v_user_id));
  -- Every membership event carries the full membership, the deletion too.
  return case when app_private.apply_clerk_change(
      event, 'organization_memberships', v_data ->> 'id',
      p_fields => jsonb_build_object(
        'organization_id', v_organization_id,
        'user_id', v_user_id,
        'role', v_data ->> 'role',
        'role_name', v_data ->> 'role_name',
        'permissions', to_jsonb(app_private.jsonb_text_array(v_data -> 'permissions')),
        'public_metadata', app_private.jsonb_object_or_empty(v_data -> 'public_metadata'),
        'clerk_created_at', app_private.clerk_time(v_data -> 'created_at')),
      p_version => app_private.clerk_event_version(event),
      p_deleted_at => least(
        v_inherited_deleted_at,
        case when event.event_type = 'organizationMembership.deleted' then app_private.clerk_deletion_time(event) end),
      p_private_metadata => app_private.jsonb_object_or_empty(v_data -> 'private_metadata'))
    then 'processed' else 'stale' end;
end;
$$;
comment on function app_private.sync_membership(app_private.clerk_event) is E'organizationMembership.created/updated/deleted into app_public.organization_memberships. Creates placeholder organization/user rows when the membership arrives first; a membership of an already deleted organization or user is stored deleted. Returns processed, stale or ignored (other organizationMembership.* types).';
