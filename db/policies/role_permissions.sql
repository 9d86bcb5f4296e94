-- Row-level security of app_public.role_permissions (how a policy file is laid out: db/CONVENTIONS.md).
select app_private.secure_table('app_public.role_permissions');

grant select on app_public.role_permissions to authenticated;

-- Tenants: read-only. The sync keeps only links between live roles and live permissions here.
drop policy if exists select_all on app_public.role_permissions;
create policy select_all on app_public.role_permissions for select to authenticated
  using (true);
comment on policy select_all on app_public.role_permissions is E'Every signed-in user sees which permissions each live role grants.';
