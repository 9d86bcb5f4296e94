create or replace function app_private.sync_organization_domain(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_changes integer;
begin
  if event.event_type = 'organizationDomain.deleted' then
    -- A tombstone: it names no organization, the row keeps the one it had.
    v_changes := app_private.apply_clerk_change(event, 'organization_domains', v_data ->> 'id', p_deleted_at => app_private.clerk_deletion_time(event))::integer;
  elsif event.event_type in ('organizationDomain.created', 'organizationDomain.updated') then
    v_changes := app_private.apply_clerk_change(
      event, 'organization_domains', v_data ->> 'id',
      p_fields => jsonb_build_object(
        'organization_id', v_data ->> 'organization_id',
        'name', v_data ->> 'name',
        'enrollment_mode', v_data ->> 'enrollment_mode',
        -- `verification` is the deprecated name of affiliation_verification.
        'verification_status', coalesce(v_data #>> '{affiliation_verification,status}', v_data #>> '{verification,status}'),
        'affiliation_email_address', v_data ->> 'affiliation_email_address',
        'total_pending_invitations', app_private.jsonb_integer(v_data -> 'total_pending_invitations'),
        'total_pending_suggestions', app_private.jsonb_integer(v_data -> 'total_pending_suggestions'),
        'clerk_created_at', app_private.clerk_time(v_data -> 'created_at')),
      p_version => app_private.clerk_event_version(event),
      p_deleted_at => app_private.ensure_clerk_parent('organizations', nullif(v_data ->> 'organization_id', '')))::integer;
  end if;
  return app_private.clerk_sync_outcome(v_changes);
end;
$$;
comment on function app_private.sync_organization_domain(app_private.clerk_event) is E'organizationDomain.created/updated/deleted into app_public.organization_domains; the deletion is a tombstone (soft delete). A placeholder organization when the domain arrives first; stored deleted when its organization is. Returns processed, stale or ignored (other organizationDomain.* types).';
