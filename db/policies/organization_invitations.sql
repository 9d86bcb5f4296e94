-- Row-level security of app_public.organization_invitations (how a policy file is laid out: db/CONVENTIONS.md).
select app_private.secure_table('app_public.organization_invitations');

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
