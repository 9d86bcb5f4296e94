-- Whether the visitor's session is known to have lost its access: the user was deleted or banned,
-- or current_access() (the one rule for permissions fresher than the token) refuses the active
-- organization (the membership ended, the organization was deleted). Tokens live up to a minute,
-- but a live subscription outlasts the moment its token was checked: subscriptions end when the
-- sync learns of the departure, and a token issued before it cannot open new ones. A membership
-- not synced yet is not a departure.
-- SECURITY DEFINER: deleted rows are hidden from the visitor by their policies.
create or replace function app_public.live_access_ended() returns boolean
  language sql stable security definer set search_path = pg_catalog, pg_temp
  as $$
    select coalesce((select u.deleted_at is not null or u.banned from app_public.users u where u.id = app_public.current_user_id()), false)
           or (app_public.current_org_id() is not null and (app_public.current_access()).organization_id is null)
  $$;

revoke all on function app_public.live_access_ended() from public;
grant execute on function app_public.live_access_ended() to authenticated;
comment on function app_public.live_access_ended() is
  E'@behavior -*\nWhether the visitor''s user is deleted or banned, or their access to the active organization '
  'ended (current_access refuses it): their live subscriptions end.';
