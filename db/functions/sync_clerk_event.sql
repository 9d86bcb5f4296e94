create or replace function app_private.sync_clerk_event(event app_private.clerk_event) returns text
language plpgsql volatile as $$
begin
  return case split_part(event.event_type, '.', 1)
    when 'user' then app_private.sync_user(event)
    when 'organization' then app_private.sync_organization(event)
    when 'organizationMembership' then app_private.sync_membership(event)
    else 'ignored'
  end;
end;
$$;
comment on function app_private.sync_clerk_event(app_private.clerk_event) is E'Dispatches an event to the sync function of its family (the part of the type before the dot); types of no modelled family are ignored. Returns processed, stale or ignored.';
