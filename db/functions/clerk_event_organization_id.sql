create or replace function app_private.clerk_event_organization_id(payload jsonb) returns text
language sql immutable parallel safe as $$
  select coalesce(
    nullif(payload #>> '{data,organization,id}', ''),
    nullif(payload #>> '{data,organization_id}', ''),
    case when payload ->> 'type' like 'organization.%' then nullif(payload #>> '{data,id}', '') end
  )
$$;
comment on function app_private.clerk_event_organization_id(jsonb) is E'The organization a Clerk event concerns: the embedded organization (memberships), data.organization_id (invitations, domains, billing; "" counts as none), or the organization itself; null otherwise.';
