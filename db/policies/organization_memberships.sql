-- Row-level security of app_public.organization_memberships (how a policy file is laid out: db/CONVENTIONS.md).
select app_private.secure_table('app_public.organization_memberships');

-- Tenants. Read-only.
grant select on app_public.organization_memberships to authenticated;

drop policy if exists select_current_org on app_public.organization_memberships;
create policy select_current_org on app_public.organization_memberships for select to authenticated
  using (organization_id = (select app_public.current_live_org_id()) and deleted_at is null);
comment on policy select_current_org on app_public.organization_memberships is E'A visitor sees the live memberships (members and their roles) of their active organization, until the synced membership says they left it (fresher than the token: current_access).';
