-- Row-level security of app_public.organization_memberships. Synced by the SECURITY DEFINER sync functions,
-- owned by the migration owner; tenant policies are added per command below.
alter table app_public.organization_memberships enable row level security;
alter table app_public.organization_memberships force row level security;

drop policy if exists sync_owner_all on app_public.organization_memberships;
create policy sync_owner_all on app_public.organization_memberships for all to current_user using (true) with check (true);
comment on policy sync_owner_all on app_public.organization_memberships is E'The owner (the role the SECURITY DEFINER sync functions run as) writes every row; forced RLS would otherwise block it too.';

-- Tenants. Read-only.
revoke all on app_public.organization_memberships from authenticated, anonymous;
grant select on app_public.organization_memberships to authenticated;

drop policy if exists select_current_org on app_public.organization_memberships;
create policy select_current_org on app_public.organization_memberships for select to authenticated
  using (organization_id = (select app_public.current_org_id()) and deleted_at is null);
comment on policy select_current_org on app_public.organization_memberships is E'A visitor sees the live memberships (members and their roles) of their active organization.';
