-- The driver row of the signed-in user in the active organization, for the policies that let a
-- driver see and report on their own loads. SECURITY DEFINER so it reads drivers without going
-- through (and recursing into) the drivers policies; the unique (organization_id, user_id)
-- index makes it one index lookup.
create or replace function app_public.current_driver_id() returns uuid
  language sql stable security definer parallel safe
  set search_path = pg_catalog, pg_temp
  as $$
    select d.id from app_public.drivers d
     where d.user_id = app_public.current_user_id() and d.organization_id = app_public.current_org_id()
  $$;

comment on function app_public.current_driver_id() is E'The id of the visitor''s own driver row in the active organization; null when they are not a driver there.';
revoke all on function app_public.current_driver_id() from public;
grant execute on function app_public.current_driver_id() to authenticated, anonymous;
