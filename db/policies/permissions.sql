-- Row-level security of app_public.permissions. Synced by the SECURITY DEFINER sync functions,
-- owned by the migration owner; tenant policies are added per command below.
alter table app_public.permissions enable row level security;
alter table app_public.permissions force row level security;

drop policy if exists sync_owner_all on app_public.permissions;
create policy sync_owner_all on app_public.permissions for all to current_user using (true) with check (true);
comment on policy sync_owner_all on app_public.permissions is E'The owner (the role the SECURITY DEFINER sync functions run as) writes every row; forced RLS would otherwise block it too.';

revoke all on app_public.permissions from authenticated, anonymous;
grant select on app_public.permissions to authenticated;

-- Tenants: read-only. Roles and permissions are defined once per Clerk instance, not per
-- organization, and say nothing about anyone: every signed-in user may read the live ones.
drop policy if exists select_live on app_public.permissions;
create policy select_live on app_public.permissions for select to authenticated
  using (deleted_at is null);
comment on policy select_live on app_public.permissions is E'Every signed-in user sees the instance''s live permissions.';
