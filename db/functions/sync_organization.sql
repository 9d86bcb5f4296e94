create or replace function app_private.sync_organization(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_organization app_public.organizations;
  v_deleted_at timestamptz;
  v_changes integer;
begin
  if event.event_type = 'organization.deleted' then
    v_deleted_at := app_private.clerk_deletion_time(event);
    -- The organization first, then its children: the order deletions lock rows in.
    v_changes := app_private.apply_organization_change(event, v_data ->> 'id', p_deleted_at => v_deleted_at)::integer;
    v_changes := v_changes + app_private.cascade_clerk_delete(event, 'organization_memberships', 'organization_id', v_data ->> 'id', v_deleted_at);
    v_changes := v_changes + app_private.cascade_clerk_delete(event, 'organization_invitations', 'organization_id', v_data ->> 'id', v_deleted_at);
    v_changes := v_changes + app_private.cascade_clerk_delete(event, 'organization_domains', 'organization_id', v_data ->> 'id', v_deleted_at);
  elsif event.event_type in ('organization.created', 'organization.updated') then
    v_organization := app_private.organization_version_of(v_data);
    v_changes := app_private.apply_organization_change(
      event, v_data ->> 'id', v_organization,
      p_version => app_private.clerk_event_version(event),
      p_private_metadata => app_private.jsonb_object_or_empty(v_data -> 'private_metadata'))::integer;
  end if;
  return app_private.clerk_sync_outcome(v_changes);
end;
$$;
comment on function app_private.sync_organization(app_private.clerk_event) is E'organization.created/updated/deleted into app_public.organizations. A deletion soft-deletes the organization and its memberships, invitations and domains. Returns processed, stale or ignored (other organization.* types).';
