-- Row-level security of app_public.role_permissions. Synced by the SECURITY DEFINER sync functions,
-- owned by the migration owner; tenant policies are added per command below.
alter table app_public.role_permissions enable row level security;
alter table app_public.role_permissions force row level security;

drop policy if exists sync_owner_all on app_public.role_permissions;
create policy sync_owner_all on app_public.role_permissions for all to current_user using (true) with check (true);
comment on policy sync_owner_all on app_public.role_permissions is E'The owner (the role the SECURITY DEFINER sync functions run as) writes every row; forced RLS would otherwise block it too.';

revoke all on app_public.role_permissions from authenticated, anonymous;
grant select on app_public.role_permissions to authenticated;

-- Tenants: read-only. The sync keeps only links between live roles and live permissions here.
drop policy if exists select_all on app_public.role_permissions;
create policy select_all on app_public.role_permissions for select to authenticated
  using (true);
comment on policy select_all on app_public.role_permissions is E'Every signed-in user sees which permissions each live role grants.';
