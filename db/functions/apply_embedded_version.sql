-- Clerk embeds whole objects in other objects' events: a membership carries its organization, a
-- session (in newer payloads) its user. Each such copy is a version of its own object, with its
-- own updated_at, so it goes through the object's own rules: the staleness guard (a newer row is
-- never overwritten), deletions are final, the audit row. A placeholder left by an earlier child
-- fills at once. The copy counts as one microsecond older than its updated_at: Clerk's own event of
-- the same version (millisecond times) still applies over it, with what a copy leaves out (private
-- metadata), so the outcome does not depend on which of the two arrives first.
create or replace function app_private.apply_embedded_version(event app_private.clerk_event, p_kind text, p_data jsonb) returns integer
language plpgsql volatile as $$
declare
  v_version timestamptz := app_private.clerk_time(p_data -> 'updated_at');
  v_held timestamptz;
begin
  -- Only a whole object is a version: an id and its own updated_at. Partial snapshots (an
  -- invitation's public_organization_data, a membership's public_user_data) are not.
  if jsonb_typeof(p_data) is distinct from 'object' or nullif(p_data ->> 'id', '') is null or v_version is null then
    return 0;
  end if;
  v_version := v_version - interval '1 microsecond';
  -- Most copies repeat a version already held: tell so without locking the row, so deliveries of
  -- one organization's memberships do not queue on the organization.
  if p_kind = 'organizations' then
    select o.clerk_updated_at into v_held from app_public.organizations as o where o.id = p_data ->> 'id';
  elsif p_kind = 'users' then
    select u.clerk_updated_at into v_held from app_public.users as u where u.id = p_data ->> 'id';
  end if;
  if v_held >= v_version then
    return 0;
  end if;
  if p_kind = 'organizations' then
    return app_private.apply_organization_change(event, p_data ->> 'id', app_private.organization_version_of(p_data), p_version => v_version)::integer;
  elsif p_kind = 'users' then
    return app_private.apply_user_change(event, p_data ->> 'id', app_private.user_version_of(p_data), p_version => v_version)::integer;
  end if;
  raise exception 'no embedded versions of %', p_kind using errcode = '22023';
end;
$$;
comment on function app_private.apply_embedded_version(app_private.clerk_event, text, jsonb) is
  E'Applies a whole object embedded in another event (p_kind organizations or users) as a version of '
  'its own, one microsecond older than its updated_at, through the same rules as its own events; '
  'returns 1 when it changed the row, 0 when stale or not a whole object (no id or updated_at).';
