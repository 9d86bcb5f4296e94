-- Row-level security of app_public.audit_logs (how a policy file is laid out: db/CONVENTIONS.md).
select app_private.secure_table('app_public.audit_logs');

-- Tenants. Read-only, and only with one of the reference tenant's audit permissions.
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
