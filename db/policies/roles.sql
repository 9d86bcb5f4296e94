-- Row-level security of app_public.roles (how a policy file is laid out: db/CONVENTIONS.md).
select app_private.secure_table('app_public.roles');

grant select on app_public.roles to authenticated;

-- Tenants: read-only. Roles and permissions are defined once per Clerk instance, not per
-- organization, and say nothing about anyone: every signed-in user may read the live ones.
drop policy if exists select_live on app_public.roles;
create policy select_live on app_public.roles for select to authenticated
  using (deleted_at is null);
comment on policy select_live on app_public.roles is E'Every signed-in user sees the instance''s live roles.';
