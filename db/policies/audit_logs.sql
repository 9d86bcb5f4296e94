-- Row-level security of app_public.audit_logs (how a policy file is laid out: db/CONVENTIONS.md).
select app_private.secure_table('app_public.audit_logs');

-- Tenants. Read-only, and only with one of the reference tenant's audit permissions.
grant select on app_public.audit_logs to authenticated;

drop policy if exists select_with_audit_permission on app_public.audit_logs;
create policy select_with_audit_permission on app_public.audit_logs for select to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and ((select app_public.has_permission('org:admin:view_audit_logs')) or (select app_public.has_permission('org:compliance:access_audit_logs')))
  );
comment on policy select_with_audit_permission on app_public.audit_logs is E'Audit rows of the active organization, for holders of org:admin:view_audit_logs or org:compliance:access_audit_logs.';
