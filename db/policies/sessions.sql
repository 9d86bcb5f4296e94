-- Row-level security of app_public.sessions (how a policy file is laid out: db/CONVENTIONS.md).
select app_private.secure_table('app_public.sessions');

grant select on app_public.sessions to authenticated;

-- Tenants: read-only, a user's own sessions. Organization admins get no view of their members'
-- sessions: a session belongs to a user across organizations (last_active_organization_id is only
-- where they were last), and its times reveal activity outside the organization.
drop policy if exists select_own on app_public.sessions;
create policy select_own on app_public.sessions for select to authenticated
  using (user_id = (select app_public.current_user_id()));
comment on policy select_own on app_public.sessions is E'A user sees their own sessions (every status).';
