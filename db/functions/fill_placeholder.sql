-- A membership carries its user's public_user_data, an invitation its organization's
-- public_organization_data: snapshots without a version of their own. They never compete with a
-- version: they only stand in on a placeholder row (no version from Clerk yet), whose public fields
-- they replace, and the object's own event replaces them in turn. The caller passes the snapshot
-- only when the carrying event is the newest version of its own object, so the placeholder shows
-- the newest snapshot whatever the arrival order. A deleted user is never filled: nothing personal
-- returns after a deletion. A deleted organization's tombstone is (its name is no one's personal
-- data), so the result does not depend on whether the deletion came first.
create or replace function app_private.fill_placeholder(p_kind text, p_id text, p_snapshot jsonb) returns integer
language plpgsql volatile as $$
begin
  if jsonb_typeof(p_snapshot) is distinct from 'object' then
    return 0;
  end if;
  if p_kind = 'users' then
    update app_public.users as u
       set first_name = s.first_name, last_name = s.last_name, image_url = s.image_url, email = s.email, synced_at = now()
      from (select nullif(p_snapshot ->> 'first_name', '') as first_name,
                   nullif(p_snapshot ->> 'last_name', '') as last_name,
                   nullif(p_snapshot ->> 'image_url', '') as image_url,
                   -- The identifier is whatever the user signs in with; only an email address is an email.
                   case when p_snapshot ->> 'identifier' like '%_@_%' then p_snapshot ->> 'identifier' end as email) as s
     where u.id = p_id and u.clerk_updated_at is null and u.deleted_at is null
       and (u.first_name, u.last_name, u.image_url, u.email) is distinct from (s.first_name, s.last_name, s.image_url, s.email);
  elsif p_kind = 'organizations' then
    update app_public.organizations as o
       set name = s.name, slug = s.slug, image_url = s.image_url, synced_at = now()
      from (select nullif(p_snapshot ->> 'name', '') as name,
                   nullif(p_snapshot ->> 'slug', '') as slug,
                   nullif(p_snapshot ->> 'image_url', '') as image_url) as s
     where o.id = p_id and o.clerk_updated_at is null
       and (o.name, o.slug, o.image_url) is distinct from (s.name, s.slug, s.image_url);
  else
    raise exception 'no placeholders of %', p_kind using errcode = '22023';
  end if;
  return case when found then 1 else 0 end;
end;
$$;
comment on function app_private.fill_placeholder(text, text, jsonb) is
  E'Sets the public fields of a placeholder user (names, image, email when the identifier is one) or '
  'organization (name, slug, image) from an unversioned snapshot another event carries; never a row '
  'Clerk has sent a version of, never a deleted user. Returns 1 when it changed the row.';
