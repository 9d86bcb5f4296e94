-- The active organization, fresher than the token: null once the synced data contradicts the
-- session (the membership ended, the organization or the user was deleted, the user is banned);
-- the token's while no membership is synced yet. current_access decides. The policies of the
-- organization's own rows key on it as `(select app_public.current_live_org_id())`, one initplan.
create or replace function app_public.current_live_org_id() returns text
  language sql stable parallel safe
  as $$ select (app_public.current_access()).organization_id $$;

comment on function app_public.current_live_org_id() is E'@behavior -*\nThe organization active in the session token, unless the synced membership, organization or user contradicts it; null then, and without an active organization.';
revoke all on function app_public.current_live_org_id() from public;
grant execute on function app_public.current_live_org_id() to authenticated, anonymous;
