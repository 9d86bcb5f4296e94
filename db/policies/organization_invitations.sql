-- Row-level security of app_public.organization_invitations. Synced by the SECURITY DEFINER sync functions,
-- owned by the migration owner; tenant policies are added per command below.
alter table app_public.organization_invitations enable row level security;
alter table app_public.organization_invitations force row level security;

drop policy if exists sync_owner_all on app_public.organization_invitations;
create policy sync_owner_all on app_public.organization_invitations for all to current_user using (true) with check (true);
comment on policy sync_owner_all on app_public.organization_invitations is E'The owner (the role the SECURITY DEFINER sync functions run as) writes every row; forced RLS would otherwise block it too.';

revoke all on app_public.organization_invitations from authenticated, anonymous;
grant select on app_public.organization_invitations to authenticated;

-- Tenants: read-only, invitations of the active organization for holders of org:sys_memberships:read.
drop policy if exists select_current_org_with_permission on app_public.organization_invitations;
create policy select_current_org_with_permission on app_public.organization_invitations for select to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and deleted_at is null
    and (select app_public.has_permission('org:sys_memberships:read'))
  );
comment on policy select_current_org_with_permission on app_public.organization_invitations is E'Invitations of the active organization, for holders of org:sys_memberships:read.';
