-- Whether an event carries the newest version of its object seen so far (no row yet, a
-- placeholder, or a row of the same or an older version): what decides if the snapshots it embeds
-- may stand in on placeholders. Read before the event's own row is locked, so it takes no lock.
create or replace function app_private.clerk_event_is_newest(p_kind text, p_id text, p_version timestamptz) returns boolean
language plpgsql stable as $$
declare
  v_held timestamptz;
begin
  if p_kind = 'organization_memberships' then
    select m.clerk_updated_at into v_held from app_public.organization_memberships as m where m.id = p_id;
  elsif p_kind = 'organization_invitations' then
    select i.clerk_updated_at into v_held from app_public.organization_invitations as i where i.id = p_id;
  else
    raise exception 'no versions of % here', p_kind using errcode = '22023';
  end if;
  return v_held is null or p_version is null or p_version >= v_held;
end;
$$;
comment on function app_private.clerk_event_is_newest(text, text, timestamptz) is
  E'True when p_version is at least the version held for the membership or invitation p_id (or none is held).';
