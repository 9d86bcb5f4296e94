-- Row-level security of app_public.audit_logs. Synced by the SECURITY DEFINER sync functions,
-- owned by the migration owner; tenant policies are added per command below.
alter table app_public.audit_logs enable row level security;
alter table app_public.audit_logs force row level security;

drop policy if exists sync_owner_all on app_public.audit_logs;
create policy sync_owner_all on app_public.audit_logs for all to current_user using (true) with check (true);
comment on policy sync_owner_all on app_public.audit_logs is E'The owner (the role the SECURITY DEFINER sync functions run as) writes every row; forced RLS would otherwise block it too.';

-- Tenants. Read-only, and only with one of the reference tenant's audit permissions.
revoke all on app_public.audit_logs from authenticated, anonymous;
grant select on app_public.audit_logs to authenticated;

drop policy if exists select_with_audit_permission on app_public.audit_logs;
create policy select_with_audit_permission on app_public.audit_logs for select to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and ((select app_public.has_permission('org:admin:view_audit_logs')) or (select app_public.has_permission('org:compliance:access_audit_logs')))
    -- A deleted organization's history goes with it, as its memberships and billing do.
    and (select exists (select from app_public.organizations o where o.id = app_public.current_org_id() and o.deleted_at is null))
    -- A row never shows more than the reader could read of the entity itself.
    and (entity_kind <> 'organization_invitations' or (select app_public.has_permission('org:sys_memberships:read')))
    and (entity_kind <> 'organization_domains' or (select app_public.has_permission('org:sys_domains:read')))
  );
comment on policy select_with_audit_permission on app_public.audit_logs is E'Audit rows of the active organization while it exists, for holders of org:admin:view_audit_logs or org:compliance:access_audit_logs; rows about invitations also need org:sys_memberships:read, rows about domains org:sys_domains:read.';
