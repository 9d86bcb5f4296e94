create or replace function app_private.sync_organization_membership(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_membership app_public.organization_memberships;
  v_inherited_deleted_at timestamptz;
  v_changes integer;
  v_embedded integer;
begin
  if event.event_type in ('organizationMembership.created', 'organizationMembership.updated', 'organizationMembership.deleted') then
    v_membership.organization_id := v_data #>> '{organization,id}';
    v_membership.user_id := v_data #>> '{public_user_data,user_id}';
    -- Parents first, in the same order as their deletions lock them: the organization as the
    -- membership embeds it (a version of its own), else a placeholder; the user as a placeholder,
    -- filled from public_user_data while Clerk has sent no version of it.
    v_embedded := app_private.apply_embedded_version(event, 'organizations', v_data -> 'organization');
    v_inherited_deleted_at := least(
      app_private.ensure_clerk_parent('organizations', v_membership.organization_id),
      app_private.ensure_clerk_parent('users', v_membership.user_id));
    if app_private.clerk_event_is_newest('organization_memberships', v_data ->> 'id', app_private.clerk_event_version(event)) then
      v_embedded := v_embedded + app_private.fill_placeholder('users', v_membership.user_id, v_data -> 'public_user_data');
    end if;
    v_membership.role := v_data ->> 'role';
    v_membership.role_name := v_data ->> 'role_name';
    v_membership.permissions := app_private.jsonb_text_array(v_data -> 'permissions');
    v_membership.public_metadata := app_private.jsonb_object_or_empty(v_data -> 'public_metadata');
    v_membership.clerk_created_at := app_private.clerk_time(v_data -> 'created_at');
    -- Every membership event carries the full membership, the deletion too.
    v_changes := app_private.apply_organization_membership_change(
      event, v_data ->> 'id', v_membership,
      p_version => app_private.clerk_event_version(event),
      p_deleted_at => app_private.clerk_deleted_at(
        v_inherited_deleted_at,
        case when event.event_type = 'organizationMembership.deleted' then app_private.clerk_deletion_time(event) end),
      p_private_metadata => app_private.jsonb_object_or_empty(v_data -> 'private_metadata'))::integer + v_embedded;
  end if;
  return app_private.clerk_sync_outcome(v_changes);
end;
$$;
comment on function app_private.sync_organization_membership(app_private.clerk_event) is E'organizationMembership.created/updated/deleted into app_public.organization_memberships. Applies the embedded organization as a version of its own (a placeholder fills at once), creates a placeholder user filled from public_user_data when the membership arrives first; a membership of an already deleted organization or user is stored deleted. Returns processed, stale or ignored (other organizationMembership.* types).';
