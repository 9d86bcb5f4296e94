-- Row-level security of app_public.sessions. Synced by the SECURITY DEFINER sync functions,
-- owned by the migration owner; tenant policies are added per command below.
alter table app_public.sessions enable row level security;
alter table app_public.sessions force row level security;

drop policy if exists sync_owner_all on app_public.sessions;
create policy sync_owner_all on app_public.sessions for all to current_user using (true) with check (true);
comment on policy sync_owner_all on app_public.sessions is E'The owner (the role the SECURITY DEFINER sync functions run as) writes every row; forced RLS would otherwise block it too.';

revoke all on app_public.sessions from authenticated, anonymous;
grant select on app_public.sessions to authenticated;

-- Tenants: read-only, a user's own sessions. Organization admins get no view of their members'
-- sessions: a session belongs to a user across organizations (last_active_organization_id is only
-- where they were last), and its times reveal activity outside the organization.
drop policy if exists select_own on app_public.sessions;
create policy select_own on app_public.sessions for select to authenticated
  using (user_id = (select app_public.current_user_id()));
comment on policy select_own on app_public.sessions is E'A user sees their own sessions (every status).';
