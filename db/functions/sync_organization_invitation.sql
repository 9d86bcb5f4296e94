create or replace function app_private.sync_organization_invitation(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_changes integer;
  v_filled integer := 0;
begin
  if event.event_type in ('organizationInvitation.created', 'organizationInvitation.accepted', 'organizationInvitation.revoked') then
    if app_private.clerk_event_is_newest('organization_invitations', v_data ->> 'id', app_private.clerk_event_version(event)) then
      -- The parent placeholder first (ensure_clerk_parent below finds it), in lock order.
      perform app_private.ensure_clerk_parent('organizations', nullif(v_data ->> 'organization_id', ''));
      v_filled := app_private.fill_placeholder('organizations', v_data ->> 'organization_id', v_data -> 'public_organization_data');
    end if;
    -- Every invitation event carries the full invitation; accepting and revoking are statuses.
    v_changes := app_private.apply_clerk_change(
      event, 'organization_invitations', v_data ->> 'id',
      p_fields => jsonb_build_object(
        'organization_id', v_data ->> 'organization_id',
        'email_address', v_data ->> 'email_address',
        'role', v_data ->> 'role',
        'role_name', v_data ->> 'role_name',
        'status', v_data ->> 'status',
        'inviter_id', nullif(v_data ->> 'inviter_id', ''),
        'user_id', nullif(v_data ->> 'user_id', ''),
        'url', v_data ->> 'url',
        'public_metadata', app_private.jsonb_object_or_empty(v_data -> 'public_metadata'),
        'expires_at', app_private.clerk_time(v_data -> 'expires_at'),
        'clerk_created_at', app_private.clerk_time(v_data -> 'created_at')),
      p_version => app_private.clerk_event_version(event),
      -- An invitation of an organization deleted already is stored deleted, as a late one is.
      p_deleted_at => app_private.ensure_clerk_parent('organizations', nullif(v_data ->> 'organization_id', '')),
      p_private_metadata => app_private.jsonb_object_or_empty(v_data -> 'private_metadata'))::integer
      -- An unversioned snapshot of the organization: it stands in on a placeholder only.
      + v_filled;
  end if;
  return app_private.clerk_sync_outcome(v_changes);
end;
$$;
comment on function app_private.sync_organization_invitation(app_private.clerk_event) is E'organizationInvitation.created/accepted/revoked into app_public.organization_invitations (a placeholder organization when the invitation arrives first; stored deleted when its organization is). Returns processed, stale or ignored (other organizationInvitation.* types).';
