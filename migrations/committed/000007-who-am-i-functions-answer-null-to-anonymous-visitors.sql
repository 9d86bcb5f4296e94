--! Previous: sha1:7f38e72fe1a5308d3dcecd349fce3e1dd2abd5ea
--! Hash: sha1:95a6265e8b4f318b2934eb3b5ea4a468c3462fcf
--! Message: Who-am-I functions answer null to anonymous visitors

-- Who-am-I functions answer null to anonymous visitors instead of a permission error (issue 6).
--! Included functions/current_user.sql
-- Convenience for clients: the visitor's own user row (row-level security still applies).
-- plpgsql so an anonymous visitor, who holds no privilege on users, gets null instead of a
-- permission error: the table is only read when there is a user to look for.
create or replace function app_public.current_user() returns app_public.users
  language plpgsql stable
  as $$
declare
  v_user_id text := app_public.current_user_id();
  v_user app_public.users;
begin
  if v_user_id is null then
    return null;
  end if;
  select * into v_user from app_public.users where id = v_user_id;
  return v_user;
end
$$;

comment on function app_public.current_user() is E'The signed-in user; null when anonymous or not synced yet.';
grant execute on function app_public.current_user() to authenticated, anonymous;
--! EndIncluded functions/current_user.sql
--! Included functions/current_organization.sql
-- Convenience for clients: the organization active in the session (row-level security still
-- applies). plpgsql so a visitor without an active organization (anonymous ones hold no privilege
-- on organizations) gets null instead of a permission error.
create or replace function app_public.current_organization() returns app_public.organizations
  language plpgsql stable
  as $$
declare
  v_org_id text := app_public.current_org_id();
  v_organization app_public.organizations;
begin
  if v_org_id is null then
    return null;
  end if;
  select * into v_organization from app_public.organizations where id = v_org_id;
  return v_organization;
end
$$;

comment on function app_public.current_organization() is E'The organization active in the visitor''s session; null without one, or when it is deleted or not synced yet.';
grant execute on function app_public.current_organization() to authenticated, anonymous;
--! EndIncluded functions/current_organization.sql
