-- Row-level security of app_public.users (how a policy file is laid out: db/CONVENTIONS.md).
select app_private.secure_table('app_public.users');

-- Tenants. Read-only. Every column here is profile data co-members may see; what is
-- private (private_metadata) lives in app_private.
grant select on app_public.users to authenticated;

drop policy if exists select_self on app_public.users;
drop policy if exists select_member on app_public.users;
-- One policy, and the visible ids as an array: two permissive policies are ORed into
-- `id = me OR id IN (subplan)`, which Postgres can only check row by row (a full scan of users for
-- `select * from users`), while `id = any(array(...))` is an index condition on the primary key.
-- The subquery runs under organization_memberships' own policy (current organization, not deleted).
drop policy if exists select_self_or_member on app_public.users;
create policy select_self_or_member on app_public.users for select to authenticated
  using (
    deleted_at is null
    and id = any (array(
      select app_public.current_user_id()
      union all
      select m.user_id from app_public.organization_memberships m
       where m.organization_id = (select app_public.current_org_id()) and m.deleted_at is null
    ))
  );
comment on policy select_self_or_member on app_public.users is E'A user always sees their own row, with or without an active organization, and the profiles of the members of their active organization.';
